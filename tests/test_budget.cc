// The ErrorBudget kind (docs/budget.md; core/src/budget/budget.cc, core/src/policy/budget.cc):
// the window math on prefix sums, calendar windows, the input shapes and their errors with
// positions, streams in bounded work, and the engine's whole-input evaluation.
// The policy-level cases (the Workbook examples, thresholds, shapes) are in policies/budget/.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kinds/budget/sli.h"
#include "time/time.h"
#include "verdict/engine.h"

using verdict::Engine;
using verdict::ErrorCode;
using verdict::EvalOptions;
using verdict::EvalReport;
using json = nlohmann::ordered_json;

namespace {

constexpr const char* kNow = "2026-03-02T10:00:00Z";

const char* kPolicy = R"({
  "apiVersion": "verdict/v1", "kind": "ErrorBudget", "metadata": {"name": "b"},
  "spec": {"thresholds": [{"name": "freeze", "consumed": 1.0, "actions": ["freeze_releases"]}], "burndown_points": 4}
})";

const char* kSlo = R"({"kind":"slo","name":"s","service":"svc","objective":99.9,"window":"30d"})";

EvalReport run(Engine& e, const std::string& input, const char* now = kNow) {
  EvalOptions o;
  o.now = now;
  o.source = "in";
  return e.evaluate(input, o);
}

Engine& engine() {
  static Engine e;
  static bool loaded = false;
  if (!loaded) {
    REQUIRE(e.load_policies(kPolicy, "b.json").ok());
    loaded = true;
  }
  return e;
}

json decision(const EvalReport& r) { return json::parse(r.json)["decision"]; }

int64_t t_of(const char* rfc) { return *verdict::datetime::parse_rfc3339(rfc); }

}  // namespace

TEST_CASE("window sums are differences of prefix sums over (from, to), from excluded", "[budget]") {
  verdict::budget::Series s;
  const int64_t m = 60 * verdict::datetime::kNanosPerSecond;
  double g = 0, t = 0;
  for (int i = 1; i <= 10; ++i) {  // samples at 1..10 minutes, total i, good i - 1
    s.t.push_back(i * m);
    g += i - 1;
    t += i;
    s.cum_good.push_back(g);
    s.cum_total.push_back(t);
  }
  auto x = s.sum(3 * m, 5 * m);  // samples 4 and 5
  CHECK(x.total == 9);
  CHECK(x.good == 7);
  CHECK(x.samples == 2);
  CHECK(s.sum(0, 100 * m).total == 55);
  CHECK(s.sum(10 * m, 20 * m).samples == 0);  // after the last sample
  CHECK(s.sum(5 * m, 5 * m).samples == 0);    // an empty window
  CHECK(s.sum(4 * m + 1, 5 * m).total == 5);  // the sample at the window's end counts
}

TEST_CASE("calendar windows start on Monday 00:00 UTC and on the first of the month", "[budget]") {
  verdict::budget::SloDef week;
  week.calendar = verdict::budget::Calendar::kWeek;
  auto w = verdict::budget::window_span(week, t_of("2026-03-04T12:00:00Z"));  // a Wednesday
  CHECK(verdict::datetime::format_rfc3339(w.start) == "2026-03-02T00:00:00Z");
  CHECK(w.length == 7 * 86400 * verdict::datetime::kNanosPerSecond);
  auto sunday = verdict::budget::window_span(week, t_of("2026-03-01T23:59:00Z"));
  CHECK(verdict::datetime::format_rfc3339(sunday.start) == "2026-02-23T00:00:00Z");
  verdict::budget::SloDef month;
  month.calendar = verdict::budget::Calendar::kMonth;
  auto feb = verdict::budget::window_span(month, t_of("2026-02-14T08:00:00Z"));
  CHECK(verdict::datetime::format_rfc3339(feb.start) == "2026-02-01T00:00:00Z");
  CHECK(feb.length == 28 * 86400 * verdict::datetime::kNanosPerSecond);
  auto dec = verdict::budget::window_span(month, t_of("2025-12-31T23:00:00Z"));
  CHECK(dec.length == 31 * 86400 * verdict::datetime::kNanosPerSecond);
}

TEST_CASE("an NDJSON input is one evaluation: one decision for the whole stream", "[budget]") {
  std::string in = std::string(kSlo) + "\n";
  for (int i = 0; i < 5; ++i) in += R"({"t":"2026-03-02T09:5)" + std::to_string(i) + R"(:00Z","good":999,"total":1000})" "\n";
  EvalReport r = run(engine(), in);
  REQUIRE(r.ok());
  CHECK(r.decisions == 1);
  json d = decision(r);
  CHECK(d["slos"][0]["events"]["total"] == 5000);
  CHECK(d["slos"][0]["budget_consumed"] == 1.0);
  CHECK(d["slos"][0]["status"] == "exhausted");
  CHECK(json::parse(r.json).contains("line") == false);
}

TEST_CASE("bad lines of an NDJSON input are errors with their line and column, the rest is read", "[budget]") {
  std::string in = std::string(kSlo) + "\n" +
                   R"({"t":"2026-03-02T09:58:00Z","good":10,"total":10})" "\n" +
                   R"({"t":"2026-03-02T09:59:00Z","good":-1,"total":10})" "\n" +
                   R"({"t":"2026-03-02T10:00:00Z","good":11,"total":10})" "\n" +
                   R"({"t":"yesterday","good":1,"total":1})" "\n" +
                   R"({"t":"2026-03-02T10:00:00Z" "good":1})" "\n";
  EvalReport r = run(engine(), in);
  REQUIRE(r.errors.size() == 4);
  CHECK(r.errors[0].line == 3);
  CHECK(r.errors[0].column == 36);  // the -1
  CHECK(r.errors[0].code == ErrorCode::kInvalidArgument);
  CHECK(r.errors[1].line == 4);
  CHECK(r.errors[1].column == 36);  // good 11 > total 10
  CHECK(r.errors[1].message.find("exceed the total") != std::string::npos);
  CHECK(r.errors[2].line == 5);
  CHECK(r.errors[2].column == 6);  // the time
  CHECK(r.errors[3].line == 6);    // broken JSON
  CHECK(r.errors[3].code == ErrorCode::kInvalidJson);
  for (const auto& e : r.errors) CHECK(e.source == "in");
  json d = decision(r);
  CHECK(d["slos"][0]["events"]["total"] == 10);  // the good line still counts
  CHECK(d["slos"][0]["samples"]["input_errors"] == 3);
  CHECK(r.worst == verdict::DecisionClass::kError);
  // The engine stays usable.
  EvalReport again = run(engine(), std::string(kSlo) + "\n" + R"({"t":"2026-03-02T10:00:00Z","good":10,"total":10})" "\n");
  CHECK(again.ok());
}

TEST_CASE("errors inside a single JSON document point at the value (nlohmann re-reads it on the error path only)", "[budget]") {
  std::string in = "{\n  \"slos\": [" + std::string(kSlo) + "],\n  \"data\": [\n    {\"slo\": \"s\", \"t\": 1772445600, \"good\": \"many\", \"total\": 3}\n  ]\n}\n";
  EvalReport r = run(engine(), in);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 4);
  CHECK(r.errors[0].column == 43);
  CHECK(r.errors[0].message == "\"good\" must be a number, not \"many\"");
}

TEST_CASE("an empty input and an input without now are errors", "[budget]") {
  EvalReport empty = run(engine(), "  \n");
  REQUIRE(empty.errors.size() == 1);
  CHECK(empty.errors[0].code == ErrorCode::kEmptyInput);
  EvalOptions o;  // no now
  EvalReport r = engine().evaluate(std::string(kSlo), o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kInvalidArgument);
  CHECK(r.errors[0].message.find("needs `now`") != std::string::npos);
}

TEST_CASE("no traffic never writes NaN or infinity: unknown values are null", "[budget]") {
  std::string in = std::string(kSlo) + "\n" + R"({"t":"2026-03-02T10:00:00Z","good":0,"total":0})" "\n";
  EvalReport r = run(engine(), in);
  REQUIRE(r.ok());
  for (const char* bad : {"nan", "NaN", "inf", "Infinity", "e+308"}) CHECK(r.json.find(bad) == std::string::npos);
  json s = decision(r)["slos"][0];
  CHECK(s["status"] == "no_data");
  CHECK(s["burn_state"] == "no_data");
  CHECK(s["budget_remaining"].is_null());
  for (const auto& p : s["burndown"]) CHECK(p["remaining"].is_null());
  for (const auto& a : s["alerts"]) CHECK(a["firing"] == false);
}

TEST_CASE("out-of-order native samples give the same status as sorted ones", "[budget]") {
  std::vector<std::string> lines;
  for (int i = 0; i < 60; ++i) {
    char buf[128];
    std::snprintf(buf, sizeof buf, R"({"t":%lld,"good":%d,"total":1000})", 1772445600LL - 60LL * i, 1000 - (i % 7));
    lines.push_back(buf);
  }
  std::string sorted = std::string(kSlo) + "\n", shuffled = sorted;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) sorted += *it + "\n";
  for (size_t i = 0; i < lines.size(); ++i) shuffled += lines[(i * 37) % lines.size()] + "\n";
  json a = decision(run(engine(), sorted)), b = decision(run(engine(), shuffled));
  CHECK(a.dump() == b.dump());
  CHECK(a["slos"][0]["samples"]["total"] == 60);
}

TEST_CASE("more than 100 bad lines: 100 errors and one that counts the rest", "[budget]") {
  std::string in = std::string(kSlo) + "\n";
  for (int i = 0; i < 150; ++i) in += R"({"t":"2026-03-02T09:00:00Z","good":-1,"total":1})" "\n";
  EvalReport r = run(engine(), in);
  REQUIRE(r.errors.size() == 101);
  CHECK(r.errors.back().code == ErrorCode::kLimitExceeded);
  CHECK(r.errors.back().message.find("50 more errors") == 0);
}

TEST_CASE("a long series reads in linear time: 200,000 one-minute samples", "[budget]") {
  // The 10-million-point run is a benchmark (docs/budget.md, "Performance"); this checks the
  // behaviour at a size a unit test affords: exact sums and a bounded time.
  const int n = 200000;
  std::string in = std::string(R"({"kind":"slo","name":"s","service":"svc","objective":99.9,"window":"200d"})") + "\n";
  in.reserve(n * 48);
  const long long end = 1772445600LL;  // kNow
  for (int i = n - 1; i >= 0; --i) {
    char buf[96];
    std::snprintf(buf, sizeof buf, R"({"t":%lld,"good":%d,"total":100})" "\n", end - 60LL * i, i % 1000 == 0 ? 90 : 100);
    in += buf;
  }
  auto t0 = std::chrono::steady_clock::now();
  EvalReport r = run(engine(), in);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(r.ok());
  json s = decision(r)["slos"][0];
  CHECK(s["events"]["total"] == 100LL * n);
  CHECK(s["events"]["bad"] == 10LL * (n / 1000));
  CHECK(s["samples"]["in_window"] == n);
  CHECK(secs < 5.0);
}

TEST_CASE("Prometheus counters from two pods: resets per series, increases summed per timestamp", "[budget]") {
  auto series = [](const char* pod, std::vector<const char*> vals) {
    std::string s = std::string(R"({"metric":{"pod":")") + pod + R"("},"values":[)";
    for (size_t i = 0; i < vals.size(); ++i) s += (i ? "," : "") + std::string("[") + std::to_string(1772445600 - 60 * (vals.size() - 1 - i)) + ",\"" + vals[i] + "\"]";
    return s + "]}";
  };
  std::string total = R"({"slo":"s","series":"total","type":"counter","response":{"status":"success","data":{"resultType":"matrix","result":[)" +
                      series("a", {"10", "20", "5", "15"}) + "," + series("b", {"100", "200", "300", "400"}) + "]}}}";
  std::string bad = R"({"slo":"s","series":"bad","type":"counter","response":{"status":"success","data":{"resultType":"matrix","result":[)" +
                    series("a", {"1", "1", "0", "1"}) + "]}}}";
  EvalReport r = run(engine(), std::string(kSlo) + "\n" + total + "\n" + bad + "\n");
  REQUIRE(r.ok());
  json s = decision(r)["slos"][0];
  // a: +10, +5 (reset), +10 = 25; b: +100 x3 = 300. bad: +0, +0 (reset to 0), +1.
  CHECK(s["events"]["total"] == 325);
  CHECK(s["events"]["bad"] == 1);
  CHECK(s["samples"]["total"] == 3);
}

TEST_CASE("OpenSLO threshold metrics are latency SLIs: lte keeps the threshold good, lt does not", "[budget]") {
  auto slo = [](const char* op) {
    return std::string(R"({"apiVersion":"openslo/v1","kind":"SLO","metadata":{"name":"lat"},"spec":{"service":"svc","budgetingMethod":"Occurrences",)"
                       R"("indicator":{"spec":{"thresholdMetric":{"metricSource":{"type":"Prometheus"}}}},"timeWindow":[{"duration":"1w","isRolling":false}],)"
                       R"("objectives":[{"target":0.9,"op":")") + op + R"(","value":0.3}]}})";
  };
  std::string data = R"({"slo":"lat","t":"2026-03-02T10:00:00Z","latency":[0.1,0.3,0.5,0.2]})";
  json lte = decision(run(engine(), slo("lte") + "\n" + data + "\n"))["slos"][0];
  json lt = decision(run(engine(), slo("lt") + "\n" + data + "\n"))["slos"][0];
  CHECK(lte["events"]["good"] == 3);
  CHECK(lt["events"]["good"] == 2);
  CHECK(lte["window"] == "week");
  CHECK(lte["window_start"] == "2026-03-02T00:00:00Z");
}

TEST_CASE("the burn-down runs from 100% at the window's start to the budget remaining now", "[budget]") {
  std::string in = std::string(kSlo) + "\n" +
                   R"({"slo":"s","start":"2026-01-31T11:00:00Z","step":"1h","count":720,"total":1000,"bad":[)";
  for (int i = 0; i < 720; ++i) in += (i ? "," : "") + std::string(i >= 540 ? "4" : "0");  // the last 180 hours burn
  in += "]}\n";
  json s = decision(run(engine(), in))["slos"][0];
  REQUIRE(s["burndown"].size() == 5);
  CHECK(s["burndown"][0]["remaining"] == 1.0);
  CHECK(s["burndown"][0]["t"] == "2026-01-31T10:00:00Z");
  CHECK(s["burndown"][3]["remaining"] == 1.0);  // 3/4 of the window: nothing spent yet
  CHECK(s["burndown"][4]["t"] == kNow);
  CHECK(s["burndown"][4]["remaining"] == s["budget_remaining"]);
  CHECK(s["budget_remaining"] == 0.0);  // 720 bad of a budget of 720
  CHECK(s["status"] == "exhausted");
  CHECK(s["freeze"] == true);
}

TEST_CASE("ErrorBudget policies are checked at load with positions", "[budget]") {
  Engine e;
  auto load = [&](const std::string& spec) {
    return e.lint(R"({"apiVersion":"verdict/v1","kind":"ErrorBudget","metadata":{"name":"x"},"spec":)" + spec + "}", "x.json");
  };
  CHECK(load(R"({})").ok());
  auto short_long = load(R"({"alerts":[{"name":"a","severity":"page","long":"5m","short":"1h","factor":2}]})");
  REQUIRE_FALSE(short_long.ok());
  CHECK(short_long.errors[0].message == "the short window must be shorter than the long window");
  auto both = load(R"({"alerts":[{"name":"a","severity":"page","long":"1h","short":"5m","factor":2,"budget_percent":2}]})");
  REQUIRE_FALSE(both.ok());
  CHECK(both.errors[0].message.find("either \"factor\"") != std::string::npos);
  auto sev = load(R"({"alerts":[{"name":"a","severity":"urgent","long":"1h","short":"5m","factor":2}]})");
  REQUIRE_FALSE(sev.ok());
  CHECK(sev.errors[0].column > 0);
  auto th = load(R"({"thresholds":[{"name":"t","actions":["notify"]}]})");
  REQUIRE_FALSE(th.ok());
  CHECK(th.errors[0].message.find("needs \"consumed\"") != std::string::npos);
  auto expr = load(R"({"thresholds":[{"name":"t","when":"slo.burn_state ==","actions":[]}]})");
  REQUIRE_FALSE(expr.ok());
  CHECK(expr.errors[0].code == ErrorCode::kSyntaxError);
  auto typo = load(R"({"thresold":[]})");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.errors[0].message.find("unknown key \"thresold\"") == 0);
}

TEST_CASE("threshold conditions see the computed status as `slo`", "[budget]") {
  Engine e;
  REQUIRE(e.load_policies(R"({"apiVersion":"verdict/v1","kind":"ErrorBudget","metadata":{"name":"x"},
    "spec":{"thresholds":[{"name":"tier1-fast","when":"slo.service == 'svc' && slo.burn_rates['1h'] > 10 && slo.events.total >= 1000","actions":["page_owner"]}]}})", "x.json").ok());
  json s = decision(run(e, std::string(kSlo) + "\n" + R"({"t":"2026-03-02T10:00:00Z","good":980,"total":1000})" "\n"))["slos"][0];
  CHECK(s["actions"] == json::array({"page_owner"}));
  CHECK(s["status"] == "exhausted");  // 20 bad of a budget of 1
}

TEST_CASE("the sample limit refuses a huge series before taking memory, and counts what it refused", "[budget]") {
  Engine e;
  REQUIRE(e.load_policies(kPolicy, "b.json").ok());
  std::string in = std::string(kSlo) + "\n" +
                   R"({"slo":"s","start":"2026-02-01T00:00:00Z","step":"1s","count":13000000,"total":1,"good":1})" "\n" +
                   R"({"slo":"s","t":"2026-03-02T10:00:00Z","good":1,"total":1})" "\n";
  EvalReport r = run(e, in);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kLimitExceeded);
  CHECK(r.errors[0].line == 2);
  // 13M > 12M: the series is refused, and so is everything after the limit was hit.
  json s = decision(r)["slos"][0];
  CHECK(s["events"]["total"] == 0);
  CHECK(s["samples"]["input_errors"] == 1);
}
