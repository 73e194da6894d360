// The ErrorBudget decision as a typed value (core/src/kinds/budget/status.h): its renderers
// against the output `verdict budget` printed before the decision was typed (tests/budget/,
// captured from the CLI at eadeb80, when it re-read the decision's JSON), the kind check, the
// `slo` variable's schema, the renamed policy keys and the one mapping of an SLI sample.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kinds/budget/sli.h"
#include "kinds/budget/status.h"
#include "time/time.h"
#include "verdict/documents.h"
#include "verdict/engine.h"

using verdict::Engine;
using verdict::ErrorCode;
using verdict::EvalOptions;
using verdict::EvalReport;
using verdict::OutputFormat;
using json = nlohmann::ordered_json;

namespace {

constexpr const char* kNow = "2025-03-14T10:00:00Z";

std::string slurp(const std::string& path) {
  std::ifstream f(std::string(VERDICT_SOURCE_DIR) + "/" + path, std::ios::binary);
  REQUIRE(f);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The inputs `verdict budget` reads in the docs' example, as one NDJSON stream (the JSON twins
// of the YAML files; JSON documents on one line each).
std::string northwind_input() {
  std::string in;
  for (const char* f : {"samples/slo/northwind-slos.json", "samples/slo/checkout-web.openslo.json", "samples/slo/orders-api.sloth.json"})
    in += json::parse(slurp(f)).dump() + "\n";
  in += slurp("samples/slo/sli-5m.ndjson");
  in += slurp("samples/slo/orders-api.prometheus.ndjson");
  return in;
}

// Four SLOs at the edges: one without data, a calendar week with quotes and markup in its
// name, a calendar month of latencies, and one with samples after `now`. The same samples as
// the input the goldens were made from.
std::string edge_input() {
  std::string in = R"({"kind":"slo","name":"nodata-slo","service":"svc-a","objective":99,"window":"7d"}
{"kind":"slo","name":"weekly \u00e9 <&> \"q\"","service":"svc-b","objective":99.5,"window":"week"}
{"kind":"slo","name":"monthly","service":"svc-c","objective":90,"window":"month","sli":{"type":"latency","threshold":0.3}}
{"kind":"slo","name":"lowobj","service":"svc-d","objective":95,"window":"30d"}
)";
  const int64_t now = *verdict::datetime::parse_rfc3339(kNow);
  const int64_t minute = 60 * verdict::datetime::kNanosPerSecond;
  for (int k = 0; k < 3000; k += 7) {
    std::string t = verdict::datetime::format_rfc3339(now - k * minute);
    in += R"({"slo":"weekly \u00e9 <&> \"q\"","t":")" + t + R"(","good":)" + std::to_string(1000 - k % 13) + R"(,"total":1000})" "\n";
    in += R"({"slo":"monthly","t":")" + t + R"(","latency":[0.1,0.2,)" + (k % 5 == 0 ? "0.5" : "0.25") + "]}\n";
    in += R"({"slo":"lowobj","t":")" + t + R"(","good":)" + (k < 120 ? "90" : "100") + R"(,"total":100})" "\n";
  }
  for (int k = 1; k <= 3; ++k)
    in += R"({"slo":"lowobj","t":")" + verdict::datetime::format_rfc3339(now + k * minute) + R"(","good":100,"total":100})" "\n";
  return in;
}

const char* kEdgePolicy = R"({"apiVersion": "verdict/v1", "kind": "ErrorBudget", "metadata": {"name": "edge-policy"},
  "spec": {
    "alerts": [{"name": "page-fast", "severity": "page", "long": "1h", "short": "5m", "factor": 25},
               {"name": "tick", "severity": "ticket", "long": "6h", "short": "30m", "budget_percent": 5}],
    "burn_rate_windows": ["5m", "1h", "6h"],
    "exhaustion_window": "6h",
    "thresholds": [
      {"name": "t-when", "when": "slo.burn_rates['1h'] > 1.0", "actions": ["notify"], "message": "burning"},
      {"name": "half", "consumed": 0.5, "actions": ["notify", "require_approval"]},
      {"name": "spent", "consumed": 1.0, "when": "slo.service != 'none'", "actions": ["halt"], "message": "halt it"}],
    "freeze_actions": ["halt"],
    "burndown_points": 7}})";

// The decision alone, as `verdict budget` prints it.
EvalReport render(Engine& e, const std::string& input, OutputFormat format, bool explain = false) {
  EvalOptions o;
  o.kind = "ErrorBudget";
  o.now = kNow;
  o.source = "in";
  o.output = format;
  o.explain = explain;
  o.decision_only = true;
  return e.evaluate(input, o);
}

Engine& with_policy(Engine& e, const std::string& text, const char* name) {
  auto r = e.load_policies(text, name);
  REQUIRE(r.ok());
  REQUIRE(r.warnings.empty());
  return e;
}

}  // namespace

TEST_CASE("budget: the sample SLOs render as verdict budget printed them before the decision was typed", "[budget][render]") {
  Engine e;
  with_policy(e, slurp("policies/budget/default.json"), "default.json");
  const std::string in = northwind_input();
  EvalReport text = render(e, in, OutputFormat::kText);
  CHECK(text.errors.empty());
  CHECK(text.worst == verdict::DecisionClass::kDenied);
  CHECK(text.json == slurp("tests/budget/northwind.txt"));
  CHECK(render(e, in, OutputFormat::kSvg).json == slurp("tests/budget/northwind.svg"));
  // The status document: the committed one, which `verdict change` reads (with its newline).
  CHECK(render(e, in, OutputFormat::kJson).json + "\n" == slurp("samples/slo/northwind-status.json"));
  CHECK(render(e, in, OutputFormat::kText, true).json == slurp("tests/budget/northwind-explain.txt"));

  // So the comparisons compare something: another `now`, other bytes.
  EvalOptions o;
  o.kind = "ErrorBudget";
  o.now = "2025-03-14T11:00:00Z";
  o.output = OutputFormat::kText;
  o.decision_only = true;
  CHECK(e.evaluate(in, o).json != text.json);
}

TEST_CASE("budget: SLOs at the edges render as before: no data, calendar windows, latencies, samples after now", "[budget][render]") {
  const std::string in = edge_input();
  SECTION("a policy with when-only thresholds, a Sloth-style alert and 7 burn-down points") {
    Engine e;
    with_policy(e, kEdgePolicy, "edge.json");
    EvalReport text = render(e, in, OutputFormat::kText);
    CHECK(text.errors.empty());
    CHECK(text.json == slurp("tests/budget/edge.txt"));
    CHECK(render(e, in, OutputFormat::kSvg).json == slurp("tests/budget/edge.svg"));
    CHECK(render(e, in, OutputFormat::kText, true).json == slurp("tests/budget/edge-explain.txt"));
    // With explain, the JSON is the status document with the trace as its last member.
    EvalReport x = render(e, in, OutputFormat::kJson, true);
    CHECK(x.json + "\n" == slurp("tests/budget/edge-explain.json"));
    json doc = json::parse(x.json);
    CHECK(doc.back().is_object());
    CHECK(doc["explain"]["thresholds"].size() == 12);  // 4 SLOs x 3 thresholds
    CHECK(doc["explain"]["thresholds"][3]["values"]["slo.burn_rates[\"1h\"]"] == 0.977778);
  }
  SECTION("the default policy") {
    Engine e;
    with_policy(e, slurp("policies/budget/default.json"), "default.json");
    CHECK(render(e, in, OutputFormat::kText).json == slurp("tests/budget/edge-default.txt"));
    CHECK(render(e, in, OutputFormat::kSvg).json == slurp("tests/budget/edge-default.svg"));
  }
  SECTION("a latency SLO of one file") {
    Engine e;
    with_policy(e, slurp("policies/budget/default.json"), "default.json");
    const std::string login = slurp("samples/slo/login-latency.ndjson");
    CHECK(render(e, login, OutputFormat::kText).json == slurp("tests/budget/login.txt"));
    CHECK(render(e, login, OutputFormat::kSvg).json == slurp("tests/budget/login.svg"));
  }
  SECTION("no burn-down series (burndown_points 0): the chart says so") {
    Engine e;
    with_policy(e, slurp("policies/budget/pyrra-windows.json"), "pyrra.json");
    const std::string north = northwind_input();
    CHECK(render(e, north, OutputFormat::kText).json == slurp("tests/budget/pyrra.txt"));
    CHECK(render(e, north, OutputFormat::kSvg).json == slurp("tests/budget/pyrra.svg"));
  }
}

TEST_CASE("budget: without now the decision is an empty status and an error", "[budget][render]") {
  Engine e;
  with_policy(e, kEdgePolicy, "edge.json");
  EvalOptions o;
  o.kind = "ErrorBudget";
  o.decision_only = true;
  EvalReport r = e.evaluate(edge_input(), o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kInvalidArgument);
  CHECK(r.json == R"({"kind":"error_budget_status","version":1,"slos":[]})");
  o.output = OutputFormat::kSvg;
  CHECK(e.evaluate(edge_input(), o).json.find("No SLOs in the input.") != std::string::npos);
}

TEST_CASE("budget: text escapes control characters from the input, the chart escapes markup", "[budget][render]") {
  Engine e;
  with_policy(e, kEdgePolicy, "edge.json");
  const std::string in = R"({"kind":"slo","name":"a\u001b[31mred","service":"<svc>&","objective":99,"window":"7d"})" "\n"
                         R"({"t":"2025-03-14T09:00:00Z","good":10,"total":10})" "\n";
  std::string text = render(e, in, OutputFormat::kText).json;
  CHECK(text.find("a\\x1b[31mred") != std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
  std::string svg = render(e, in, OutputFormat::kSvg).json;
  CHECK(svg.find("(&lt;svc&gt;&amp;)") != std::string::npos);
  CHECK(svg.find("<svc>") == std::string::npos);
}

TEST_CASE("budget: the engine renders SVG only for a kind that lists it", "[budget][render]") {
  Engine e;
  REQUIRE(e.load_policies(R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"r"},"spec":{"rules":[{"name":"a","when":"true"}]}})", "r.json").ok());
  EvalOptions o;
  o.output = OutputFormat::kSvg;
  EvalReport r = e.evaluate("{}", o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message == "Rules decisions have no SVG form");
  CHECK(r.decisions == 0);
  CHECK(r.json.empty());
}

TEST_CASE("budget: the kind check names the kind found and the kind needed", "[budget][kind]") {
  Engine e;
  REQUIRE(e.load_policies(slurp("policies/triage/default.json"), "triage.json").ok());
  EvalOptions o;
  o.kind = "ErrorBudget";
  o.now = kNow;
  EvalReport r = e.evaluate(edge_input(), o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kWrongKind);
  CHECK(r.errors[0].message.find("TriageRouting") != std::string::npos);
  CHECK(r.errors[0].message.find("ErrorBudget") != std::string::npos);
  CHECK(r.decisions == 0);

  with_policy(e, slurp("policies/budget/default.json"), "default.json");
  CHECK(e.evaluate(edge_input(), o).errors.empty());  // the only ErrorBudget policy
  with_policy(e, kEdgePolicy, "edge.json");
  r = e.evaluate(edge_input(), o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kAmbiguous);
  CHECK(r.errors[0].message.find("\"default-budget\" (ErrorBudget), \"edge-policy\" (ErrorBudget)") != std::string::npos);
  o.policy = "edge-policy";
  CHECK(e.evaluate(edge_input(), o).errors.empty());
  o.policy = "default-triage";
  CHECK(e.evaluate(edge_input(), o).errors[0].code == ErrorCode::kWrongKind);
}

TEST_CASE("budget: an unknown field of `slo` is a lint error at its position", "[budget][schema]") {
  Engine e;
  const std::string text = "{\"apiVersion\": \"verdict/v1\", \"kind\": \"ErrorBudget\", \"metadata\": {\"name\": \"x\"},\n"
                           "  \"spec\": {\"thresholds\": [\n"
                           "    {\"name\": \"t\", \"when\": \"slo.burn_rate['1h'] > 2\", \"actions\": []}]}}";
  auto r = e.lint(text, "x.json");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kUnknownName);
  CHECK(r.errors[0].message.find("unknown field 'burn_rate' of slo") == 0);
  CHECK(r.errors[0].message.find("burn_rates") != std::string::npos);  // the suggestion
  CHECK(r.errors[0].line == 3);
  CHECK(r.errors[0].column == 32);  // the 'b' of burn_rate inside the string
  // Every declared field lints, and fields below the open maps are not checked.
  std::string all;
  for (const verdict::SchemaField& f : verdict::budget::slo_schema()) all += (all.empty() ? "" : " && ") + std::string("slo.") + std::string(f.name) + " != 42";
  CHECK(e.lint(R"({"apiVersion":"verdict/v1","kind":"ErrorBudget","metadata":{"name":"x"},"spec":{"thresholds":[{"name":"t","when":")" + all +
                   R"( && slo.events.good >= 0 && slo.burn_rates['6h'] != 1","actions":[]}]}})",
               "x.json")
            .ok());
}

TEST_CASE("budget: the `slo` binding sets every field of its schema, in order, and nothing else", "[budget][schema]") {
  using namespace verdict::budget;
  BudgetSpec spec;
  spec.alerts = workbook_alerts();
  spec.burn_windows = {{"1h", 3600 * verdict::datetime::kNanosPerSecond}};
  SloStatus s;
  s.def.name = "a";
  s.def.service = "svc";
  s.def.objective = 99.9;
  s.def.window_text = "30d";
  s.has_data = true;
  s.consumed = 0.5;
  s.remaining = 0.5;
  s.compliance = 99.95;
  s.total = 1000;
  s.good = 999;
  s.bad = 1;
  s.burn_rates = {{true, 2.5}};
  s.alerts.resize(spec.alerts.size());
  s.alerts[2].firing = true;
  s.exhaustion_known = true;
  s.exhaustion_seconds = 60;
  verdict::lang::Arena arena;
  verdict::lang::Val v = bind_slo(s, spec, arena);
  REQUIRE(v.k == verdict::lang::VK::kMap);
  const verdict::Schema& schema = slo_schema();
  REQUIRE(v.map->size() == schema.size());
  for (size_t i = 0; i < schema.size(); ++i) {
    INFO(schema[i].name);
    CHECK((*v.map)[i].first == schema[i].name);
    CHECK_FALSE((*v.map)[i].second.k == verdict::lang::VK::kNull);  // an SLO with data: every field has a value
  }
  CHECK(verdict::lang::val_to_json(v) ==
        R"({"name":"a","slo":"a","service":"svc","objective":99.9,"window":"30d","status":"no_data","burn_state":"no_data",)"
        R"("budget_consumed":0.5,"budget_remaining":0.5,"compliance":99.95,"burn_rates":{"1h":2.5},)"
        R"("events":{"good":999.0,"bad":1.0,"total":1000.0},"exhaustion_seconds":60,"firing":["ticket-1d"]})");
}

TEST_CASE("budget: the old camelCase keys still load, with a warning at each key, and both spellings are an error", "[budget][policy]") {
  // The edge policy with every key in its old spelling.
  std::string old = kEdgePolicy;
  for (auto [from, to] : {std::pair<const char*, const char*>{"budget_percent", "budgetPercent"}, {"burn_rate_windows", "burnRateWindows"},
                          {"exhaustion_window", "exhaustionWindow"}, {"freeze_actions", "freezeActions"}, {"burndown_points", "burndownPoints"}}) {
    size_t at = old.find(std::string("\"") + from + "\"");
    REQUIRE(at != std::string::npos);
    old.replace(at + 1, std::string(from).size(), to);
  }
  Engine e;
  auto r = e.load_policies(old, "old.json");
  REQUIRE(r.ok());
  REQUIRE(r.warnings.size() == 5);
  CHECK(r.warnings[0].message == "\"burnRateWindows\" is the old spelling of \"burn_rate_windows\"");
  CHECK(r.warnings[0].line == 5);
  CHECK(r.warnings[0].column == 5);  // the key
  CHECK(r.warnings[1].message == "\"exhaustionWindow\" is the old spelling of \"exhaustion_window\"");
  CHECK(r.warnings[2].message == "\"freezeActions\" is the old spelling of \"freeze_actions\"");
  CHECK(r.warnings[3].message == "\"burndownPoints\" is the old spelling of \"burndown_points\"");
  CHECK(r.warnings[4].message == "\"budgetPercent\" is the old spelling of \"budget_percent\"");
  CHECK(r.warnings[4].line == 4);
  // The same decision as the snake_case policy.
  const std::string in = edge_input();
  CHECK(render(e, in, OutputFormat::kJson).json + "\n" == slurp("tests/budget/edge.json"));
  Engine snake;
  with_policy(snake, kEdgePolicy, "edge.json");
  CHECK(render(snake, in, OutputFormat::kJson).json + "\n" == slurp("tests/budget/edge.json"));

  // Both spellings at once: an error at the old one.
  auto both = e.lint(R"({"apiVersion":"verdict/v1","kind":"ErrorBudget","metadata":{"name":"x"},"spec":{"burndown_points":5,"burndownPoints":6}})", "x.json");
  REQUIRE(both.errors.size() == 1);
  CHECK(both.errors[0].code == ErrorCode::kDuplicateKey);
  CHECK(both.errors[0].message == "\"burndownPoints\" is the old spelling of \"burndown_points\": give only \"burndown_points\"");
  CHECK(both.errors[0].column == 101);
  auto alert = e.lint(R"({"apiVersion":"verdict/v1","kind":"ErrorBudget","metadata":{"name":"x"},"spec":{"alerts":[)"
                      R"({"name":"a","severity":"page","long":"1h","short":"5m","budget_percent":2,"budgetPercent":2}]}})", "x.json");
  REQUIRE_FALSE(alert.ok());
  CHECK(alert.errors[0].code == ErrorCode::kDuplicateKey);
  // Unknown keys list only the new spellings.
  auto typo = e.lint(R"({"apiVersion":"verdict/v1","kind":"ErrorBudget","metadata":{"name":"x"},"spec":{"burn_windows":[]}})", "x.json");
  REQUIRE(typo.errors.size() == 1);
  CHECK(typo.errors[0].message ==
        "unknown key \"burn_windows\" (expected one of: alerts, burn_rate_windows, exhaustion_window, thresholds, freeze_actions, burndown_points, description)");
  // The shipped policies use the new spellings.
  for (const char* p : {"policies/budget/default.json", "policies/budget/sloth-windows.json", "policies/budget/pyrra-windows.json"}) {
    INFO(p);
    auto l = e.lint(slurp(p), p);
    CHECK(l.ok());
    CHECK(l.warnings.empty());
  }
}

TEST_CASE("budget: verdict read names every SLI sample by the kind's own mapping", "[budget][samples]") {
  // Every line of the sample files that is an SLI sample (native samples; series, Prometheus
  // responses and SLO definitions are other items): `verdict read` summarises it with
  // read_sample, so its title is the SLO ErrorBudget reads and its id the sample's time.
  verdict::DocumentReader reader;
  verdict::Engine engine;
  verdict::budget::Sample s;
  std::vector<verdict::budget::SampleProblem> problems;
  size_t compared = 0, by_t = 0;
  for (const char* file : {"samples/sli.ndjson", "samples/slo/login-latency.ndjson", "samples/slo/sli-5m.ndjson",
                           "samples/slo/orders-api.prometheus.ndjson"}) {
    const std::string text = slurp(file);
    verdict::ReadOptions ro;
    ro.format = verdict::InputFormat::kNdjson;
    const verdict::ReadReport report = engine.read(text, ro);
    REQUIRE(report.ok());
    std::map<size_t, const verdict::DocumentSummary*> by_line;
    for (const auto& d : report.documents) by_line[d.line] = &d;
    reader.read_ndjson(text, [&](const verdict::StreamItem& item) {
      REQUIRE(item.document);
      verdict::Value v = item.document->root();
      const bool is_sample = verdict::budget::read_sample(v, s, problems);
      const bool other_item = v["kind"].as_string() == "slo" || v["start"].exists() || v["response"].exists();
      INFO(file << ":" << item.line);
      CHECK(is_sample != other_item);
      if (!is_sample) return true;
      CHECK(problems.empty());
      REQUIRE(by_line.count(item.line) == 1);
      const verdict::DocumentSummary& summary = *by_line[item.line];
      CHECK(summary.kind == "sli");
      CHECK(summary.title == s.slo);
      CHECK(summary.service == s.slo);
      CHECK(summary.id == verdict::text_of(v[s.time_key]));
      CHECK_FALSE(summary.id.empty());
      if (s.time_key == "t") {
        CHECK(s.latency);
        ++by_t;
      } else {
        ++compared;
      }
      return true;
    });
  }
  CHECK(compared == 480);
  CHECK(by_t == 120);
}

TEST_CASE("budget: read_sample says what is wrong, where", "[budget][samples]") {
  verdict::DocumentReader reader;
  verdict::budget::Sample s;
  std::vector<verdict::budget::SampleProblem> problems;
  std::vector<verdict::Document> docs;  // the sample's views point into its document
  docs.reserve(8);
  auto read = [&](const char* text) {
    auto doc = reader.read(text);
    REQUIRE(doc.ok());
    docs.push_back(std::move(doc).value());
    return verdict::budget::read_sample(docs.back().root(), s, problems);
  };
  CHECK(read(R"({"slo":"a","ts":1741946400,"bad":2,"total":10})"));
  CHECK(s.slo == "a");
  CHECK(s.time_key == "ts");
  CHECK(s.t == *verdict::datetime::parse_rfc3339("2025-03-14T10:00:00Z"));
  CHECK(s.good == 8);
  CHECK(s.total == 10);
  CHECK_FALSE(read(R"({"slo":"a","t":"2025-03-14T10:00:00Z","good":8,"total":10,"colour":1})"));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/colour");
  CHECK_FALSE(problems[0].named);  // before "slo" was read: it counts against no SLO
  CHECK_FALSE(read(R"({"slo":"a","t":"2025-03-14T10:00:00Z","good":"x","total":10})"));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/good");
  CHECK(problems[0].named);
  CHECK(problems[0].message == "\"good\" must be a number, not \"x\"");
  CHECK_FALSE(read(R"({"t":"2025-03-14T10:00:00Z","latency":[0.1,-1]})"));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/latency/1");
  CHECK(problems[0].code == ErrorCode::kInvalidArgument);
}
