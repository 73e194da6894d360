// The TriageRouting kind through verdict::Engine (docs/triage.md; core/src/policy/triage.cc,
// core/src/triage/canonical.cc): Alertmanager's routing semantics, matchers, time
// windows, the priority matrix, the team, the canonical incident of each input
// shape, explanations and determinism.
//
// Every policy is small and written here; every expectation is computed by hand.
// Dates: 2026-03-01 is a Sunday, so 03-02 is a Monday ... 03-06 a Friday, 03-07 a Saturday.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "verdict/engine.h"

using verdict::Engine;
using verdict::Error;
using verdict::ErrorCode;
using verdict::EvalOptions;
using verdict::EvalReport;
using verdict::InputFormat;
using verdict::LoadReport;
using json = nlohmann::ordered_json;

namespace {

constexpr const char* kNow = "2026-03-04T12:00:00Z";  // a Wednesday, noon UTC

std::string lines(std::initializer_list<std::string_view> ls) {
  std::string out;
  for (auto l : ls) {
    out.append(l);
    out.push_back('\n');
  }
  return out;
}

// "code line:column" of an error, for compact comparisons.
std::string where(const Error& e) {
  return std::string(verdict::error_code_name(e.code)) + " " + std::to_string(e.line) + ":" + std::to_string(e.column);
}

// "line:column" (1-based, in bytes) of the first occurrence of `needle` in `text`.
std::string pos_of(const std::string& text, std::string_view needle) {
  size_t off = text.find(needle);
  REQUIRE(off != std::string::npos);
  size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(off), '\n'));
  size_t bol = text.rfind('\n', off);
  size_t column = bol == std::string::npos ? off + 1 : off - bol;
  return std::to_string(line) + ":" + std::to_string(column);
}

// A TriageRouting policy document around the text of its spec object.
std::string policy(const std::string& spec, const std::string& name = "triage") {
  return "{\"apiVersion\": \"verdict/v1\", \"kind\": \"TriageRouting\", \"metadata\": {\"name\": \"" + name +
         "\", \"version\": \"1.0.0\"},\n \"spec\": " + spec + "}\n";
}

// A policy whose root route ("root") has `routes` as its children; `extra` are more
// members of the spec (windows, priority, defaults, timezone).
std::string tree(const std::string& routes, const std::string& extra = "") {
  std::string spec = "{";
  if (!extra.empty()) spec += extra + ",\n ";
  spec += "\"route\": {\"name\": \"root\", \"routes\": [\n" + routes + "\n]}}";
  return policy(spec);
}

LoadReport load_ok(Engine& engine, const std::string& text, const std::string& source = "triage.json") {
  LoadReport r = engine.load_policies(text, source);
  INFO(r.json);
  REQUIRE(r.ok());
  return r;
}

LoadReport lint(const std::string& text, const std::string& source = "triage.json") {
  Engine engine;
  return engine.lint(text, source);
}

EvalOptions options(const std::string& now, bool explain) {
  EvalOptions o;
  o.now = now;
  o.explain = explain;
  o.format = InputFormat::kJson;
  o.source = "input.json";
  return o;
}

std::vector<std::string> names_of(const json& routes) {
  std::vector<std::string> out;
  for (const auto& r : routes) out.push_back(r["name"].get<std::string>());
  return out;
}

std::string joined(const json& path) {
  std::string s;
  for (const auto& p : path) s += (s.empty() ? "" : "/") + p.get<std::string>();
  return s;
}

std::vector<std::string> paths_of(const json& routes) {
  std::vector<std::string> out;
  for (const auto& r : routes) out.push_back(joined(r["path"]));
  return out;
}

// One loaded policy and its decisions.
class Triage {
 public:
  explicit Triage(const std::string& text) { load_ok(engine_, text); }

  json result(std::string_view input, const std::string& now = kNow, bool explain = false) {
    EvalReport r = engine_.evaluate(input, options(now, explain));
    INFO(input);
    INFO(r.json);
    REQUIRE(r.ok());
    REQUIRE(r.decisions == 1);
    return json::parse(r.json);
  }
  json decide(std::string_view input, const std::string& now = kNow) { return result(input, now)["decision"]; }
  json explain(std::string_view input, const std::string& now = kNow) { return result(input, now, true)["explain"]; }
  // The names of every matched route (decision.routes), in order.
  std::vector<std::string> matched(std::string_view input, const std::string& now = kNow) {
    return names_of(decide(input, now)["routes"]);
  }
  Engine& engine() { return engine_; }

 private:
  Engine engine_;
};

using Names = std::vector<std::string>;

}  // namespace

// ---------------------------------------------------------------------------
// The routing tree: Alertmanager's semantics

TEST_CASE("triage: the root route matches every input and its matchers are ignored with a warning", "[triage]") {
  const std::string text =
      policy(R"({"route": {"name": "top", "matchers": ["service=\"never\""], "when": "false", "team": "root-team"}})");
  Engine engine;
  LoadReport r = load_ok(engine, text);
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].code == ErrorCode::kInvalidPolicy);
  CHECK_THAT(r.warnings[0].message, Catch::Contains("root route matches every input"));
  CHECK(where(r.warnings[0]) == "invalid_policy " + pos_of(text, R"({"name": "top")"));

  LoadReport l = lint(text);
  CHECK(l.errors.empty());
  CHECK(l.warnings.size() == 1);

  Triage t(text);
  for (std::string_view input : {"{}", R"({"service": "never"})", R"({"service": "payments"})"}) {
    INFO(input);
    json d = t.decide(input);
    CHECK(d["route"].dump() == R"({"name":"top","path":["top"]})");
    CHECK(d["routes"].dump() == R"([{"name":"top","path":["top"]}])");
    CHECK(d["team"] == "root-team");
    CHECK(d["team_from"] == "route");
    CHECK(d["reasons"][0] == "route top");
  }

  // An unnamed root is "root", and a root without matchers gives no warning.
  Engine plain;
  CHECK(load_ok(plain, policy(R"({"route": {}})")).warnings.empty());
  Triage unnamed(policy(R"({"route": {}})"));
  CHECK(unnamed.decide("{}")["route"].dump() == R"({"name":"root","path":["root"]})");
}

TEST_CASE("triage: routes are tried depth-first", "[triage]") {
  Triage t(tree(R"(
    {"name": "a", "matchers": ["service=\"payments\""], "continue": true, "routes": [
      {"name": "a1", "matchers": ["ci=\"db\""]},
      {"name": "a2", "matchers": ["ci=~\".*\""]}
    ]},
    {"name": "b", "matchers": ["severity=\"critical\""]})"));

  const std::string both = R"({"service": "payments", "ci": "db", "severity": "critical"})";
  json d = t.decide(both);
  CHECK(paths_of(d["routes"]) == Names{"root/a/a1", "root/b"});
  CHECK(d["route"].dump() == R"({"name":"a1","path":["root","a","a1"]})");
  // a's subtree (a1; a2 is not tried after a1 matched) comes before a's sibling b.
  CHECK(paths_of(t.explain(both)["routes"]) == Names{"root", "root/a", "root/a/a1", "root/b"});

  const std::string web = R"({"service": "payments", "ci": "web"})";
  d = t.decide(web);
  CHECK(paths_of(d["routes"]) == Names{"root/a/a2"});
  CHECK(paths_of(t.explain(web)["routes"]) == Names{"root", "root/a", "root/a/a1", "root/a/a2", "root/b"});
}

TEST_CASE("triage: the first matching child wins and later siblings are not tried", "[triage]") {
  Triage t(tree(R"(
    {"name": "x", "matchers": ["severity=\"critical\""], "team": "x-team"},
    {"name": "y", "matchers": ["severity=~\"crit.*\""], "team": "y-team"},
    {"name": "z", "team": "z-team"})"));

  json d = t.decide(R"({"severity": "critical"})");
  CHECK(d["route"].dump() == R"({"name":"x","path":["root","x"]})");
  CHECK(names_of(d["routes"]) == Names{"x"});
  CHECK(d["team"] == "x-team");
  json e = t.explain(R"({"severity": "critical"})");
  CHECK(paths_of(e["routes"]) == Names{"root", "root/x"});

  CHECK(t.matched(R"({"severity": "critically"})") == Names{"y"});
  CHECK(paths_of(t.explain(R"({"severity": "critically"})")["routes"]) == Names{"root", "root/x", "root/y"});

  CHECK(t.matched("{}") == Names{"z"});
  e = t.explain("{}");
  CHECK(paths_of(e["routes"]) == Names{"root", "root/x", "root/y", "root/z"});
  CHECK(e["routes"][1]["matched"] == false);
  CHECK(e["routes"][3]["matched"] == true);
}

TEST_CASE("triage: continue lets later siblings match, the decision follows the first", "[triage]") {
  Triage t(tree(R"(
    {"name": "x", "matchers": ["severity=\"critical\""], "team": "x-team", "notify": "page", "continue": true},
    {"name": "y", "matchers": ["service=\"api\""], "team": "y-team"},
    {"name": "z", "team": "z-team"})"));

  const std::string both = R"({"severity": "critical", "service": "api"})";
  json d = t.decide(both);
  CHECK(d["routes"].dump() == R"([{"name":"x","path":["root","x"]},{"name":"y","path":["root","y"]}])");
  CHECK(d["route"].dump() == R"({"name":"x","path":["root","x"]})");
  CHECK(d["team"] == "x-team");
  CHECK(d["notify"] == "page");
  // y matched without continue: z is not tried.
  CHECK(paths_of(t.explain(both)["routes"]) == Names{"root", "root/x", "root/y"});

  d = t.decide(R"({"severity": "critical", "service": "web"})");
  CHECK(names_of(d["routes"]) == Names{"x", "z"});
  CHECK(d["route"]["name"] == "x");
  CHECK(d["team"] == "x-team");

  d = t.decide(R"({"service": "api"})");
  CHECK(names_of(d["routes"]) == Names{"y"});
  CHECK(d["team"] == "y-team");
  CHECK(d["notify"].is_null());
}

TEST_CASE("triage: a route whose children do not match is itself the match", "[triage]") {
  Triage t(tree(R"(
    {"name": "payments", "matchers": ["service=\"payments\""], "team": "payments-team", "routes": [
      {"name": "db", "matchers": ["ci=~\"pg-.*\""], "team": "dba-team"}
    ]})",
                R"("defaults": {"team": "desk"})"));

  json d = t.decide(R"({"service": "payments", "ci": "web-1"})");
  CHECK(d["route"].dump() == R"({"name":"payments","path":["root","payments"]})");
  CHECK(names_of(d["routes"]) == Names{"payments"});
  CHECK(d["team"] == "payments-team");
  CHECK(d["reasons"][0] == R"(route root/payments; service="payments")");

  d = t.decide(R"({"service": "payments", "ci": "pg-1"})");
  CHECK(d["route"].dump() == R"({"name":"db","path":["root","payments","db"]})");
  CHECK(d["team"] == "dba-team");

  // No child of the root matches: the root is the match.
  d = t.decide(R"({"service": "web"})");
  CHECK(d["route"].dump() == R"({"name":"root","path":["root"]})");
  CHECK(d["routes"].dump() == R"([{"name":"root","path":["root"]}])");
  CHECK(d["team"] == "desk");
  CHECK(d["team_from"] == "default");
}

TEST_CASE("triage: settings inherit from the parent and labels merge along the path", "[triage]") {
  Triage t(policy(R"({
    "defaults": {"team": "desk", "escalation": "desk-esc", "notify": "ticket", "runbook": "rb-default", "labels": {"z": "0", "a": "default"}},
    "route": {"name": "root", "escalation": "root-esc", "runbook": "rb-root", "labels": {"a": "root", "b": "root"}, "routes": [
      {"name": "p", "matchers": ["service=\"payments\""], "team": "p-team", "notify": "page", "labels": {"b": "p", "c": "p"},
       "priority_adjust": -1, "routes": [
        {"name": "g", "matchers": ["ci=\"db\""], "escalation": "g-esc", "labels": {"d": "g"}},
        {"name": "h", "matchers": ["ci=\"cache\""], "team": "h-team", "notify": "none", "runbook": "rb-h", "priority_adjust": 1}
      ]}
    ]}})"));

  json d = t.decide(R"({"service": "payments", "ci": "db"})");
  CHECK(d["route"]["name"] == "g");
  CHECK(d["team"] == "p-team");
  CHECK(d["team_from"] == "route");
  CHECK(d["escalation"] == "g-esc");
  CHECK(d["notify"] == "page");
  CHECK(d["runbook"] == "rb-root");
  CHECK(d["labels"].dump() == R"({"z":"0","a":"root","b":"p","c":"p","d":"g"})");
  CHECK(d["priority"]["number"] == 2);  // medium/medium 3, adjusted by -1 (inherited from p)
  CHECK(d["priority"]["name"] == "P2");
  CHECK(d["priority"]["before_adjustment"] == "P3");

  d = t.decide(R"({"service": "payments", "ci": "web"})");
  CHECK(d["route"]["name"] == "p");
  CHECK(d["team"] == "p-team");
  CHECK(d["escalation"] == "root-esc");
  CHECK(d["notify"] == "page");
  CHECK(d["runbook"] == "rb-root");
  CHECK(d["labels"].dump() == R"({"z":"0","a":"root","b":"p","c":"p"})");
  CHECK(d["priority"]["number"] == 2);

  // A child overrides only what it sets: h's priority_adjust replaces p's.
  d = t.decide(R"({"service": "payments", "ci": "cache"})");
  CHECK(d["route"]["name"] == "h");
  CHECK(d["team"] == "h-team");
  CHECK(d["escalation"] == "root-esc");
  CHECK(d["notify"] == "none");
  CHECK(d["runbook"] == "rb-h");
  CHECK(d["labels"].dump() == R"({"z":"0","a":"root","b":"p","c":"p"})");
  CHECK(d["priority"]["number"] == 4);
  CHECK(d["priority"]["before_adjustment"] == "P3");

  d = t.decide("{}");
  CHECK(d["route"]["name"] == "root");
  CHECK(d["team"] == "desk");
  CHECK(d["team_from"] == "default");
  CHECK(d["escalation"] == "root-esc");
  CHECK(d["notify"] == "ticket");
  CHECK(d["runbook"] == "rb-root");
  CHECK(d["labels"].dump() == R"({"z":"0","a":"root","b":"root"})");
  CHECK(d["priority"].dump() ==
        R"({"number":3,"name":"P3","impact":"medium","urgency":"medium","impact_from":"default","urgency_from":"default"})");
}

// ---------------------------------------------------------------------------
// Matchers

TEST_CASE("triage: matchers =, !=, =~ and !~, regexes anchored at both ends", "[triage]") {
  Triage t(tree(R"(
    {"name": "eq", "matchers": ["service=\"payments-api\""], "continue": true},
    {"name": "ne", "matchers": ["service!=\"payments-api\""], "continue": true},
    {"name": "re", "matchers": ["service=~\"pay.*\""], "continue": true},
    {"name": "re-pay", "matchers": ["service=~\"pay\""], "continue": true},
    {"name": "re-api", "matchers": ["service=~\"api\""], "continue": true},
    {"name": "nre", "matchers": ["service!~\"pay.*\""], "continue": true})"));

  CHECK(t.matched(R"({"service": "payments-api"})") == Names{"eq", "re"});
  CHECK(t.matched(R"({"service": "pay"})") == Names{"ne", "re", "re-pay"});
  CHECK(t.matched(R"({"service": "api"})") == Names{"ne", "re-api", "nre"});
  CHECK(t.matched(R"({"service": "prepay"})") == Names{"ne", "nre"});
}

TEST_CASE("triage: a missing label is the empty string", "[triage]") {
  Triage t(tree(R"(
    {"name": "eq-empty", "matchers": ["team=\"\""], "continue": true},
    {"name": "ne-empty", "matchers": ["team!=\"\""], "continue": true},
    {"name": "nre-any", "matchers": ["team!~\".+\""], "continue": true},
    {"name": "re-any", "matchers": ["team=~\".*\""], "continue": true})"));

  CHECK(t.matched("{}") == Names{"eq-empty", "nre-any", "re-any"});
  CHECK(t.matched(R"({"team": null})") == Names{"eq-empty", "nre-any", "re-any"});
  CHECK(t.matched(R"({"team": "sre"})") == Names{"ne-empty", "re-any"});
  CHECK(t.matched(R"({"labels": {"team": "sre"}})") == Names{"ne-empty", "re-any"});
}

TEST_CASE("triage: a matcher reads labels.NAME, then the field NAME, then a dotted path", "[triage]") {
  Triage t(tree(R"(
    {"name": "label", "matchers": ["service=\"from-label\""], "continue": true},
    {"name": "field", "matchers": ["service=\"from-field\""], "continue": true},
    {"name": "path", "matchers": ["annotations.summary=\"disk full\""], "continue": true},
    {"name": "labels-path", "matchers": ["labels.team=\"sre\""], "continue": true})"));

  CHECK(t.matched(R"({"service": "from-field", "labels": {"service": "from-label", "team": "sre"},
                      "annotations": {"summary": "disk full"}})") == Names{"label", "path", "labels-path"});
  CHECK(t.matched(R"({"service": "from-field", "annotations": {"summary": "disk"}})") == Names{"field"});
  // A label whose name has a dot comes before the path.
  CHECK(t.matched(R"({"labels": {"annotations.summary": "disk full"}, "annotations": {"summary": "x"}})") ==
        Names{"path"});
}

TEST_CASE("triage: numbers and booleans are matched as their JSON text", "[triage]") {
  Triage t(tree(R"(
    {"name": "exact", "matchers": ["affected_users=\"1200\""], "continue": true},
    {"name": "four-digits", "matchers": ["affected_users=~\"[0-9]{4,}\""], "continue": true},
    {"name": "vip", "matchers": ["custom.vip=\"true\""], "continue": true})"));

  CHECK(t.matched(R"({"affected_users": 1200, "custom": {"vip": true}})") == Names{"exact", "four-digits", "vip"});
  CHECK(t.matched(R"({"affected_users": "1200"})") == Names{"exact", "four-digits"});
  CHECK(t.matched(R"({"affected_users": 12000})") == Names{"four-digits"});
  CHECK(t.matched(R"({"affected_users": 999, "custom": {"vip": false}})") == Names{"root"});
}

TEST_CASE("triage: quoted values with escapes, unquoted values, and ' is no quote (as in Alertmanager)", "[triage]") {
  // The matcher strings, once the JSON escapes are read: title="say \"hi\"",
  // title='it\'s', severity=critical, environment = prod, ci=~"db-\d+". Alertmanager quotes
  // with " only: title='it\'s' is the value 'it\'s' (a spurious escape keeps its backslash).
  Triage t(tree(R"(
    {"name": "escaped", "matchers": ["title=\"say \\\"hi\\\"\""], "continue": true},
    {"name": "single", "matchers": ["title='it\\'s'"], "continue": true},
    {"name": "unquoted", "matchers": ["severity=critical"], "continue": true},
    {"name": "spaced", "matchers": ["environment = prod"], "continue": true},
    {"name": "regex-escape", "matchers": ["ci=~\"db-\\d+\""], "continue": true})"));

  CHECK(t.matched(R"({"title": "say \"hi\""})") == Names{"escaped"});
  CHECK(t.matched(R"({"title": "say hi"})") == Names{"root"});
  CHECK(t.matched(R"({"title": "it's"})") == Names{"root"});
  CHECK(t.matched(R"({"title": "'it\\'s'"})") == Names{"single"});
  CHECK(t.matched(R"({"severity": "critical", "environment": "prod", "ci": "db-12"})") ==
        Names{"unquoted", "spaced", "regex-escape"});
  CHECK(t.matched(R"({"ci": "db-x", "environment": "prod "})") == Names{"root"});
}

TEST_CASE("triage: a matcher that does not parse or a bad regex is a load error at the matcher", "[triage]") {
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "TriageRouting", "metadata": {"name": "m"},)",
      R"( "spec": {"route": {"routes": [)",
      R"(  {"name": "a", "matchers": ["service"]},)",
      R"(  {"name": "b", "matchers": ["service=\"pay"]},)",
      R"(  {"name": "c", "matchers": ["service=~\"pay(\""]},)",
      R"(  {"name": "d", "matchers": ["service=\"a\" b"]},)",
      R"(  {"name": "e", "any": ["=\"x\""]},)",
      R"(  {"name": "f", "matchers": ["ok=\"1\"", 42]})",
      R"( ]}}})",
  });
  Engine engine;
  LoadReport r = engine.load_policies(text, "m.json");
  CHECK_FALSE(r.ok());
  CHECK(engine.policy_names().empty());
  std::vector<std::string> got;
  for (const auto& e : r.errors) got.push_back(where(e));
  CHECK(got == Names{"invalid_policy 3:30", "invalid_policy 4:30", "invalid_regex 5:30", "invalid_policy 6:30",
                     "invalid_policy 7:25", "invalid_policy 8:42"});
  REQUIRE(r.errors.size() == 6);
  CHECK_THAT(r.errors[0].message, Catch::Contains("expected =, !=, =~ or !~"));
  CHECK_THAT(r.errors[1].message, Catch::Contains("unterminated"));
  CHECK_THAT(r.errors[2].message, Catch::Contains("invalid regex"));
  CHECK_THAT(r.errors[3].message, Catch::Contains("unexpected text after the value"));
  CHECK_THAT(r.errors[4].message, Catch::Contains("label name"));
  CHECK(r.errors[0].source == "m.json");
  CHECK_THAT(r.errors[0].to_string(), Catch::StartsWith("m.json:3:30: "));
  CHECK(text.substr(static_cast<size_t>(r.errors[0].offset), 9) == "\"service\"");
  CHECK(text.substr(static_cast<size_t>(r.errors[2].offset), 9) == "\"service=");

  LoadReport l = lint(text, "m.json");
  CHECK(l.errors.size() == 6);
}

TEST_CASE("triage: any needs one of its matchers, matchers need all", "[triage]") {
  Triage t(tree(R"(
    {"name": "hot", "matchers": ["environment=\"prod\""], "any": ["severity=\"critical\"", "service=~\"pay.*\""]},
    {"name": "any-only", "any": ["severity=\"critical\"", "service=~\"pay.*\""]})"));

  CHECK(t.matched(R"({"environment": "prod", "severity": "critical"})") == Names{"hot"});
  CHECK(t.matched(R"({"environment": "prod", "service": "payments"})") == Names{"hot"});
  CHECK(t.matched(R"({"environment": "prod", "severity": "critical", "service": "payments"})") == Names{"hot"});
  CHECK(t.matched(R"({"environment": "prod"})") == Names{"root"});
  CHECK(t.matched(R"({"environment": "dev", "severity": "critical"})") == Names{"any-only"});
  CHECK(t.matched(R"({"service": "payments"})") == Names{"any-only"});
  CHECK(t.matched("{}") == Names{"root"});
}

// ---------------------------------------------------------------------------
// Time windows

namespace {

// One leaf route per window, each with continue: the matched routes are the windows
// that contain `now` (or just "root").
const std::string kWindowRoutes = R"(
    {"name": "bh", "active_windows": ["bh"], "continue": true},
    {"name": "lunch", "active_windows": ["lunch"], "continue": true},
    {"name": "weekend", "active_windows": ["weekend"], "continue": true},
    {"name": "night", "active_windows": ["night"], "continue": true})";

const std::string kWindows = R"("windows": {
    "bh": {"times": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00"}]},
    "lunch": {"times": [{"start": "12:00", "end": "13:00"}]},
    "weekend": {"times": [{"days": ["sat", "sun"]}]},
    "night": {"times": [{"days": ["fri"], "start": "22:00", "end": "06:00"}]}
  })";

}  // namespace

TEST_CASE("triage: window days, start and an exclusive end", "[triage]") {
  Triage t(tree(kWindowRoutes, kWindows));
  CHECK(t.matched("{}", "2026-03-02T07:59:00Z") == Names{"root"});  // Monday
  CHECK(t.matched("{}", "2026-03-02T08:00:00Z") == Names{"bh"});
  CHECK(t.matched("{}", "2026-03-02T12:30:00Z") == Names{"bh", "lunch"});
  CHECK(t.matched("{}", "2026-03-02T13:00:00Z") == Names{"bh"});
  CHECK(t.matched("{}", "2026-03-02T17:59:59Z") == Names{"bh"});
  CHECK(t.matched("{}", "2026-03-02T18:00:00Z") == Names{"root"});
  CHECK(t.matched("{}", "2026-03-07T00:00:00Z") == Names{"weekend", "night"});  // Saturday, whole day (and Friday's night)
  CHECK(t.matched("{}", "2026-03-07T09:00:00Z") == Names{"weekend"});
  CHECK(t.matched("{}", "2026-03-08T12:30:00Z") == Names{"lunch", "weekend"});  // Sunday
  CHECK(t.matched("{}", "2026-03-08T23:59:59Z") == Names{"weekend"});
  CHECK(t.matched("{}", "2026-03-09T00:00:00Z") == Names{"root"});  // Monday
}

TEST_CASE("triage: a window range that wraps past midnight", "[triage]") {
  Triage t(tree(kWindowRoutes, kWindows));
  // night: Friday 22:00 to Saturday 06:00.
  CHECK(t.matched("{}", "2026-03-06T21:59:00Z") == Names{"root"});
  CHECK(t.matched("{}", "2026-03-06T22:00:00Z") == Names{"night"});
  CHECK(t.matched("{}", "2026-03-06T23:30:00Z") == Names{"night"});
  CHECK(t.matched("{}", "2026-03-07T05:59:00Z") == Names{"weekend", "night"});
  CHECK(t.matched("{}", "2026-03-07T06:00:00Z") == Names{"weekend"});
  // The morning part belongs to the day before's range: Friday morning is Thursday's night.
  CHECK(t.matched("{}", "2026-03-06T05:59:00Z") == Names{"root"});
  // Saturday is not in the days: no night from Saturday to Sunday.
  CHECK(t.matched("{}", "2026-03-07T23:00:00Z") == Names{"weekend"});
  CHECK(t.matched("{}", "2026-03-08T03:00:00Z") == Names{"weekend"});
  CHECK(t.matched("{}", "2026-03-05T23:00:00Z") == Names{"root"});  // Thursday evening
}

TEST_CASE("triage: window timezones and the spec's default timezone", "[triage]") {
  Triage t(tree(R"(
    {"name": "local", "active_windows": ["bh_local"], "continue": true},
    {"name": "utc", "active_windows": ["bh_utc"], "continue": true},
    {"name": "ny", "active_windows": ["bh_ny"], "continue": true},
    {"name": "tue", "active_windows": ["tue"], "continue": true})",
                R"("timezone": "+01:00",
  "windows": {
    "bh_local": {"times": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00"}]},
    "bh_utc": {"timezone": "UTC", "times": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00"}]},
    "bh_ny": {"timezone": "-05:00", "times": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00"}]},
    "tue": {"times": [{"days": ["tue"]}]}
  })"));

  // Monday 07:30 UTC = 08:30 at +01:00 = 02:30 at -05:00.
  CHECK(t.matched("{}", "2026-03-02T07:30:00Z") == Names{"local"});
  CHECK(t.matched("{}", "2026-03-02T08:30:00+01:00") == Names{"local"});
  // Monday 17:30 UTC = 18:30 at +01:00 = 12:30 at -05:00.
  CHECK(t.matched("{}", "2026-03-02T17:30:00Z") == Names{"utc", "ny"});
  // Monday 23:30 UTC is already Tuesday 00:30 at +01:00.
  CHECK(t.matched("{}", "2026-03-02T23:30:00Z") == Names{"tue"});
  // Tuesday 23:30 UTC is Wednesday at +01:00, 18:30 Tuesday in New York.
  CHECK(t.matched("{}", "2026-03-03T23:30:00Z") == Names{"root"});
  // Tuesday 22:30 UTC: 23:30 Tuesday at +01:00, 17:30 Tuesday in New York.
  CHECK(t.matched("{}", "2026-03-03T22:30:00Z") == Names{"ny", "tue"});
}

TEST_CASE("triage: active_windows and mute_windows", "[triage]") {
  Triage t(tree(R"(
    {"name": "office", "active_windows": ["bh", "sat-morning"], "continue": true},
    {"name": "not-at-night", "mute_windows": ["night"], "continue": true},
    {"name": "office-not-lunch", "active_windows": ["bh"], "mute_windows": ["lunch"], "continue": true})",
                R"("windows": {
    "bh": {"times": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00"}]},
    "sat-morning": {"times": [{"days": ["sat"], "start": "08:00", "end": "12:00"}]},
    "lunch": {"times": [{"start": "12:00", "end": "13:00"}]},
    "night": {"times": [{"start": "22:00", "end": "06:00"}]}
  })"));

  CHECK(t.matched("{}", "2026-03-02T09:00:00Z") == Names{"office", "not-at-night", "office-not-lunch"});
  CHECK(t.matched("{}", "2026-03-02T12:30:00Z") == Names{"office", "not-at-night"});
  CHECK(t.matched("{}", "2026-03-02T23:00:00Z") == Names{"root"});
  CHECK(t.matched("{}", "2026-03-03T05:00:00Z") == Names{"root"});
  CHECK(t.matched("{}", "2026-03-07T10:00:00Z") == Names{"office", "not-at-night"});
  CHECK(t.matched("{}", "2026-03-07T14:00:00Z") == Names{"not-at-night"});
}

TEST_CASE("triage: without now a route with active_windows does not match", "[triage]") {
  Triage t(tree(R"(
    {"name": "office", "active_windows": ["bh"], "team": "office-team"},
    {"name": "rest", "team": "rest-team"})",
                R"("windows": {"bh": {"times": [{"start": "00:00", "end": "24:00"}]}})"));

  CHECK(t.matched("{}", "2026-03-02T09:00:00Z") == Names{"office"});
  json r = t.result("{}", "");
  CHECK_FALSE(r.contains("now"));
  CHECK(names_of(r["decision"]["routes"]) == Names{"rest"});
  CHECK(r["decision"]["team"] == "rest-team");
}

TEST_CASE("triage: windows.NAME in a when expression", "[triage]") {
  Triage t(tree(R"(
    {"name": "bh-critical", "when": "windows.bh && incident.severity == 'critical'", "notify": "page"},
    {"name": "off-hours-critical", "when": "!windows.bh && incident.severity == 'critical'", "notify": "ticket"})",
                R"("windows": {"bh": {"times": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00"}]}})"));

  const std::string critical = R"({"severity": "critical"})";
  json d = t.decide(critical, "2026-03-02T09:00:00Z");
  CHECK(d["route"]["name"] == "bh-critical");
  CHECK(d["notify"] == "page");
  d = t.decide(critical, "2026-03-07T09:00:00Z");
  CHECK(d["route"]["name"] == "off-hours-critical");
  CHECK(d["notify"] == "ticket");
  CHECK(t.matched(R"({"severity": "low"})", "2026-03-02T09:00:00Z") == Names{"root"});

  json e = t.explain(critical, "2026-03-02T09:00:00Z");
  REQUIRE(e["routes"].size() >= 2);
  CHECK(e["routes"][1]["when"] == "windows.bh && incident.severity == 'critical'");
  CHECK(e["routes"][1]["values"]["windows.bh"] == true);
  CHECK(e["routes"][1]["values"]["incident.severity"] == "critical");
}

TEST_CASE("triage: invalid windows are load errors", "[triage]") {
  auto text_with = [](const std::string& window, const std::string& route_windows) {
    return lines({
        R"({"apiVersion": "verdict/v1", "kind": "TriageRouting", "metadata": {"name": "w"}, "spec": {)",
        " \"windows\": {\"w\": " + window + "},",
        R"( "route": {"routes": [{"name": "r", "active_windows": [)" + route_windows + "]}]}}}",
    });
  };
  struct Case {
    std::string window, route_windows, code, at, message;
  };
  const std::vector<Case> cases = {
      {R"({"times": [{"days": ["mon", "funday"]}]})", R"("w")", "invalid_policy", R"("funday")", "a day is mon"},
      {R"({"times": [{"days": [1]}]})", R"("w")", "invalid_policy", "1]", "a day is mon"},
      {R"({"times": [{"start": "25:00", "end": "18:00"}]})", R"("w")", "invalid_policy", R"("25:00")", "HH:MM"},
      {R"({"times": [{"start": "12:60"}]})", R"("w")", "invalid_policy", R"("12:60")", "HH:MM"},
      {R"({"times": [{"start": "8:00"}]})", R"("w")", "invalid_policy", R"("8:00")", "HH:MM"},
      {R"({"times": [{"end": "noon"}]})", R"("w")", "invalid_policy", R"("noon")", "HH:MM"},
      {R"({"times": [{"days": ["mon"], "start": "08:00", "end": "08:00"}]})", R"("w")", "invalid_policy",
       R"({"days": ["mon"], "start")", "start and end are equal"},
      {R"({"timezone": "+25:00", "times": []})", R"("w")", "invalid_policy", R"("+25:00")", "UTC offset"},
      {R"({"times": []})", R"("w", "nope")", "unknown_name", R"("nope")", "no window of that name"},
  };
  for (const Case& c : cases) {
    const std::string text = text_with(c.window, c.route_windows);
    INFO(text);
    LoadReport r = lint(text);
    REQUIRE(r.errors.size() == 1);
    CHECK(where(r.errors[0]) == c.code + " " + pos_of(text, c.at));
    CHECK_THAT(r.errors[0].message, Catch::Contains(c.message));
    Engine engine;
    CHECK_FALSE(engine.load_policies(text, "triage.json").ok());
    CHECK(engine.policy_names().empty());
  }
  // The valid forms of the same policy load.
  CHECK(lint(text_with(R"({"times": [{"days": ["mon", "sun"], "start": "00:00", "end": "24:00"}]})", R"("w")")).ok());
}

TEST_CASE("triage: a day name is one of mon..sun, not any word starting with one", "[triage]") {
  // day_bit() keeps the first three letters, so "monkey" and "sunshine" are read as mon and sun.
  const std::string text = policy(
      R"({"windows": {"w": {"times": [{"days": ["monkey", "sunshine"]}]}}, "route": {"routes": [{"name": "r", "active_windows": ["w"]}]}})");
  LoadReport r = lint(text);
  CHECK(r.errors.size() == 2);
}

// ---------------------------------------------------------------------------
// Priority

TEST_CASE("triage: the default 3x3 matrix, cell by cell", "[triage]") {
  Triage t(policy(R"({"route": {}})"));
  const char* const levels[] = {"high", "medium", "low"};
  const int expected[3][3] = {{1, 2, 3}, {2, 3, 4}, {3, 4, 5}};
  for (int i = 0; i < 3; ++i) {
    for (int u = 0; u < 3; ++u) {
      const std::string input = std::string(R"({"impact": ")") + levels[i] + R"(", "urgency": ")" + levels[u] + "\"}";
      INFO(input);
      json p = t.decide(input)["priority"];
      CHECK(p["number"] == expected[i][u]);
      CHECK(p["name"] == "P" + std::to_string(expected[i][u]));
      CHECK(p["impact"] == levels[i]);
      CHECK(p["urgency"] == levels[u]);
      CHECK(p["impact_from"] == "input");
      CHECK(p["urgency_from"] == "input");
      CHECK_FALSE(p.contains("before_adjustment"));
    }
  }
  json d = t.decide(R"({"impact": "high", "urgency": "low"})");
  CHECK(d["reasons"].dump() == R"(["route root","impact high from the input","urgency low from the input"])");
}

TEST_CASE("triage: impact and urgency are matched case-insensitively", "[triage]") {
  Triage t(policy(R"({"route": {}})"));
  json p = t.decide(R"({"impact": "HIGH", "urgency": "Medium"})")["priority"];
  CHECK(p.dump() == R"({"number":2,"name":"P2","impact":"high","urgency":"medium","impact_from":"input","urgency_from":"input"})");
  p = t.decide(R"({"impact": "lOw", "urgency": "LOW"})")["priority"];
  CHECK(p["number"] == 5);
}

TEST_CASE("triage: an input value not in the matrix falls to derive, then default", "[triage]") {
  Triage plain(policy(R"({"route": {}})"));
  json d = plain.decide(R"({"impact": "critical", "urgency": "low"})");
  CHECK(d["priority"].dump() ==
        R"({"number":4,"name":"P4","impact":"medium","urgency":"low","impact_from":"default","urgency_from":"input"})");
  CHECK(d["reasons"][1] == R"(impact "critical" in the input is not one of the matrix's values)");

  Triage derived(policy(R"({"priority": {"derive": {"impact": [
      {"when": "incident.severity == 'sev1'", "value": "high", "reason": "sev1"}]}},
    "route": {}})"));
  d = derived.decide(R"({"impact": "critical", "urgency": "high", "severity": "sev1"})");
  CHECK(d["priority"]["number"] == 1);
  CHECK(d["priority"]["impact"] == "high");
  CHECK(d["priority"]["impact_from"] == "derive: sev1");
  CHECK(d["reasons"].dump() ==
        R"(["route root","impact \"critical\" in the input is not one of the matrix's values","impact high derived: sev1","urgency high from the input"])");
}

TEST_CASE("triage: a non-string impact in the input is reported as not one of the matrix's values", "[triage]") {
  // level() reads the field with as_string(), so a number (or bool) is skipped silently:
  // the priority falls to the default as it should, but no reason says the input's value
  // was not used, unlike a string that is not in the lists.
  Triage t(policy(R"({"route": {}})"));
  json d = t.decide(R"({"impact": 1, "urgency": "high"})");
  CHECK(d["priority"]["impact"] == "medium");
  CHECK(d["priority"]["impact_from"] == "default");
  CHECK(d["reasons"].dump() ==
        R"(["route root","impact \"1\" in the input is not one of the matrix's values","urgency high from the input"])");
}

TEST_CASE("triage: derive rules, the first that holds wins, the input wins over derive", "[triage]") {
  Triage t(policy(R"({"priority": {"derive": {
      "impact": [
        {"when": "incident.severity == 'critical'", "value": "high", "reason": "critical severity"},
        {"when": "incident.severity in ['critical', 'major']", "value": "medium", "reason": "major severity"}
      ],
      "urgency": [{"when": "incident.environment == 'prod'", "value": "high"}]}},
    "route": {}})"));

  json d = t.decide(R"({"severity": "critical", "environment": "prod"})");
  CHECK(d["priority"].dump() == R"({"number":1,"name":"P1","impact":"high","urgency":"high",)"
                                R"("impact_from":"derive: critical severity","urgency_from":"derive: incident.environment == 'prod'"})");
  CHECK(d["reasons"].dump() ==
        R"(["route root","impact high derived: critical severity","urgency high derived: incident.environment == 'prod'"])");

  d = t.decide(R"({"severity": "major"})");
  CHECK(d["priority"]["number"] == 3);
  CHECK(d["priority"]["impact"] == "medium");
  CHECK(d["priority"]["impact_from"] == "derive: major severity");
  CHECK(d["priority"]["urgency_from"] == "default");

  d = t.decide(R"({"impact": "low", "severity": "critical", "environment": "prod"})");
  CHECK(d["priority"]["number"] == 3);  // low/high
  CHECK(d["priority"]["impact_from"] == "input");
  CHECK(d["priority"]["urgency_from"] == "derive: incident.environment == 'prod'");

  d = t.decide("{}");
  CHECK(d["priority"]["number"] == 3);
  CHECK(d["priority"]["impact_from"] == "default");
  CHECK(d["priority"]["urgency_from"] == "default");
}

TEST_CASE("triage: the default impact and urgency", "[triage]") {
  Triage t(policy(R"({"priority": {"default": {"impact": "low", "urgency": "high"}}, "route": {}})"));
  CHECK(t.decide("{}")["priority"].dump() ==
        R"({"number":3,"name":"P3","impact":"low","urgency":"high","impact_from":"default","urgency_from":"default"})");
  Triage low(policy(R"({"priority": {"default": {"impact": "low", "urgency": "low"}}, "route": {}})"));
  CHECK(low.decide(R"({"urgency": "high"})")["priority"]["number"] == 3);
  CHECK(low.decide("{}")["priority"]["name"] == "P5");
}

TEST_CASE("triage: a custom 4x4 matrix with names, rows are impact and columns urgency", "[triage]") {
  Triage t(tree(R"(
    {"name": "slow", "matchers": ["service=\"slow\""], "priority_adjust": 5},
    {"name": "fast", "matchers": ["service=\"fast\""], "priority_adjust": -3},
    {"name": "fastest", "matchers": ["service=\"fastest\""], "priority_adjust": -10})",
                R"("priority": {
    "impact": ["critical", "high", "medium", "low"],
    "urgency": ["critical", "high", "medium", "low"],
    "matrix": [[1, 1, 2, 3], [1, 2, 2, 3], [2, 2, 3, 4], [2, 3, 4, 4]],
    "names": ["SEV1", "SEV2", "SEV3", "SEV4"]
  })"));

  auto prio = [&](const std::string& impact, const std::string& urgency, const std::string& service = "") {
    std::string input = R"({"impact": ")" + impact + R"(", "urgency": ")" + urgency + "\"";
    if (!service.empty()) input += R"(, "service": ")" + service + "\"";
    return t.decide(input + "}")["priority"];
  };
  CHECK(prio("critical", "critical")["name"] == "SEV1");
  CHECK(prio("critical", "low")["number"] == 3);
  CHECK(prio("low", "critical")["number"] == 2);
  CHECK(prio("high", "medium")["name"] == "SEV2");
  CHECK(prio("medium", "high")["name"] == "SEV2");
  CHECK(prio("medium", "low")["name"] == "SEV4");
  CHECK(prio("low", "low").dump() ==
        R"({"number":4,"name":"SEV4","impact":"low","urgency":"low","impact_from":"input","urgency_from":"input"})");
  CHECK(t.decide("{}")["priority"]["name"] == "SEV3");  // default medium/medium

  // priority_adjust is clamped to the matrix's range (1..4).
  json p = prio("critical", "critical", "slow");
  CHECK(p["number"] == 4);
  CHECK(p["name"] == "SEV4");
  CHECK(p["before_adjustment"] == "SEV1");
  p = prio("low", "low", "fast");
  CHECK(p["number"] == 1);
  CHECK(p["name"] == "SEV1");
  CHECK(p["before_adjustment"] == "SEV4");
  p = prio("medium", "medium", "fastest");
  CHECK(p["number"] == 1);
  CHECK(p["before_adjustment"] == "SEV3");
}

TEST_CASE("triage: priority_adjust is clamped and before_adjustment appears only when adjusted", "[triage]") {
  Triage t(tree(R"(
    {"name": "up", "matchers": ["service=\"up\""], "priority_adjust": -1},
    {"name": "down", "matchers": ["service=\"down\""], "priority_adjust": 1},
    {"name": "zero", "matchers": ["service=\"zero\""], "priority_adjust": 0})"));

  json p = t.decide(R"({"impact": "medium", "urgency": "medium", "service": "up"})")["priority"];
  CHECK(p.dump() == R"({"number":2,"name":"P2","impact":"medium","urgency":"medium","impact_from":"input",)"
                    R"("urgency_from":"input","before_adjustment":"P3"})");
  p = t.decide(R"({"impact": "high", "urgency": "high", "service": "up"})")["priority"];
  CHECK(p["number"] == 1);
  CHECK_FALSE(p.contains("before_adjustment"));
  p = t.decide(R"({"impact": "low", "urgency": "low", "service": "down"})")["priority"];
  CHECK(p["number"] == 5);
  CHECK_FALSE(p.contains("before_adjustment"));
  p = t.decide(R"({"impact": "low", "urgency": "medium", "service": "down"})")["priority"];
  CHECK(p["number"] == 5);
  CHECK(p["before_adjustment"] == "P4");
  p = t.decide(R"({"service": "zero"})")["priority"];
  CHECK(p["number"] == 3);
  CHECK_FALSE(p.contains("before_adjustment"));
  p = t.decide(R"({"service": "other"})")["priority"];
  CHECK_FALSE(p.contains("before_adjustment"));

  json d = t.decide(R"({"service": "up"})");
  CHECK(d["reasons"].back() == "priority adjusted by -1 on route up");
}

TEST_CASE("triage: priority_adjust is clamped to the matrix's range when 1 is not in it", "[triage]") {
  // The matrix's numbers run from 2 to 4; the doc says the adjustment is clamped to
  // the matrix's range, so 2 - 5 should give 2, not 1.
  Triage t(tree(R"({"name": "up", "matchers": ["service=\"up\""], "priority_adjust": -5})",
                R"("priority": {"impact": ["high", "low"], "urgency": ["high", "low"], "matrix": [[2, 3], [3, 4]],
                                "default": {"impact": "low", "urgency": "low"}})"));
  json p = t.decide(R"({"impact": "high", "urgency": "high", "service": "up"})")["priority"];
  CHECK(p["number"] == 2);
  CHECK_FALSE(p.contains("before_adjustment"));
}

TEST_CASE("triage: route conditions read priority before adjustment", "[triage]") {
  Triage t(tree(R"(
    {"name": "urgent", "when": "priority.number <= 2", "continue": true},
    {"name": "p3", "when": "priority.number == 3", "continue": true},
    {"name": "low-impact", "when": "priority.impact == 'low' && priority.urgency == 'medium'", "continue": true},
    {"name": "adjusting", "matchers": ["service=\"adjust\""], "priority_adjust": -2, "routes": [
      {"name": "saw-p3", "when": "priority.number == 3"}
    ]})"));

  CHECK(t.matched(R"({"impact": "high", "urgency": "medium"})") == Names{"urgent"});
  CHECK(t.matched(R"({"impact": "medium", "urgency": "medium"})") == Names{"p3"});
  CHECK(t.matched(R"({"impact": "low", "urgency": "medium"})") == Names{"low-impact"});
  CHECK(t.matched(R"({"impact": "low", "urgency": "low"})") == Names{"root"});

  json d = t.decide(R"({"service": "adjust"})");
  CHECK(names_of(d["routes"]) == Names{"p3", "saw-p3"});
  CHECK(d["route"]["name"] == "p3");
  CHECK(d["priority"]["number"] == 3);  // the decision follows "p3", which does not adjust

  Triage only(tree(R"({"name": "adjusting", "priority_adjust": -2, "routes": [
      {"name": "saw-p3", "when": "priority.number == 3"}]})"));
  d = only.decide("{}");
  CHECK(d["route"]["name"] == "saw-p3");
  CHECK(d["priority"]["number"] == 1);
  CHECK(d["priority"]["before_adjustment"] == "P3");
}

TEST_CASE("triage: priority.name in a route's when and in explain", "[triage]") {
  // The `priority` map that route conditions read holds priority.name as a view of a
  // temporary std::string (triage.cc: pm.emplace_back("name", lang::Val::str(priority_name(base))))
  // that is destroyed at once. Short names ("P3") sit in the temporary's inline buffer on
  // the stack and usually still compare equal (AddressSanitizer: stack-use-after-scope);
  // names longer than that buffer are freed heap memory: the route does not match and
  // explain writes garbage bytes (not even valid UTF-8).
  Triage short_names(tree(R"(
    {"name": "named", "when": "priority.name == 'P3'", "team": "p3-team"})"));
  CHECK(short_names.decide("{}")["route"]["name"] == "named");
  CHECK(short_names.matched(R"({"impact": "high", "urgency": "high"})") == Names{"root"});
  CHECK(short_names.explain("{}")["routes"][1]["values"].dump() == R"({"priority.name":"P3"})");

  Triage t(tree(R"({"name": "sev-two", "when": "priority.name == 'severity-two-major-incident'"})",
                R"("priority": {"names": ["severity-one-critical-incident", "severity-two-major-incident",
                                          "severity-three-minor-incident", "severity-four-low-incident",
                                          "severity-five-planning-incident"]})"));
  const std::string input = R"({"impact": "high", "urgency": "medium"})";
  json d = t.decide(input);
  CHECK(d["priority"]["name"] == "severity-two-major-incident");
  CHECK(d["route"]["name"] == "sev-two");
  CHECK(t.matched(R"({"impact": "high", "urgency": "high"})") == Names{"root"});
  EvalReport r = t.engine().evaluate(input, options(kNow, true));
  CHECK(json::accept(r.json));
  CHECK_THAT(r.json, Catch::Contains(R"("values":{"priority.name":"severity-two-major-incident"})"));
}

TEST_CASE("triage: invalid priority matrices are load errors", "[triage]") {
  auto text_with = [](const std::string& priority) {
    return lines({
        R"({"apiVersion": "verdict/v1", "kind": "TriageRouting", "metadata": {"name": "p"}, "spec": {)",
        " \"priority\": " + priority + ",",
        R"( "route": {}}})",
    });
  };
  struct Case {
    std::string priority, at, message;
  };
  const std::vector<Case> cases = {
      // wrong row count
      {R"({"matrix": [[1, 2, 3], [2, 3, 4]]})", "[[1, 2, 3], [2", "2 rows but impact has 3"},
      // wrong row length
      {R"({"matrix": [[1, 2, 3], [2, 3], [3, 4, 5]]})", "[2, 3]", "one priority per urgency value (3)"},
      // a row that is not an array
      {R"({"matrix": [[1, 2, 3], 7, [3, 4, 5]]})", "7,", "one priority per urgency value"},
      // non-positive and non-integer numbers
      {R"({"matrix": [[1, 2, 3], [2, 0, 4], [3, 4, 5]]})", "0, 4", "positive integer"},
      {R"({"matrix": [[1, 2, 3], [2, -1, 4], [3, 4, 5]]})", "-1", "positive integer"},
      {R"({"matrix": [[1, 2, 3], [2, 2.5, 4], [3, 4, 5]]})", "2.5", "positive integer"},
      // a derive value not in the list
      {R"({"derive": {"impact": [{"when": "true", "value": "critical"}]}})", R"("critical")",
       "\"critical\" is not one of the impact values"},
      {R"({"derive": {"urgency": [{"when": "true", "value": "HIGH"}]}})", R"("HIGH")", "not one of the urgency values"},
      // a default not in the list
      {R"({"default": {"impact": "urgent", "urgency": "medium"}})", R"({"default")",
       "the default impact \"urgent\" is not one of the impact values"},
      {R"({"default": {"urgency": "now"}})", R"({"default")", "the default urgency \"now\""},
      // other sizes than 3x3 need a matrix
      {R"({"impact": ["a", "b", "c", "d"], "default": {"impact": "a"}})", R"({"impact")", "give a matrix"},
  };
  for (const Case& c : cases) {
    const std::string text = text_with(c.priority);
    INFO(text);
    LoadReport r = lint(text);
    REQUIRE(r.errors.size() == 1);
    CHECK(where(r.errors[0]) == "invalid_policy " + pos_of(text, c.at));
    CHECK_THAT(r.errors[0].message, Catch::Contains(c.message));
    Engine engine;
    CHECK_FALSE(engine.load_policies(text, "triage.json").ok());
  }
  // Two bad cells are two errors.
  LoadReport r = lint(text_with(R"({"matrix": [[0, 2, 3], [2, 3, 4], [3, 4, -5]]})"));
  CHECK(r.errors.size() == 2);
  // A 2x4 matrix with its own lists loads.
  CHECK(lint(text_with(R"({"impact": ["high", "low"], "urgency": ["a", "b", "c", "d"], "matrix": [[1, 1, 2, 2], [2, 3, 3, 4]],
                           "default": {"impact": "low", "urgency": "d"}})"))
            .ok());
}

// ---------------------------------------------------------------------------
// Team

namespace {

const std::string kCmdb = R"({"kind": "cmdb", "items": [
  {"kind": "ci", "id": "pg-01", "name": "payments db", "tier": 1, "owner": "dba-team"},
  {"kind": "ci", "id": "web-01", "name": "web", "tier": 2}
]})";

}  // namespace

TEST_CASE("triage: the team from the route, the CMDB owner, the default or null", "[triage]") {
  const std::string routes = R"(
    {"name": "payments", "matchers": ["service=\"payments\""], "team": "payments-team"},
    {"name": "other", "matchers": ["service=\"other\""], "escalation": "other-esc"})";
  Triage t(tree(routes, R"("defaults": {"team": "service-desk"})"));
  LoadReport data = t.engine().load_data(kCmdb, "cmdb.json");
  INFO(data.json);
  REQUIRE(data.ok());

  json d = t.decide(R"({"service": "payments", "ci": "pg-01"})");
  CHECK(d["team"] == "payments-team");
  CHECK(d["team_from"] == "route");

  d = t.decide(R"({"service": "other", "ci": "pg-01"})");
  CHECK(d["team"] == "dba-team");
  CHECK(d["team_from"] == "cmdb");
  CHECK(d["escalation"] == "other-esc");
  CHECK(std::find(d["reasons"].begin(), d["reasons"].end(), json("team dba-team: CMDB owner of pg-01")) != d["reasons"].end());

  d = t.decide(R"({"ci": "unknown-ci"})");
  CHECK(d["team"] == "service-desk");
  CHECK(d["team_from"] == "default");
  d = t.decide(R"({"ci": "web-01"})");  // known, without an owner
  CHECK(d["team"] == "service-desk");
  CHECK(d["team_from"] == "default");
  d = t.decide("{}");
  CHECK(d["team"] == "service-desk");
  CHECK(d["team_from"] == "default");

  // No defaults.team, no CMDB owner: null, and no team_from.
  Triage none(tree(routes));
  REQUIRE(none.engine().load_data(kCmdb, "cmdb.json").ok());
  d = none.decide(R"({"ci": "web-01"})");
  CHECK(d["team"].is_null());
  CHECK_FALSE(d.contains("team_from"));
  d = none.decide(R"({"ci": "pg-01"})");
  CHECK(d["team"] == "dba-team");
  CHECK(d["team_from"] == "cmdb");

  // Without data the CI has no owner.
  Triage no_data(tree(routes, R"("defaults": {"team": "service-desk"})"));
  CHECK(no_data.decide(R"({"ci": "pg-01"})")["team_from"] == "default");
}

// ---------------------------------------------------------------------------
// The canonical incident

namespace {

// A probe: one route whose matchers all match and show, in the explanation, the
// value each canonical field has.
const std::string kProbe = tree(R"(
  {"name": "probe", "matchers": ["id=~\"(?s).*\"", "title=~\"(?s).*\"", "description=~\"(?s).*\"", "service=~\"(?s).*\"",
    "ci=~\"(?s).*\"", "impact=~\"(?s).*\"", "urgency=~\"(?s).*\"", "priority=~\"(?s).*\"", "team=~\"(?s).*\"",
    "category=~\"(?s).*\"", "environment=~\"(?s).*\"", "severity=~\"(?s).*\"", "created=~\"(?s).*\"", "status=~\"(?s).*\"",
    "source=~\"(?s).*\""]})");

// {"id": ..., ...}: the canonical fields that are not empty, as the matchers saw them.
std::string seen(Triage& t, std::string_view input) {
  json e = t.explain(input);
  REQUIRE(e["routes"].size() == 2);
  REQUIRE(e["routes"][1]["matched"] == true);
  json out = json::object();
  for (const auto& m : e["routes"][1]["matchers"]) {
    std::string text = m["matcher"].get<std::string>();
    std::string value = m["value"].get<std::string>();
    if (!value.empty()) out[text.substr(0, text.find("=~"))] = value;
  }
  return out.dump();
}

}  // namespace

TEST_CASE("triage: a native incident", "[triage]") {
  Triage t(kProbe);
  const std::string input = R"({"kind": "incident", "id": "INC-1", "title": "Checkout down", "service": "payments-api",
    "ci": "pg-01", "impact": "high", "urgency": "low", "severity": "critical", "labels": {"tier": "gold"},
    "created": "2026-03-04T11:00:00Z"})";
  json d = t.decide(input);
  CHECK(d["input"].dump() == R"({"shape":"native","fields":{"id":"id","title":"title","service":"service","ci":"ci",)"
                             R"("impact":"impact","urgency":"urgency","severity":"severity","labels":"labels","created":"created"}})");
  CHECK(d["priority"]["number"] == 3);
  CHECK(seen(t, input) == R"({"id":"INC-1","title":"Checkout down","service":"payments-api","ci":"pg-01","impact":"high",)"
                          R"("urgency":"low","severity":"critical","created":"2026-03-04T11:00:00Z","source":"native"})");
}

TEST_CASE("triage: a ServiceNow incident", "[triage]") {
  Triage t(kProbe);
  const std::string input = R"({"number": "INC0010001", "short_description": "Email down", "description": "Users cannot send",
    "impact": "1", "urgency": "2", "cmdb_ci": {"value": "a1b2c3", "display_value": "mail-01"},
    "assignment_group": {"value": "g1", "display_value": "Messaging"}, "business_service": "Email",
    "category": "software", "severity": "3", "opened_at": "2026-03-04 10:00:00", "state": "New",
    "sys_class_name": "incident"})";
  json d = t.decide(input);
  CHECK(d["input"].dump() ==
        R"({"shape":"servicenow","fields":{"id":"number","title":"short_description","description":"description",)"
        R"("service":"business_service","ci":"cmdb_ci","impact":"impact","urgency":"urgency","team":"assignment_group",)"
        R"("category":"category","severity":"severity","created":"opened_at","status":"state"}})");
  CHECK(d["priority"].dump() ==
        R"({"number":2,"name":"P2","impact":"high","urgency":"medium","impact_from":"input","urgency_from":"input"})");
  CHECK(seen(t, input) == R"({"id":"INC0010001","title":"Email down","description":"Users cannot send","service":"Email",)"
                          R"("ci":"mail-01","impact":"high","urgency":"medium","team":"Messaging","category":"software",)"
                          R"("severity":"3","created":"2026-03-04T10:00:00Z","status":"New","source":"servicenow"})");

  // "1", "2", "3" and "1 - High" -> high, medium, low, high.
  struct Level {
    const char* in;
    const char* level;
    int priority;  // with urgency "3" (low)
  };
  for (const Level& l : {Level{"1", "high", 3}, Level{"2", "medium", 4}, Level{"3", "low", 5}, Level{"1 - High", "high", 3},
                         Level{"3 - Low", "low", 5}}) {
    INFO(l.in);
    json p = t.decide(std::string(R"({"number": "INC1", "short_description": "x", "impact": ")") + l.in +
                      R"(", "urgency": "3"})")["priority"];
    CHECK(p["impact"] == l.level);
    CHECK(p["urgency"] == "low");
    CHECK(p["number"] == l.priority);
  }
  // impact and urgency as references: their display value.
  json p = t.decide(R"({"number": "INC3", "short_description": "x", "impact": {"value": "1", "display_value": "1 - High"},
                        "urgency": {"value": "3", "display_value": "3 - Low"}})")["priority"];
  CHECK(p["impact"] == "high");
  CHECK(p["urgency"] == "low");
  // Recognised by sys_class_name without short_description; a reference without a display value.
  const std::string bare = R"({"number": "INC2", "sys_class_name": "incident", "cmdb_ci": {"value": "a1b2c3"}, "impact": 2})";
  CHECK(t.decide(bare)["input"]["shape"] == "servicenow");
  CHECK(seen(t, bare) == R"({"id":"INC2","ci":"a1b2c3","impact":"medium","source":"servicenow"})");
}

TEST_CASE("triage: routing on ServiceNow's mapped fields", "[triage]") {
  Triage t(tree(R"(
    {"name": "mail", "matchers": ["ci=\"mail-01\"", "team=\"Messaging\""], "team": "messaging-team"},
    {"name": "titled", "matchers": ["title=~\"(?i).*email.*\""], "team": "email-team"})"));
  json d = t.decide(R"({"number": "INC1", "short_description": "Email down", "cmdb_ci": {"value": "x", "display_value": "mail-01"},
                        "assignment_group": {"value": "g1", "display_value": "Messaging"}})");
  CHECK(d["route"]["name"] == "mail");
  CHECK(d["team"] == "messaging-team");
  d = t.decide(R"({"number": "INC2", "short_description": "Email slow", "cmdb_ci": "mail-02"})");
  CHECK(d["route"]["name"] == "titled");
}

TEST_CASE("triage: a Jira issue", "[triage]") {
  Triage t(kProbe);
  const std::string input = R"({"key": "OPS-42", "fields": {"summary": "Checkout slow", "description": "Pages take 10s",
    "priority": {"name": "Highest"}, "labels": ["customer-facing", "p1"], "components": [{"name": "checkout"}, {"name": "web"}],
    "issuetype": {"name": "Bug"}, "status": {"name": "Open"}, "created": "2026-03-04T09:00:00.000+0000"}})";
  json d = t.decide(input);
  CHECK(d["input"].dump() ==
        R"({"shape":"jira","fields":{"id":"key","title":"fields.summary","description":"fields.description",)"
        R"("service":"fields.components[0].name","priority":"fields.priority.name","urgency":"fields.priority.name",)"
        R"("category":"fields.issuetype.name","status":"fields.status.name","created":"fields.created","labels":"fields.labels"}})");
  CHECK(d["priority"]["urgency"] == "high");
  CHECK(d["priority"]["urgency_from"] == "input");
  CHECK(d["priority"]["number"] == 2);  // medium (default) / high
  CHECK(seen(t, input) == R"({"id":"OPS-42","title":"Checkout slow","description":"Pages take 10s","service":"checkout",)"
                          R"("urgency":"high","priority":"Highest","category":"Bug","created":"2026-03-04T09:00:00.000+0000",)"
                          R"("status":"Open","source":"jira"})");

  // Jira priorities -> urgency.
  struct Prio {
    const char* name;
    const char* urgency;
    int number;  // with the default impact medium
  };
  for (const Prio& p : {Prio{"Highest", "high", 2}, Prio{"High", "high", 2}, Prio{"Medium", "medium", 3}, Prio{"Low", "low", 4},
                        Prio{"Lowest", "low", 4}}) {
    INFO(p.name);
    json pr = t.decide(std::string(R"({"key": "OPS-1", "fields": {"priority": {"name": ")") + p.name + R"("}}})")["priority"];
    CHECK(pr["urgency"] == p.urgency);
    CHECK(pr["number"] == p.number);
  }

  // The description as an Atlassian document.
  const std::string adf = R"({"key": "OPS-43", "fields": {"summary": "s", "description": {"type": "doc", "version": 1, "content": [
      {"type": "paragraph", "content": [{"type": "text", "text": "Line one"}, {"type": "text", "text": " continued"}]},
      {"type": "paragraph", "content": [{"type": "text", "text": "Line two"}]}]}}})";
  d = t.decide(adf);
  CHECK(d["input"]["fields"]["description"] == "fields.description (Atlassian document)");
  CHECK(seen(t, adf) == R"({"id":"OPS-43","title":"s","description":"Line one continued\nLine two","source":"jira"})");
}

TEST_CASE("triage: routing on Jira's labels and components", "[triage]") {
  Triage t(tree(R"(
    {"name": "customer", "matchers": ["customer-facing=\"true\"", "service=\"checkout\""], "notify": "page"},
    {"name": "described", "matchers": ["description=~\".*Line two.*\""], "notify": "ticket"},
    {"name": "original", "when": "input.fields.issuetype.name == 'Incident' && incident.category == 'Incident'"})"));
  // The original document stays readable as `input`.
  CHECK(t.matched(R"({"key": "OPS-45", "fields": {"issuetype": {"name": "Incident"}}})") == Names{"original"});
  json d = t.decide(R"({"key": "OPS-42", "fields": {"summary": "x", "labels": ["customer-facing"], "components": [{"name": "checkout"}]}})");
  CHECK(d["route"]["name"] == "customer");
  CHECK(d["notify"] == "page");
  CHECK(t.matched(R"({"key": "OPS-44", "fields": {"labels": ["internal"], "components": [{"name": "checkout"}]}})") == Names{"root"});
  d = t.decide(R"({"key": "OPS-43", "fields": {"description": {"type": "doc", "content": [
      {"type": "paragraph", "content": [{"type": "text", "text": "Line one"}]},
      {"type": "paragraph", "content": [{"type": "text", "text": "Line two"}]}]}}})");
  // "." does not match the newline between the paragraphs.
  CHECK(d["route"]["name"] == "root");
  Triage s(tree(R"({"name": "described", "matchers": ["description=~\"(?s).*Line two\""]})"));
  CHECK(s.matched(R"({"key": "OPS-43", "fields": {"description": {"type": "doc", "content": [
      {"type": "paragraph", "content": [{"type": "text", "text": "Line one"}]},
      {"type": "paragraph", "content": [{"type": "text", "text": "Line two"}]}]}}})") == Names{"described"});
}

TEST_CASE("triage: an Alertmanager alert", "[triage]") {
  Triage t(kProbe);
  const std::string input = R"({"status": "firing", "labels": {"alertname": "HighErrorRate", "service": "payments-api",
    "severity": "critical", "team": "payments", "env": "prod", "ci": "pg-01"},
    "annotations": {"summary": "5xx above 5%", "description": "for 10 minutes"},
    "startsAt": "2026-03-04T11:58:00Z", "fingerprint": "abc123"})";
  json d = t.decide(input);
  CHECK(d["input"].dump() ==
        R"({"shape":"alertmanager","fields":{"id":"fingerprint","title":"annotations.summary","description":"annotations.description",)"
        R"("service":"labels.service","ci":"labels.ci","team":"labels.team","environment":"labels.env","severity":"labels.severity",)"
        R"("labels":"labels","annotations":"annotations","created":"startsAt","status":"status"}})");
  CHECK(seen(t, input) == R"({"id":"abc123","title":"5xx above 5%","description":"for 10 minutes","service":"payments-api",)"
                          R"("ci":"pg-01","team":"payments","environment":"prod","severity":"critical",)"
                          R"("created":"2026-03-04T11:58:00Z","status":"firing","source":"alertmanager"})");

  // Fallbacks: alertname for id and title, job for service.
  const std::string bare = R"({"labels": {"alertname": "NodeDown", "job": "node-exporter"}})";
  d = t.decide(bare);
  CHECK(d["input"].dump() == R"({"shape":"alertmanager","fields":{"id":"labels.alertname","title":"labels.alertname",)"
                             R"("service":"labels.job","labels":"labels"}})");
  CHECK(seen(t, bare) == R"({"id":"NodeDown","title":"NodeDown","service":"node-exporter","source":"alertmanager"})");
  // startsAt alone makes an alert.
  CHECK(t.decide(R"({"startsAt": "2026-03-04T11:58:00Z", "labels": {"job": "api"}})")["input"]["shape"] == "alertmanager");
}

TEST_CASE("triage: routing an alert on its labels", "[triage]") {
  Triage t(tree(R"(
    {"name": "pay-critical", "matchers": ["alertname=~\"High.*\"", "service=\"payments-api\"", "severity=\"critical\""],
     "team": "payments-team", "notify": "page"},
    {"name": "node", "matchers": ["service=\"node-exporter\""], "team": "infra"})"));
  json d = t.decide(R"({"labels": {"alertname": "HighErrorRate", "service": "payments-api", "severity": "critical"},
                        "annotations": {"summary": "x"}})");
  CHECK(d["route"]["name"] == "pay-critical");
  CHECK(d["notify"] == "page");
  CHECK(t.decide(R"({"labels": {"alertname": "NodeDown", "job": "node-exporter"}})")["team"] == "infra");
}

TEST_CASE("triage: a document of another kind is read as native and still decides", "[triage]") {
  Triage t(tree(R"({"name": "payments", "matchers": ["service=\"payments-api\""], "team": "payments-team"})",
                R"("defaults": {"team": "desk"})"));
  json d = t.decide(R"({"kind": "change", "id": "CHG-7", "title": "Deploy payments", "service": "payments-api", "risk": "high"})");
  CHECK(d["input"].dump() == R"({"shape":"native","fields":{"id":"id","title":"title","service":"service"}})");
  CHECK(d["route"]["name"] == "payments");
  CHECK(d["team"] == "payments-team");
  CHECK(d["priority"]["number"] == 3);
}

TEST_CASE("triage: an empty object decides with the defaults and says it has no known shape", "[triage]") {
  Triage t(tree(R"({"name": "payments", "matchers": ["service=\"payments-api\""], "team": "payments-team"})",
                R"("defaults": {"team": "desk", "escalation": "desk-esc", "notify": "ticket"})"));
  json r = t.result("{}");
  CHECK(r["ok"] == true);
  CHECK(r["errors"].dump() == "[]");
  CHECK(r["decision"].dump() ==
        R"({"priority":{"number":3,"name":"P3","impact":"medium","urgency":"medium","impact_from":"default","urgency_from":"default"},)"
        R"("team":"desk","team_from":"default","escalation":"desk-esc","notify":"ticket","runbook":null,"labels":{},)"
        R"("route":{"name":"root","path":["root"]},"routes":[{"name":"root","path":["root"]}],"reasons":["route root",)"
        R"("the input has no known shape (no kind and no field of an incident; not a ServiceNow incident, a Jira issue, )"
        R"(a PagerDuty incident or an alert): read as a native incident"],)"
        R"("input":{"shape":"native","fields":{}}})");
}

// ---------------------------------------------------------------------------
// Explanations

TEST_CASE("triage: explain lists each route tried with matchers, values seen and when values", "[triage]") {
  Triage t(tree(R"(
    {"name": "a", "matchers": ["service=\"payments\"", "severity!=\"low\""]},
    {"name": "b", "matchers": ["severity=~\"high|critical\""], "when": "incident.affected_users > 100 && priority.number <= 3"})"));

  const std::string input = R"({"service": "web", "affected_users": 500, "severity": "high"})";
  json r = t.result(input, kNow, true);
  json e = r["explain"];
  REQUIRE(e["routes"].size() == 3);
  CHECK(e["routes"][0].dump() == R"({"path":["root"],"matched":true})");
  json a = e["routes"][1];
  CHECK(a["path"].dump() == R"(["root","a"])");
  CHECK(a["matched"] == false);
  REQUIRE(a["matchers"].size() >= 1);
  CHECK(a["matchers"][0].dump() == R"({"matcher":"service=\"payments\"","value":"web","matched":false})");
  CHECK(e["routes"][2].dump() ==
        R"({"path":["root","b"],"matched":true,"matchers":[{"matcher":"severity=~\"high|critical\"","value":"high","matched":true}],)"
        R"("when":"incident.affected_users > 100 && priority.number <= 3","values":{"incident.affected_users":500,"priority.number":3}})");
  CHECK(r["decision"]["route"]["name"] == "b");

  // Both matchers match: both are listed with their values.
  e = t.explain(R"({"service": "payments", "severity": "critical"})");
  CHECK(e["routes"][1].dump() ==
        R"({"path":["root","a"],"matched":true,"matchers":[{"matcher":"service=\"payments\"","value":"payments","matched":true},)"
        R"({"matcher":"severity!=\"low\"","value":"critical","matched":true}]})");
  REQUIRE(e["routes"].size() == 2);

  // A missing field is seen as "" by a matcher.
  e = t.explain("{}");
  CHECK(e["routes"][1]["matchers"][0]["value"] == "");

  // Without explain there is no explain member.
  CHECK_FALSE(t.result(input).contains("explain"));
}

// ---------------------------------------------------------------------------
// Determinism

TEST_CASE("triage: the same input gives the same bytes, and the bundle digest is in the result", "[triage]") {
  const std::string text = tree(R"x(
    {"name": "payments", "matchers": ["service=~\"payments-.*\""], "team": "payments-team", "labels": {"b": "2", "a": "1"},
     "continue": true},
    {"name": "security", "when": "incident.title.matches('(?i)breach')", "team": "security-team"})x",
                                R"("defaults": {"team": "desk"})");
  Engine one;
  load_ok(one, text);
  const std::string input = R"({"service": "payments-api", "title": "Possible breach", "ci": "pg-01"})";
  EvalReport a = one.evaluate(input, options(kNow, true));
  EvalReport b = one.evaluate(R"({"title": "other"})", options(kNow, true));
  EvalReport c = one.evaluate(input, options(kNow, true));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a.json == c.json);
  CHECK(a.json != b.json);

  Engine two;
  load_ok(two, text);
  CHECK(two.evaluate(input, options(kNow, true)).json == a.json);

  const std::string digest = one.bundle_digest();
  CHECK(digest.rfind("sha256:", 0) == 0);
  CHECK(digest.size() == 7 + 64);
  json r = json::parse(a.json);
  CHECK(r["bundle"] == digest);
  CHECK(r["policy"].dump() == R"({"name":"triage","version":"1.0.0","kind":"TriageRouting"})");
  CHECK(r["now"] == kNow);
  CHECK(names_of(r["decision"]["routes"]) == Names{"payments", "security"});

  // Data changes the digest, and the decision names the new one.
  REQUIRE(one.load_data(kCmdb, "cmdb.json").ok());
  const std::string with_data = one.bundle_digest();
  CHECK(with_data != digest);
  CHECK(json::parse(one.evaluate(input, options(kNow, false)).json)["bundle"] == with_data);
}

TEST_CASE("triage: a decision does not depend on the decision before it", "[triage]") {
  // A derive rule that reads priority, which is not computed yet when derive runs: it
  // loads (the derive rules share the routes' environment) but slot 2 still holds the
  // previous decision's priority map (the arena is reset, its maps are kept), so the
  // rule sees the earlier input's priority. Expected: null (or a load error), never
  // a value from another decision.
  const std::string text = policy(R"({"priority": {"derive": {"urgency": [
      {"when": "priority.number == 1", "value": "high", "reason": "read priority"}]}},
    "route": {}})");
  Engine fresh;
  load_ok(fresh, text);
  const std::string first = fresh.evaluate("{}", options(kNow, false)).json;

  Engine used;
  load_ok(used, text);
  (void)used.evaluate(R"({"impact": "high", "urgency": "high"})", options(kNow, false));
  CHECK(used.evaluate("{}", options(kNow, false)).json == first);
}
