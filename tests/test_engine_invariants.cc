// Invariants of the engine that every kind must keep (issue 12):
//  - a decision does not depend on any decision made before it on the same engine, of any
//    kind, in any order (a kind that forgot part of the decision setup read what an earlier
//    decision left: ErrorBudget once read a dangling CMDB pointer);
//  - the bundle digest's SHA-256 is FIPS 180-4's (known-answer tests);
//  - one document reads the same through `verdict read` and through a kind (one shape
//    mapping: a Jira issue's id is its key in both).
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "document/sha256.h"
#include "verdict/engine.h"

namespace {

std::string slurp(const std::string& rel) {
  std::ifstream in(std::string(VERDICT_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string sha256(std::string_view s) {
  verdict::Sha256 h;
  h.update(s);
  return h.hex_digest();
}

// ErrorBudget with a threshold that reads the CMDB: it fires only when the decision sees the
// bundle's CMDB (payments-api is tier 1 in samples/cmdb.json).
constexpr const char* kBudgetPolicy = R"({
  "apiVersion": "verdict/v1", "kind": "ErrorBudget", "metadata": {"name": "budget-cmdb"},
  "spec": {"thresholds": [{"name": "tier1", "when": "cmdb.tier(slo.service) == 1", "actions": ["notify"]}]}
})";

constexpr const char* kBudgetInput =
    "{\"kind\":\"slo\",\"name\":\"payments\",\"service\":\"payments-api\",\"objective\":99.9,\"window\":\"30d\"}\n"
    "{\"slo\":\"payments\",\"timestamp\":\"2025-03-14T09:00:00Z\",\"good\":990,\"total\":1000}\n"
    "{\"slo\":\"payments\",\"timestamp\":\"2025-03-14T09:30:00Z\",\"good\":1000,\"total\":1000}\n";

constexpr const char* kIncident =
    R"({"kind":"incident","id":"INC-1","title":"Payments down: postgres refused connections","service":"payments-api","ci":"payments-api","environment":"production","affected_users":5000,"created":"2025-03-01T08:00:00Z"})";

constexpr const char* kAlert =
    R"({"status":"firing","labels":{"alertname":"HighErrorRate","service":"payments-api","severity":"critical","ci":"payments-api"},"annotations":{"summary":"5xx above 5%"},"startsAt":"2025-03-14T08:55:00Z"})";

struct Call {
  const char* name;
  const char* policy;
  std::string input;
  bool explain;
};

void load_bundle(verdict::Engine& e) {
  for (const char* p : {"policies/rules/incident-basics.json", "policies/triage/default.json", "policies/change/default.json",
                        "policies/alerts/default.json"})
    REQUIRE(e.load_policies(slurp(p), p).ok());
  REQUIRE(e.load_policies(kBudgetPolicy, "budget-cmdb.json").ok());
  for (const char* d : {"samples/cmdb.json", "samples/change/schedule.ndjson", "samples/change/windows.json",
                        "samples/change/budget-status.json"})
    REQUIRE(e.load_data(slurp(d), d).ok());
}

std::vector<Call> calls() {
  return {
      {"rules", "incident-basics", kIncident, false},
      {"rules+explain", "incident-basics", kIncident, true},
      {"triage", "default-triage", kIncident, false},
      {"triage+explain", "default-triage", kIncident, true},
      {"change", "default-change-risk", slurp("samples/ci/changes/denied.json"), false},
      {"change+explain", "default-change-risk", slurp("samples/ci/changes/denied.json"), true},
      {"budget", "budget-cmdb", kBudgetInput, false},
      {"budget+explain", "budget-cmdb", kBudgetInput, true},
      {"alerts preview", "", kAlert, false},
  };
}

std::string run(verdict::Engine& e, const Call& c, const std::string& alert_policy) {
  verdict::EvalOptions o;
  o.policy = *c.policy ? c.policy : alert_policy;
  o.now = "2025-03-14T10:00:00Z";
  o.explain = c.explain;
  o.source = c.name;
  return e.evaluate(c.input, o).json;
}

std::string alert_policy_name(verdict::Engine& e) {
  for (const auto& p : e.policies())
    if (p.kind == "AlertDedup") return p.name;
  return "";
}

}  // namespace

TEST_CASE("a decision does not depend on the decisions made before it on the same engine", "[engine][invariants]") {
  const std::vector<Call> all = calls();
  // What each call decides on an engine that made no decision before.
  std::vector<std::string> fresh;
  for (const Call& c : all) {
    verdict::Engine e;
    load_bundle(e);
    fresh.push_back(run(e, c, alert_policy_name(e)));
    CAPTURE(c.name, fresh.back());
    CHECK(fresh.back().find("\"ok\":true") != std::string::npos);
  }
  // The same calls after every other call, in forward, reverse and rotated orders, with an
  // alert stream pushed in between: byte for byte the same.
  std::vector<size_t> order(all.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (int round = 0; round < 4; ++round) {
    if (round == 1) std::reverse(order.begin(), order.end());
    if (round >= 2) std::rotate(order.begin(), order.begin() + 3, order.end());
    verdict::Engine e;
    load_bundle(e);
    const std::string alerts = alert_policy_name(e);
    for (size_t k = 0; k < order.size(); ++k) {
      const Call& c = all[order[k]];
      CAPTURE(round, c.name);
      CHECK(run(e, c, alerts) == fresh[order[k]]);
      verdict::AlertOptions ao;
      ao.now = "2025-03-14T10:00:00Z";
      (void)e.alerts_push(kAlert, ao);
    }
  }
}

TEST_CASE("ErrorBudget decisions read the bundle's CMDB, whatever ran before (was a dangling pointer)", "[engine][invariants][budget]") {
  const Call budget{"budget", "budget-cmdb", kBudgetInput, false};
  verdict::Engine e;
  load_bundle(e);
  std::string first = run(e, budget, "");
  // The threshold sees payments-api's tier from the CMDB: it fires on a fresh engine.
  CHECK(first.find("{\"name\":\"tier1\",\"fired\":true}") != std::string::npos);
  (void)run(e, calls()[0], "");  // a Rules decision
  CHECK(run(e, budget, "") == first);
  // Without the CMDB it does not fire: the test can tell the difference.
  verdict::Engine bare;
  REQUIRE(bare.load_policies(kBudgetPolicy, "budget-cmdb.json").ok());
  CHECK(run(bare, budget, "").find("{\"name\":\"tier1\",\"fired\":false}") != std::string::npos);
}

TEST_CASE("SHA-256 gives the FIPS 180-4 known answers", "[sha256]") {
  CHECK(sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu") ==
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  CHECK(sha256(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 gives the same digest however the input is split into updates", "[sha256]") {
  const std::string msg(1000, 'x');
  const std::string whole = sha256(msg);
  for (size_t step : {1, 3, 55, 56, 63, 64, 65, 127, 999}) {
    verdict::Sha256 h;
    for (size_t i = 0; i < msg.size(); i += step) h.update(std::string_view(msg).substr(i, step));
    CAPTURE(step);
    CHECK(h.hex_digest() == whole);
  }
  // Lengths around the padding boundary (55, 56 and 64 bytes) against a one-shot digest of
  // a known answer: 56 bytes is the second FIPS vector's length.
  CHECK(sha256(std::string(55, 'a')) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  CHECK(sha256(std::string(56, 'a')) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(sha256(std::string(64, 'a')) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST_CASE("a Jira issue has one id: its key, in verdict read and in a triage decision", "[engine][shapes]") {
  const std::string jira = slurp("samples/jira-issues.ndjson");
  const std::string first = jira.substr(0, jira.find('\n'));
  verdict::Engine e;
  verdict::ReadOptions ro;
  auto r = e.read(first, ro);
  REQUIRE(r.ok());
  REQUIRE(r.documents.size() == 1);
  const std::string id = r.documents[0].id;
  CAPTURE(first.substr(0, 200));
  // The key ("OPS-1423"), and the same id in a decision.
  CHECK(id == "OPS-1423");
  REQUIRE(e.load_policies(R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"ids"},
    "spec":{"input":"incident","rules":[{"name":"id","when":"true","set":{"id":"incident.id"}}]}})", "ids.json").ok());
  verdict::EvalOptions o;
  o.now = "2025-03-14T10:00:00Z";
  auto d = e.evaluate(first, o);
  CHECK(d.json.find("\"outputs\":{\"id\":\"" + id + "\"}") != std::string::npos);
}
