// The AlertDedup kind (docs/alerts.md; core/src/alerts/, core/src/policy/alerts.cc,
// core/src/engine_alerts.cc): Alertmanager's fingerprint and group-key format, the loader's
// errors, the stream's state across calls, snapshot and restore (a replay from a snapshot
// gives byte-identical output), bad snapshots, and the C ABI.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alertmanager/matcher.h"
#include "kinds/alerts/alert.h"
#include "time/time.h"
#include "verdict/engine.h"
#include "verdict/verdict.h"

using verdict::AlertOptions;
using verdict::AlertReport;
using verdict::Engine;
using verdict::InputFormat;
using json = nlohmann::json;

namespace {

std::string sample(const std::string& rel) {
  std::ifstream f(std::string(VERDICT_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string hex(uint64_t v) {
  std::string s;
  verdict::alerts::append_hex16(s, v);
  return s;
}

// A deterministic stream: 40 label sets, firing and resolving, a run-time silence added and
// expired, one broken line, in 1-second steps from 2025-03-14T10:00:00Z.
std::vector<std::string> make_stream(size_t n) {
  std::vector<std::string> out;
  uint64_t x = 12345;
  auto rnd = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  const char* sev[] = {"critical", "warning", "info"};
  // Mostly 1-second steps, sometimes minutes to hours (flushes skipped over gaps must not show).
  const int64_t gaps[] = {1, 1, 1, 1, 2, 5, 30, 60, 300, 900, 3600};
  int64_t s = 0;
  for (size_t i = 0; i < n; ++i) {
    s += gaps[rnd() % 11];
    char at[40];
    std::snprintf(at, sizeof at, "2025-03-%02lldT%02lld:%02lld:%02lldZ", static_cast<long long>(14 + (36000 + s) / 86400),
                  static_cast<long long>((36000 + s) / 3600 % 24), static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    if (i % 97 == 50) {
      out.push_back(std::string(R"({"kind":"silence","id":"x)") + std::to_string(i % 3) + R"(","matchers":["instance=~\"i1.*\""],"startsAt":")" + at +
                    R"(","endsAt":"2025-03-20T00:00:00Z","at":")" + at + "\"}");
      continue;
    }
    if (i % 131 == 70) {
      out.push_back(std::string(R"({"kind":"expire_silence","id":"x)") + std::to_string(i % 3) + R"(","at":")" + at + "\"}");
      continue;
    }
    if (i == 100) {
      out.push_back(std::string(R"({"kind":"silence","id":"m1","matchers":["service=\"svc-3\""],"startsAt":")") + at + R"(","endsAt":"2025-03-30T00:00:00Z","at":")" + at + "\"}");
      continue;
    }
    if (i == 700) {
      out.push_back(std::string(R"({"kind":"expire_silence","id":"m1","at":")") + at + "\"}");
      continue;
    }
    if (i == 333) {
      out.push_back(R"({"labels": {"alertname": )");
      continue;
    }
    uint64_t k = rnd() % 40;
    bool resolve = rnd() % 7 == 0;
    std::string labels = R"({"alertname":"A)" + std::to_string(k % 5) + R"(","service":"svc-)" + std::to_string(k % 8) +
                         R"(","severity":")" + sev[k % 3] + R"(","instance":"i)" + std::to_string(k) + R"(","node":"n)" +
                         std::to_string(k % 4) + R"(","ci":")" + (k % 10 == 0 ? "db-host-01" : k % 10 == 1 ? "postgres-payments-02" : "x") + "\"}";
    std::string ends;
    if (rnd() % 11 == 0) ends = R"(,"endsAt":"2025-03-)" + std::string(at).substr(8, 2) + "T23:59:59Z\"";
    out.push_back(R"({"labels":)" + labels + R"(,"status":")" + (resolve ? "resolved" : "firing") + R"(","at":")" + at + "\"" + ends + "}");
  }
  return out;
}

struct Runner {
  Engine engine;
  explicit Runner(bool with_cmdb = true) {
    REQUIRE(engine.load_policies(sample("policies/alerts/default.json"), "default.json").ok());
    if (with_cmdb) REQUIRE(engine.load_data(sample("samples/cmdb.json"), "cmdb.json").ok());
  }
  std::string push(const std::vector<std::string>& lines, size_t from, size_t to, const std::string& now) {
    std::string in;
    for (size_t i = from; i < to; ++i) in += lines[i] + "\n";
    AlertOptions o;
    o.now = now;
    o.format = InputFormat::kNdjson;
    return engine.alerts_push(in, o).json;
  }
};

}  // namespace

TEST_CASE("the fingerprint is Alertmanager's: FNV-1a 64 over sorted names and values with 0xff", "[alerts]") {
  using verdict::alerts::LabelView;
  LabelView ls = {{"severity", "critical"}, {"alertname", "alert1"}};
  verdict::alerts::sort_labels(ls);
  CHECK(hex(verdict::alerts::fingerprint(ls)) == "0223b772b51c29e1");
  // The empty set is FNV-1a's offset basis (model.emptyLabelSignature).
  CHECK(hex(verdict::alerts::fingerprint({})) == "cbf29ce484222325");
  // The separator keeps {a="bc"} and {ab="c"} apart.
  CHECK(verdict::alerts::fingerprint({{"a", "bc"}}) != verdict::alerts::fingerprint({{"ab", "c"}}));
}

TEST_CASE("label sets and matchers print in Alertmanager's group-key format", "[alerts]") {
  std::string s;
  verdict::alerts::append_label_set(s, {{"alertname", "Disk \"full\""}, {"path", "a\\b\n"}});
  CHECK(s == R"({alertname="Disk \"full\"", path="a\\b\n"})");
  verdict::alertmanager::Matcher m;
  verdict::Error e;
  REQUIRE(verdict::alertmanager::parse_matcher(R"(severity =~ "crit.*")", {}, m, e));
  CHECK(m.to_string() == R"(severity=~"crit.*")");
  CHECK(m.matches("critical"));
  CHECK_FALSE(m.matches("xcritical"));  // anchored
  CHECK_FALSE(verdict::alertmanager::parse_matcher("=x", {}, m, e));
  CHECK_FALSE(verdict::alertmanager::parse_matcher("a=~\"(\"", {}, m, e));
  CHECK(e.code == verdict::ErrorCode::kInvalidRegex);
  CHECK(e.message.rfind("invalid regex", 0) == 0);
}

TEST_CASE("route keys nest and sort matchers as Alertmanager does", "[alerts]") {
  Engine e;
  REQUIRE(e.load_policies(R"({"apiVersion":"verdict/v1","kind":"AlertDedup","metadata":{"name":"k"},
    "spec":{"route":{"receiver":"r","group_by":["b","a"],"routes":[{"matchers":["z=\"1\"","a=~\"x|y\"","a=\"x\""],
      "routes":[{"matchers":["c!=\"2\""],"receiver":"leaf"}]}]}}})", "k.json").ok());
  AlertOptions o;
  o.now = "2025-03-14T10:00:00Z";
  AlertReport r = e.alerts_push(R"({"labels":{"a":"x","b":"2","z":"1","c":"3"}})", o);
  INFO(r.json);
  json line = json::parse(r.json.substr(0, r.json.find('\n')));
  CHECK(line["groups"][0]["key"] == R"({}/{a="x",a=~"x|y",z="1"}/{c!="2"}:{a="x", b="2"})");
  CHECK(line["groups"][0]["receiver"] == "leaf");
}

TEST_CASE("policy errors are positioned: a silence ending before it starts, a bad duration, an unknown window", "[alerts]") {
  Engine e;
  auto r = e.load_policies(R"({"apiVersion":"verdict/v1","kind":"AlertDedup","metadata":{"name":"bad"},
"spec":{"route":{"group_wait":"soon","mute_windows":["nope"]},
"silences":[{"id":"s","matchers":["a=\"b\""],"startsAt":"2025-03-14T12:00:00Z","endsAt":"2025-03-14T11:00:00Z"}]}})", "bad.json");
  REQUIRE_FALSE(r.ok());
  std::vector<std::string> msgs;
  for (const auto& err : r.errors) {
    msgs.push_back(err.message);
    CHECK(err.line >= 2);
    CHECK(err.column >= 1);
  }
  auto has = [&](const std::string& part) {
    for (const auto& m : msgs)
      if (m.find(part) != std::string::npos) return true;
    return false;
  };
  CHECK(has("ends before it starts"));
  CHECK(has("a duration"));
  CHECK(has("no window of that name"));
}

TEST_CASE("a stream replayed from a snapshot gives byte-identical output to an uninterrupted run", "[alerts][snapshot]") {
  const auto lines = make_stream(1200);
  const std::vector<std::pair<size_t, std::string>> pushes = {{150, ""}, {400, ""}, {401, ""}, {800, ""}, {1200, ""},
                                                              {1200, "2025-03-31T00:00:00Z"}};
  std::string whole;
  std::string whole_stats, whole_snapshot;
  {
    Runner r;
    size_t from = 0;
    for (const auto& [to, now] : pushes) {
      whole += r.push(lines, from, to, now);
      from = to;
    }
    whole_stats = r.engine.alerts_stats();
    whole_snapshot = r.engine.alerts_snapshot();
  }
  CHECK(whole.find("\"decision\":\"inhibited\"") != std::string::npos);
  CHECK(whole.find("\"silenced_by\":\"m1\"") != std::string::npos);
  CHECK(whole.find("\"type\":\"notification\"") != std::string::npos);
  CHECK(whole.find("\"type\":\"error\",\"line\":") != std::string::npos);
  // After every push, a new engine restored from the snapshot takes over.
  std::string replay;
  std::string snapshot;
  size_t from = 0;
  for (const auto& [to, now] : pushes) {
    Runner r;
    if (!snapshot.empty()) {
      verdict::Status s = r.engine.alerts_restore(snapshot);
      REQUIRE(s.ok());
    }
    replay += r.push(lines, from, to, now);
    from = to;
    snapshot = r.engine.alerts_snapshot();
    if (now == "2025-03-31T00:00:00Z") {
      CHECK(r.engine.alerts_stats() == whole_stats);
    }
  }
  CHECK(replay == whole);
  CHECK(snapshot == whole_snapshot);
}

TEST_CASE("snapshot -> restore -> snapshot is the same document", "[alerts][snapshot]") {
  const auto lines = make_stream(500);
  Runner a;
  a.push(lines, 0, 500, "");
  std::string s1 = a.engine.alerts_snapshot();
  Runner b;
  REQUIRE(b.engine.alerts_restore(s1).ok());
  CHECK(b.engine.alerts_snapshot() == s1);
  json doc = json::parse(s1);
  CHECK(doc["kind"] == "AlertDedupState");
  CHECK(doc["version"] == 1);
  CHECK(doc["streams"][0]["policy"] == "default-alerts");
}

TEST_CASE("a corrupt or version-mismatched snapshot is an error and the old state is kept", "[alerts][snapshot]") {
  const auto lines = make_stream(300);
  Runner a;
  a.push(lines, 0, 300, "");
  const std::string good = a.engine.alerts_snapshot();
  json bad_version = json::parse(good);
  bad_version["version"] = 99;
  json bad_field = json::parse(good);
  bad_field["streams"][0]["alerts"][3]["labels"]["alertname"] = 7;
  json bad_policy = json::parse(good);
  bad_policy["streams"][0]["policy"] = "not-loaded";
  json bad_group = json::parse(good);
  bad_group["streams"][0]["alerts"][0]["groups"] = json::array({100000});
  struct Case {
    std::string text, expect;
  } cases[] = {
      {good.substr(0, good.size() / 2), "not valid JSON"},
      {bad_version.dump(), "version 99 is not supported"},
      {bad_field.dump(), "alerts[3].labels.alertname: not a string"},
      {bad_policy.dump(), "no AlertDedup policy named \"not-loaded\""},
      {bad_group.dump(), "not a group index"},
      {R"({"kind":"Other","version":1,"streams":[]})", "not an AlertDedupState document"},
  };
  for (const auto& c : cases) {
    Runner b;
    REQUIRE(b.engine.alerts_restore(good).ok());
    verdict::Status s = b.engine.alerts_restore(c.text);
    REQUIRE_FALSE(s.ok());
    INFO(s.error().message);
    CHECK(s.error().message.find(c.expect) != std::string::npos);
    CHECK(b.engine.alerts_snapshot() == good);  // the old state is kept
  }
  // The syntax error has a position.
  Runner b;
  verdict::Status s = b.engine.alerts_restore(good.substr(0, 100));
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().line == 1);
  CHECK(s.error().column > 0);
}

TEST_CASE("a replaced policy keeps the stream's state, clear() forgets it", "[alerts]") {
  Runner r;
  AlertOptions o;
  o.now = "2025-03-14T10:00:00Z";
  std::string ev = R"({"labels":{"alertname":"X","service":"s"}})";
  CHECK(r.engine.alerts_push(ev, o).json.find("\"decision\":\"new\"") != std::string::npos);
  REQUIRE(r.engine.load_policies(sample("policies/alerts/default.json"), "default.json").ok());  // replaces it
  o.now = "2025-03-14T10:00:05Z";
  CHECK(r.engine.alerts_push(ev, o).json.find("\"decision\":\"duplicate\"") != std::string::npos);
  r.engine.clear();
  REQUIRE(r.engine.load_policies(sample("policies/alerts/default.json"), "default.json").ok());
  CHECK(r.engine.alerts_push(ev, o).json.find("\"decision\":\"new\"") != std::string::npos);
}

TEST_CASE("without an AlertDedup policy, or with a bad now, a push is an error and the engine stays usable", "[alerts]") {
  Engine e;
  AlertOptions o;
  AlertReport r = e.alerts_push(R"({"labels":{"a":"b"}})", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.errors[0].message == "no policy is loaded");
  REQUIRE(e.load_policies(sample("policies/alerts/default.json"), "default.json").ok());
  o.now = "yesterday";
  r = e.alerts_push(R"({"labels":{"a":"b"}})", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.errors[0].code == verdict::ErrorCode::kInvalidArgument);
  o.now = "2025-03-14T10:00:00Z";
  r = e.alerts_push(R"({"labels":{"a":"b"}})", o);
  CHECK(r.ok());
}

TEST_CASE("the sample streams read without errors in every input shape", "[alerts]") {
  for (const char* f : {"samples/alerts.ndjson", "samples/alertmanager-webhook.json", "samples/pagerduty-events.ndjson"}) {
    Runner r;
    AlertOptions o;
    o.now = "2025-03-14T08:30:00Z";
    AlertReport rep = r.engine.alerts_push(sample(f), o);
    INFO(f << ": " << rep.json);
    CHECK(rep.ok());
    CHECK(rep.json.find("\"type\":\"alert\"") != std::string::npos);
  }
  // The Alertmanager samples carry Alertmanager's own fingerprints: ours agree.
  Runner r;
  AlertOptions o;
  o.now = "2025-03-14T08:30:00Z";
  std::string in = sample("samples/alerts.ndjson");
  std::string out = r.engine.alerts_push(in, o).json;
  size_t checked = 0;
  std::istringstream lines(in);
  for (std::string l; std::getline(lines, l);) {
    json a = json::parse(l, nullptr, false);
    if (a.is_discarded() || !a.contains("fingerprint")) continue;
    CHECK(out.find("\"fingerprint\":\"" + a["fingerprint"].get<std::string>() + "\"") != std::string::npos);
    ++checked;
  }
  CHECK(checked >= 20);
}

TEST_CASE("the C ABI pushes, reports statistics, snapshots and restores", "[alerts][c_api]") {
  verdict_engine* e = verdict_engine_new();
  std::string pol = sample("policies/alerts/default.json");
  REQUIRE(verdict_load_policy(e, pol.data(), pol.size(), "d.json", 6) == 0);
  std::string in = R"({"labels":{"alertname":"alert1","severity":"critical"}})";
  const char* now = "2025-03-14T10:00:00Z";
  REQUIRE(verdict_alerts_push(e, nullptr, 0, in.data(), in.size(), now, 20, VERDICT_EVAL_JSON) == 0);
  std::string out(verdict_result(e), verdict_result_size(e));
  CHECK(out.find("\"fingerprint\":\"0223b772b51c29e1\"") != std::string::npos);
  REQUIRE(verdict_alerts_stats(e) == 0);
  CHECK(json::parse(verdict_result(e))["streams"][0]["events"] == 1);
  REQUIRE(verdict_alerts_snapshot(e) == 0);
  std::string snap(verdict_result(e), verdict_result_size(e));
  REQUIRE(verdict_alerts_restore(e, snap.data(), snap.size()) == 0);
  CHECK(std::string(verdict_result(e)) == R"({"ok":true})");
  CHECK(verdict_alerts_restore(e, "{}", 2) == static_cast<int>(verdict::ErrorCode::kInvalidArgument));
  CHECK(std::string(verdict_last_error(e)).find("not an AlertDedupState document") != std::string::npos);
  CHECK(verdict_alerts_push(e, nullptr, 0, in.data(), in.size(), nullptr, 0, VERDICT_EVAL_JSON | VERDICT_EVAL_NDJSON) ==
        static_cast<int>(verdict::ErrorCode::kInvalidArgument));
  CHECK(verdict_alerts_push(nullptr, nullptr, 0, nullptr, 0, nullptr, 0, 0) == static_cast<int>(verdict::ErrorCode::kInvalidArgument));
  verdict_engine_free(e);
}

TEST_CASE("VERDICT_ALERTS_RECEIVED passes the receipt time through the C ABI", "[alerts][c_api]") {
  // The issue's repro: an API array with a Watchdog that started months before the next alert.
  const std::string in = sample("samples/alerts.ndjson");
  const std::string pol = sample("policies/alerts/default.json");
  auto push = [&](const char* t, uint32_t flags, std::string& out) {
    verdict_engine* e = verdict_engine_new();
    REQUIRE(verdict_load_policy(e, pol.data(), pol.size(), "d.json", 6) == 0);
    int rc = verdict_alerts_push(e, nullptr, 0, in.data(), in.size(), t, t ? std::strlen(t) : 0, flags);
    out.assign(verdict_result(e), verdict_result_size(e));
    verdict_engine_free(e);
    return rc;
  };
  std::string out;
  // Without a receipt time, the Watchdog's startsAt sets the clock and the next alert is refused.
  CHECK(push(nullptr, VERDICT_EVAL_NDJSON, out) != 0);
  CHECK(out.find("after the stream's clock") != std::string::npos);
  // As received: every alert is at the receipt time, and no error.
  REQUIRE(push("2025-03-14T10:00:00Z", VERDICT_EVAL_NDJSON | VERDICT_ALERTS_RECEIVED, out) == 0);
  CHECK(out.find("\"type\":\"error\"") == std::string::npos);
  CHECK(out.find("\"at\":\"2025-03-14T10:00:00Z\"") != std::string::npos);
  // The flag needs a time.
  CHECK(push(nullptr, VERDICT_ALERTS_RECEIVED, out) == static_cast<int>(verdict::ErrorCode::kInvalidArgument));
  CHECK(out.find("VERDICT_ALERTS_RECEIVED needs a receipt time") != std::string::npos);
  CHECK(push("2025-03-14T10:00:00Z", 16, out) == static_cast<int>(verdict::ErrorCode::kInvalidArgument));
}

TEST_CASE("events without an at are at their receipt time and not at their startsAt", "[alerts]") {
  // samples/alerts.ndjson is an API array's worth of alerts: the Watchdog first, firing since
  // 2024-12-12, then alerts that started in March 2025. Read at their startsAt, the Watchdog
  // set the stream's clock and every later alert was "more than 30d after the stream's clock".
  const std::string sample_alerts = sample("samples/alerts.ndjson");
  auto errors_of = [&](const std::string& received) {
    Runner r;
    AlertOptions o;
    o.received = received;
    o.format = InputFormat::kNdjson;
    AlertReport rep = r.engine.alerts_push(sample_alerts, o);
    return rep;
  };
  AlertReport old_way = errors_of("");
  CHECK(old_way.errors.size() == 23);  // so the receipt time below changes something
  AlertReport received = errors_of("2025-03-14T10:00:00Z");
  INFO(received.json.substr(0, 2000));
  CHECK(received.errors.empty());
  // Every decision is at the receipt time.
  size_t lines = 0;
  for (size_t at = 0; (at = received.json.find("\"at\":\"", at)) != std::string::npos; at += 6, ++lines)
    CHECK(received.json.substr(at + 6, 20) == "2025-03-14T10:00:00Z");
  CHECK(lines >= 24);  // a decision per alert, and the lines they bring
  // An event's own `at` still wins, and a bad receipt time is an error.
  Runner r;
  AlertOptions o;
  o.received = "2025-03-14T10:00:00Z";
  AlertReport with_at = r.engine.alerts_push(R"({"labels":{"alertname":"A"},"at":"2025-03-14T09:59:00Z"})", o);
  CHECK(with_at.json.find("\"at\":\"2025-03-14T09:59:00Z\"") != std::string::npos);
  o.received = "yesterday";
  AlertReport bad = r.engine.alerts_push(R"({"labels":{"alertname":"A"}})", o);
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].message.find("invalid received time 'yesterday'") == 0);
}

TEST_CASE("alerts_next_flush says when the next group flush is due, and a push with that now sends it", "[alerts]") {
  using verdict::datetime::format_rfc3339;
  Runner r(false);
  CHECK(!r.engine.alerts_next_flush().has_value());  // no stream yet
  r.push({R"({"labels":{"alertname":"alert1","severity":"critical"},"at":"2025-03-14T10:00:00Z"})"}, 0, 1, "");
  // The critical route's group_wait is 10s.
  REQUIRE(r.engine.alerts_next_flush().has_value());
  CHECK(format_rfc3339(*r.engine.alerts_next_flush()) == "2025-03-14T10:00:10Z");
  CHECK(format_rfc3339(*r.engine.alerts_next_flush("default-alerts")) == "2025-03-14T10:00:10Z");
  CHECK(!r.engine.alerts_next_flush("no-such-policy").has_value());
  AlertOptions o;
  o.now = "2025-03-14T10:00:09Z";
  CHECK(r.engine.alerts_push("", o).json.find("\"notification\"") == std::string::npos);
  o.now = "2025-03-14T10:00:10Z";
  std::string out = r.engine.alerts_push("", o).json;
  CHECK(out.find("\"type\":\"notification\",\"at\":\"2025-03-14T10:00:10Z\"") != std::string::npos);
  // Then the group's next flush (it stays scheduled while it has alerts), never in the past.
  REQUIRE(r.engine.alerts_next_flush().has_value());
  CHECK(format_rfc3339(*r.engine.alerts_next_flush()) > "2025-03-14T10:00:10Z");
}
