// Bounded in every dimension (issue 17, docs/limits.md): a policy too deep or too large is
// refused as it is read; values built from shared parts (chained lets reusing a list), string()
// of them, comparisons and regex matches over them are charged by their size; each ends in a
// kLimitExceeded error with a position, and nothing is built that the limits do not allow.
// No test here asserts a time; tests/stress_limits.sh runs the same bombs under `ulimit -v`.
#include <catch2/catch.hpp>

#include <string>

#include "verdict/engine.h"

using verdict::Engine;
using verdict::EngineOptions;
using verdict::ErrorCode;
using verdict::EvalOptions;
using verdict::EvalReport;
using verdict::LoadReport;

namespace {

std::string rules_policy(const std::string& lets, const std::string& when, const std::string& set = "{}") {
  return R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "bomb"},
    "spec": {"input": "input", "let": {)" + lets + R"(}, "rules": [{"name": "r", "when": ")" + when + R"(", "set": )" + set + "}]}}";
}

// let l0 = [0,...,9]; let l{k} = [l{k-1} x 10]: level L holds 10^(L+1) items, built in 10 L steps.
std::string exponential_lets(int levels) {
  std::string lets = R"("l0": "[0,1,2,3,4,5,6,7,8,9]")";
  for (int k = 1; k <= levels; ++k) {
    std::string p = "l" + std::to_string(k - 1);
    lets += ",\"l" + std::to_string(k) + "\": \"[" + p;
    for (int i = 1; i < 10; ++i) lets += "," + p;
    lets += "]\"";
  }
  return lets;
}

const verdict::Error* limit_error(const EvalReport& r) {
  for (const auto& e : r.errors)
    if (e.code == ErrorCode::kLimitExceeded) return &e;
  return nullptr;
}

EvalReport eval(Engine& e, const std::string& input = "{}") {
  EvalOptions o;
  return e.evaluate(input, o);
}

}  // namespace

TEST_CASE("a policy nested deeper than the limit is refused where it gets too deep", "[limits][policy]") {
  Engine e;
  std::string deep(200000, '[');  // the shape of samples/malformed/deep-nesting.json
  LoadReport r = e.lint(deep, "deep.json");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kLimitExceeded);
  CHECK(r.errors[0].message == "arrays and objects nest deeper than 128 levels");
  CHECK(r.errors[0].line == 1);
  CHECK(r.errors[0].column == 129);
  // So the limit limits something: 128 levels are only a syntax error (unclosed), not a limit.
  LoadReport shallow = e.lint(std::string(128, '['), "ok.json");
  REQUIRE(shallow.errors.size() == 1);
  CHECK(shallow.errors[0].code == ErrorCode::kInvalidJson);
  // Routes nested 3,000 deep stop at the JSON depth, long before the route tree is built.
  std::string routes = R"({"apiVersion":"verdict/v1","kind":"AlertDedup","metadata":{"name":"n"},"spec":{"route":{"receiver":"x")";
  for (int i = 0; i < 3000; ++i) routes += R"(,"routes":[{"receiver":"x")";
  LoadReport rr = e.lint(routes, "routes.json");
  REQUIRE_FALSE(rr.errors.empty());
  CHECK(rr.errors[0].code == ErrorCode::kLimitExceeded);
}

TEST_CASE("a policy file larger than PolicyLimits::max_bytes is refused before it is parsed", "[limits][policy]") {
  EngineOptions o;
  o.policies.max_bytes = 100;
  Engine small(o);
  std::string policy = rules_policy("", "true");
  REQUIRE(policy.size() > 100);
  LoadReport r = small.lint(policy, "big.json");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kLimitExceeded);
  CHECK(r.errors[0].message.find("more than the limit of 100") != std::string::npos);
  Engine normal;
  CHECK(normal.lint(policy, "big.json").errors.empty());
}

TEST_CASE("chained lets reusing a list stop at max_value_bytes", "[limits][eval]") {
  // 10 levels would be 10^11 items; the list of 10^5 items (level 4) is over 16 MiB as JSON.
  Engine e;
  REQUIRE(e.load_policies(rules_policy(exponential_lets(10), "size(l10) > 0"), "p.json").ok());
  EvalReport r = eval(e);
  const verdict::Error* err = limit_error(r);
  REQUIRE(err);
  CHECK(err->message.find("a list of more than 16777216 bytes as JSON (limit max_value_bytes)") != std::string::npos);
  CHECK(err->line > 0);
  // Below the limit the same lets evaluate (so the limit is what stopped the one above).
  Engine ok;
  REQUIRE(ok.load_policies(rules_policy(exponential_lets(2), "size(l2) == 10"), "p.json").ok());
  EvalReport fine = eval(ok);
  CHECK(fine.errors.empty());
  CHECK(fine.json.find("\"r\"") != std::string::npos);
}

TEST_CASE("string() of a large built value is a limit error, not a large string", "[limits][eval]") {
  // Level 3: 10^4 one-digit items, about 23 KB as JSON: under max_value_bytes, over a 16 KB max_string_bytes.
  EngineOptions o;
  o.expressions.max_string_bytes = 16 << 10;
  Engine e(o);
  REQUIRE(e.load_policies(rules_policy(exponential_lets(3), "size(string(l3)) > 0"), "p.json").ok());
  EvalReport r = eval(e);
  const verdict::Error* err = limit_error(r);
  REQUIRE(err);
  CHECK(err->message.find("string() of a value longer than 16384 bytes") != std::string::npos);
  Engine ok;  // the default 1 MiB holds it
  REQUIRE(ok.load_policies(rules_policy(exponential_lets(3), "size(string(l3)) > 0"), "p.json").ok());
  EvalReport fine = eval(ok);
  CHECK(fine.errors.empty());
  CHECK(fine.json.find("\"r\"") != std::string::npos);
}

TEST_CASE("comparing and searching large values is charged to max_steps by their size", "[limits][eval]") {
  // Two lists built apart (not one shared pointer), 10^5 items each: a comparison may touch
  // about 230 KB, 3,600 steps; 40 of them are over the default 100,000.
  std::string lets = exponential_lets(4);
  std::string twin = R"(,"m0": "[0,1,2,3,4,5,6,7,8,9]")";
  for (int k = 1; k <= 4; ++k) {
    std::string p = "m" + std::to_string(k - 1);
    twin += ",\"m" + std::to_string(k) + "\": \"[" + p;
    for (int i = 1; i < 10; ++i) twin += "," + p;
    twin += "]\"";
  }
  std::string when = "[";
  for (int i = 0; i < 40; ++i) when += std::string(i ? "," : "") + "l4 == m4";
  when += "].all(x, x)";
  Engine e;
  REQUIRE(e.load_policies(rules_policy(lets + twin, when), "p.json").ok());
  EvalReport r = eval(e);
  const verdict::Error* err = limit_error(r);
  REQUIRE(err);
  CHECK(err->message.find("limit max_steps") != std::string::npos);
  // One comparison is well within the budget, and `in` over the list is charged the same way.
  Engine one;
  REQUIRE(one.load_policies(rules_policy(lets + twin, "l4 == m4 && m3 in l4"), "p.json").ok());
  EvalReport fine = eval(one);
  CHECK(fine.errors.empty());
  CHECK(fine.json.find("\"r\"") != std::string::npos);
}

TEST_CASE("regex matches are charged by the length of the subject", "[limits][eval]") {
  // 200 matches over a 64 KiB title: 200 x 1,024 steps, over the default 100,000.
  std::string when = "[";
  for (int i = 0; i < 200; ++i) when += std::string(i ? "," : "") + "input.title.matches('[a-q][^u-z]{13}x')";
  when += "].exists(x, x)";
  std::string input = "{\"title\": \"" + std::string(64 << 10, 'a') + "\"}";
  Engine e;
  REQUIRE(e.load_policies(rules_policy("", when), "p.json").ok());
  EvalReport r = eval(e, input);
  const verdict::Error* err = limit_error(r);
  REQUIRE(err);
  CHECK(err->message.find("a regex match costs a step per 64 bytes") != std::string::npos);
  // The same 200 matches over a short title are fine.
  EvalReport fine = eval(e, "{\"title\": \"short\"}");
  CHECK(fine.errors.empty());
}

// TriageRouting: 1,000 sibling routes of a DFA-heavy pattern on one field, each with its own
// literal so that no two are alike.
std::string regex_routes(int n) {
  std::string routes;
  for (int i = 0; i < n; ++i)
    routes += std::string(i ? "," : "") + R"({"name": "r)" + std::to_string(i) + R"(", "matchers": ["title=~\"[a-q][^u-z]{13}x)" +
              std::to_string(i) + R"(\""], "team": "t"})";
  return R"({"apiVersion": "verdict/v1", "kind": "TriageRouting", "metadata": {"name": "regex-routes"},
    "spec": {"route": {"name": "root", "team": "desk", "routes": [)" + routes + "]}}}";
}

TEST_CASE("route matchers' regexes are charged to max_steps by the length of the field", "[limits][triage]") {
  const std::string title = "{\"title\": \"" + std::string(1 << 20, 'a') + "\"}";
  // One by one: 1,000 matches of 16,384 steps each, over the default 100,000 after 7.
  EngineOptions one_by_one;
  one_by_one.regex_sets = false;
  Engine e(one_by_one);
  REQUIRE(e.load_policies(regex_routes(1000), "routes.json").ok());
  EvalReport r = eval(e, title);
  const verdict::Error* err = limit_error(r);
  REQUIRE(err);
  CHECK(err->message.find("evaluation exceeded 100000 steps (limit max_steps; a regex match costs a step per 64 bytes): "
                          "the matcher title=~\"[a-q][^u-z]{13}x6\" of route \"r6\" over title of 1048576 bytes") !=
        std::string::npos);
  CHECK(r.errors.size() == 1);  // reported once, not once per route left untried
  CHECK(err->line == 2);        // at the route in the policy
  // So the budget is what stopped it: the same routes over a short title decide.
  EvalReport fine = eval(e, "{\"title\": \"short\"}");
  CHECK(fine.errors.empty());
  CHECK(fine.json.find("\"team\":\"desk\"") != std::string::npos);

  // In one RE2::Set (the default) the 1,000 patterns are one pass over the title, charged
  // once: within the default budget, over a budget smaller than the title's 16,384 steps.
  Engine sets;
  REQUIRE(sets.load_policies(regex_routes(1000), "routes.json").ok());
  EvalReport pass = eval(sets, title);
  CHECK(pass.errors.empty());
  EngineOptions small;
  small.expressions.max_steps = 10000;
  Engine tight(small);
  REQUIRE(tight.load_policies(regex_routes(1000), "routes.json").ok());
  EvalReport over = eval(tight, title);
  const verdict::Error* set_err = limit_error(over);
  REQUIRE(set_err);
  CHECK(set_err->message.find("evaluation exceeded 10000 steps") != std::string::npos);
  CHECK(set_err->message.find("the regex matchers of the routes under \"root\" over title of 1048576 bytes") !=
        std::string::npos);
  CHECK(over.errors.size() == 1);
}

TEST_CASE("a stream tracks at most dedup.max_alerts alerts: a new one beyond is refused and counted", "[limits][alerts]") {
  Engine e;
  REQUIRE(e.load_policies(R"({"apiVersion": "verdict/v1", "kind": "AlertDedup", "metadata": {"name": "capped"},
    "spec": {"dedup": {"max_alerts": 3}, "route": {"receiver": "desk"}}})", "p.json").ok());
  std::string lines;
  for (int i = 0; i < 5; ++i) lines += R"({"labels":{"alertname":"A)" + std::to_string(i) + R"("},"at":"2025-03-14T10:00:00Z"})" "\n";
  lines += R"({"labels":{"alertname":"A0"},"at":"2025-03-14T10:00:01Z"})" "\n";  // known: still deduplicated
  verdict::AlertOptions o;
  verdict::AlertReport r = e.alerts_push(lines, o);
  INFO(r.json);
  REQUIRE(r.errors.size() == 2);
  for (const auto& err : r.errors) {
    CHECK(err.code == ErrorCode::kLimitExceeded);
    CHECK(err.message.find("already tracks 3 alerts (dedup.max_alerts)") != std::string::npos);
  }
  CHECK(r.errors[0].line == 4);
  CHECK(r.json.find(R"("decision":"duplicate")") != std::string::npos);
  std::string stats = e.alerts_stats();
  CHECK(stats.find(R"("events":6,"errors":2)") != std::string::npos);
  // So the cap caps something: without it all five are tracked.
  Engine open;
  REQUIRE(open.load_policies(R"({"apiVersion": "verdict/v1", "kind": "AlertDedup", "metadata": {"name": "open"},
    "spec": {"route": {"receiver": "desk"}}})", "p.json").ok());
  CHECK(open.alerts_push(lines, o).errors.empty());
}

// AlertDedup: 1,000 sibling routes of the same DFA-heavy patterns on one label.
std::string regex_alert_routes(int n) {
  std::string routes;
  for (int i = 0; i < n; ++i)
    routes += std::string(i ? "," : "") + R"({"matchers": ["title=~\"[a-q][^u-z]{13}x)" + std::to_string(i) +
              R"(\""], "receiver": "r)" + std::to_string(i) + R"("})";
  return R"({"apiVersion": "verdict/v1", "kind": "AlertDedup", "metadata": {"name": "regex-routes"},
    "spec": {"route": {"receiver": "desk", "routes": [)" + routes + "]}}}";
}

TEST_CASE("AlertDedup route matchers' regexes are charged to max_steps: a new alert over the budget is refused", "[limits][alerts]") {
  const std::string big = R"({"labels":{"alertname":"A","title":")" + std::string(1 << 20, 'a') + R"("},"at":"2025-03-14T10:00:00Z"})" "\n";
  Engine e;
  REQUIRE(e.load_policies(regex_alert_routes(1000), "routes.json").ok());
  verdict::AlertOptions o;
  // One new alert routed among 1,000 regex routes over a 1 MiB label: 16,384 steps each, over
  // the default 100,000 at the seventh.
  REQUIRE(e.alerts_push(R"({"labels":{"alertname":"B"},"at":"2025-03-14T10:00:00Z"})" "\n", o).errors.empty());
  std::string before = e.alerts_snapshot();
  verdict::AlertReport r = e.alerts_push(big, o);
  INFO(r.json);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kLimitExceeded);
  CHECK(r.errors[0].line == 1);
  CHECK(r.errors[0].message.find("evaluation exceeded 100000 steps (limit max_steps; a regex match costs a step per 64 bytes): "
                                 "the matcher title=~\"[a-q][^u-z]{13}x6\" of route {}/{title=~\"[a-q][^u-z]{13}x6\"} over "
                                 "title of 1048576 bytes: this new alert is refused") != std::string::npos);
  CHECK(r.json.find(R"("type":"alert")") == std::string::npos);
  // Refused before anything was changed: the state is the same, the event counted as an error.
  std::string after = e.alerts_snapshot();
  REQUIRE(before.find(R"("alerts":[{)") != std::string::npos);
  CHECK(after.substr(after.find(R"("alerts":)")) == before.substr(before.find(R"("alerts":)")));
  CHECK(e.alerts_stats().find(R"("errors":1)") != std::string::npos);
  // So the budget is what stopped it: the same alert with a short title is routed.
  verdict::AlertReport fine = e.alerts_push(R"({"labels":{"alertname":"A","title":"short"},"at":"2025-03-14T10:00:01Z"})" "\n", o);
  CHECK(fine.errors.empty());
  CHECK(fine.json.find(R"("decision":"new")") != std::string::npos);
  // The stateless preview (evaluate) charges the same matchers to the decision's steps.
  EvalReport preview = eval(e, R"({"labels":{"alertname":"A","title":")" + std::string(1 << 20, 'a') + R"("}})");
  const verdict::Error* err = limit_error(preview);
  REQUIRE(err);
  CHECK(err->message.find("the matcher title=~\"[a-q][^u-z]{13}x6\" of route") != std::string::npos);
}

TEST_CASE("AlertDedup inhibition and silence matchers are charged to the same budget", "[limits][alerts]") {
  EngineOptions small;
  small.expressions.max_steps = 10;
  const std::string policy = R"({"apiVersion": "verdict/v1", "kind": "AlertDedup", "metadata": {"name": "p"},
    "spec": {"route": {"receiver": "desk"}, )";
  const std::string label = std::string(64 * 11, 'a');  // 11 steps
  const std::string alert = R"({"labels":{"alertname":"A","title":")" + label + R"("},"at":"2025-03-14T10:00:00Z"})" "\n";
  verdict::AlertOptions o;
  Engine inhibit(small);
  REQUIRE(inhibit.load_policies(policy + R"("inhibit_rules": [{"source_matchers": ["alertname=\"X\""], "target_matchers": ["title=~\"a+\""], "equal": []}]}})", "p.json").ok());
  verdict::AlertReport r = inhibit.alerts_push(alert, o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("evaluation exceeded 10 steps") != std::string::npos);
  CHECK(r.errors[0].message.find("the matcher title=~\"a+\" of inhibit_rules[0].target_matchers over title of 704 bytes") != std::string::npos);
  Engine silence(small);
  REQUIRE(silence.load_policies(policy + R"("silences": [{"id": "s1", "matchers": ["title=~\"a+\""], "startsAt": "2025-01-01T00:00:00Z", "endsAt": "2030-01-01T00:00:00Z"}]}})", "p.json").ok());
  r = silence.alerts_push(alert, o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("the matcher title=~\"a+\" of silence \"s1\" over title of 704 bytes") != std::string::npos);
  // Ten steps are within the budget: silenced.
  r = silence.alerts_push(R"({"labels":{"alertname":"A","title":")" + std::string(64 * 10, 'a') + R"("},"at":"2025-03-14T10:00:00Z"})" "\n", o);
  CHECK(r.errors.empty());
  CHECK(r.json.find(R"("decision":"silenced")") != std::string::npos);
}
