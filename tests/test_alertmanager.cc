// The Alertmanager module (core/src/alertmanager/): the one matcher parser, checked against
// Alertmanager 0.25's own test table (pkg/labels/parse_test.go, TestMatchers; the parser
// itself is pkg/labels/parse.go of github.com/prometheus/alertmanager at v0.25.0), the route
// tree walked by both kinds (dispatch/route_test.go, TestRouteMatch, through TriageRouting
// and AlertDedup alike), the same matcher strings giving the same answers in both kinds, the
// conversion of time intervals (timeinterval/timeinterval.go) and of a whole configuration.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alertmanager/config.h"
#include "alertmanager/matcher.h"
#include "alertmanager/route.h"
#include "alertmanager/time_intervals.h"
#include "verdict/engine.h"

using verdict::Engine;
using verdict::Error;
using verdict::ErrorCode;
using verdict::EvalOptions;
using verdict::alertmanager::Matcher;
using verdict::alertmanager::MatchOp;
using verdict::alertmanager::Syntax;
using json = nlohmann::ordered_json;

namespace {

// A matcher as the table writes it: op, name, value.
struct M {
  MatchOp op;
  std::string name, value;
  bool operator==(const M& o) const { return op == o.op && name == o.name && value == o.value; }
};

std::string show(const std::vector<M>& ms) {
  std::string s;
  for (const M& m : ms) s += m.name + verdict::alertmanager::op_text(m.op) + "[" + m.value + "] ";
  return s;
}

struct Parsed {
  bool ok = false;
  std::vector<M> matchers;
  Error error;
};

Parsed parse_list(const std::string& text, const Syntax& syntax = {}) {
  Parsed p;
  std::vector<Matcher> ms;
  p.ok = verdict::alertmanager::parse_matchers(text, syntax, ms, p.error);
  for (const Matcher& m : ms) p.matchers.push_back({m.op, m.name, m.value});
  return p;
}

constexpr MatchOp EQ = MatchOp::kEq, NE = MatchOp::kNe, RE = MatchOp::kRe, NRE = MatchOp::kNotRe;

// One case: the input, and either the matchers or the start of the error message (with its code).
struct Case {
  std::string input;
  std::vector<M> want;
  std::string error;  // "" when it parses
  ErrorCode code = ErrorCode::kInvalidPolicy;
};

}  // namespace

TEST_CASE("matchers parse as Alertmanager 0.25 parses them (its own TestMatchers table)", "[alertmanager][matchers]") {
  // Alertmanager's messages for format errors are ours, word for word, with a reason after
  // them; its regexp errors are Go's, ours RE2's (code invalid_regex).
  const std::vector<Case> table = {
      {R"({foo="bar"})", {{EQ, "foo", "bar"}}, ""},
      {R"({foo=~"bar.*"})", {{RE, "foo", "bar.*"}}, ""},
      {R"({foo!="bar"})", {{NE, "foo", "bar"}}, ""},
      {R"({foo!~"bar.*"})", {{NRE, "foo", "bar.*"}}, ""},
      {R"({foo="bar", baz!="quux"})", {{EQ, "foo", "bar"}, {NE, "baz", "quux"}}, ""},
      {R"({foo="bar", baz!~"quux.*"})", {{EQ, "foo", "bar"}, {NRE, "baz", "quux.*"}}, ""},
      {R"({foo="bar",baz!~".*quux", derp="wat"})", {{EQ, "foo", "bar"}, {NRE, "baz", ".*quux"}, {EQ, "derp", "wat"}}, ""},
      {R"({foo="bar", baz!="quux", derp="wat"})", {{EQ, "foo", "bar"}, {NE, "baz", "quux"}, {EQ, "derp", "wat"}}, ""},
      {R"({foo="bar", baz!~".*quux.*", derp="wat"})", {{EQ, "foo", "bar"}, {NRE, "baz", ".*quux.*"}, {EQ, "derp", "wat"}}, ""},
      {R"({foo="bar", instance=~"some-api.*"})", {{EQ, "foo", "bar"}, {RE, "instance", "some-api.*"}}, ""},
      {R"({foo=""})", {{EQ, "foo", ""}}, ""},
      {R"({foo="bar,quux", job="job1"})", {{EQ, "foo", "bar,quux"}, {EQ, "job", "job1"}}, ""},
      {R"({foo = "bar", dings != "bums", })", {{EQ, "foo", "bar"}, {NE, "dings", "bums"}}, ""},
      {R"(foo=bar,dings!=bums)", {{EQ, "foo", "bar"}, {NE, "dings", "bums"}}, ""},
      {R"({quote="She said: \"Hi, ladies! That's gender-neutral…\""})",
       {{EQ, "quote", "She said: \"Hi, ladies! That's gender-neutral…\""}}, ""},
      {R"(statuscode=~"5..")", {{RE, "statuscode", "5.."}}, ""},
      {R"(tricky=~~~)", {{RE, "tricky", "~~"}}, ""},
      {R"(trickier==\\=\=\")", {{EQ, "trickier", R"(=\=\=")"}}, ""},
      {R"(contains_quote != "\"" , contains_comma !~ "foo,bar" , )", {{NE, "contains_quote", "\""}, {NRE, "contains_comma", "foo,bar"}}, ""},
      {R"(job=)", {{EQ, "job", ""}}, ""},
      {R"(job="value)", {}, R"(matcher value contains unescaped double quote: "value)"},
      {R"(job=value")", {}, R"(matcher value contains unescaped double quote: value")"},
      {R"(trickier==\\=\=\"")", {}, R"(matcher value contains unescaped double quote: =\\=\=\"")"},
      {R"(contains_unescaped_quote = foo"bar)", {}, R"(matcher value contains unescaped double quote: foo"bar)"},
      {R"({invalid-name = "valid label"})", {}, R"(bad matcher format: invalid-name = "valid label")"},
      {R"({foo=~"invalid[regexp"})", {}, "invalid regex: missing ]", ErrorCode::kInvalidRegex},
      // Double escaped strings.
      {R"("{foo=\"bar"})", {}, R"(bad matcher format: "{foo=\"bar")"},
      {R"("foo=\"bar")", {}, R"(bad matcher format: "foo=\"bar")"},
      {R"("foo=\"bar\"")", {}, R"(bad matcher format: "foo=\"bar\"")"},
      {R"("foo=\"bar\")", {}, R"(bad matcher format: "foo=\"bar\")"},
      {R"("{foo=\"bar\"}")", {}, R"(bad matcher format: "{foo=\"bar\"}")"},
      {R"("foo="bar"")", {}, R"(bad matcher format: "foo="bar"")"},
  };
  for (const Case& c : table) {
    INFO(c.input);
    Parsed p = parse_list(c.input);
    if (c.error.empty()) {
      INFO(p.error.message);
      REQUIRE(p.ok);
      CHECK(show(p.matchers) == show(c.want));
    } else {
      REQUIRE_FALSE(p.ok);
      CHECK_THAT(p.error.message, Catch::StartsWith(c.error));
      CHECK(p.error.code == c.code);
    }
  }
}

TEST_CASE("matchers: whitespace, escapes, quotes, names, regexes and empty lists", "[alertmanager][matchers]") {
  const std::vector<Case> table = {
      // Go's \s around every token: spaces, tabs, newlines.
      {"\tfoo \t=~\n \"a|b\"\t ", {{RE, "foo", "a|b"}}, ""},
      // OpenMetrics escapes \" \\ \n, quoted or not; any other \x keeps its backslash (RE2's \d).
      {R"(foo="a\nb")", {{EQ, "foo", "a\nb"}}, ""},
      {R"(foo=a\"b)", {{EQ, "foo", "a\"b"}}, ""},
      {R"(foo=~"db-\d+")", {{RE, "foo", R"(db-\d+)"}}, ""},
      {R"(foo="a\\b")", {{EQ, "foo", R"(a\b)"}}, ""},
      {R"(foo=bar\)", {{EQ, "foo", R"(bar\)"}}, ""},  // a last backslash is literal
      // ' is no quote: the value is 'it\'s' as written.
      {R"(title='it\'s')", {{EQ, "title", R"('it\'s')"}}, ""},
      // The value keeps inner spaces; the outer ones go.
      {R"(foo =  two words  )", {{EQ, "foo", "two words"}}, ""},
      {R"(foo=" padded ")", {{EQ, "foo", " padded "}}, ""},
      // Names: [a-zA-Z_:][a-zA-Z0-9_:]*, so recording-rule names with ':' are names.
      {R"(job:rate5m="x")", {{EQ, "job:rate5m", "x"}}, ""},
      {R"(_private="x")", {{EQ, "_private", "x"}}, ""},
      {R"(:colon="x")", {{EQ, ":colon", "x"}}, ""},
      {R"(0abc="x")", {}, "bad matcher format: 0abc=\"x\""},
      {R"(labels.team="x")", {}, "bad matcher format: labels.team=\"x\""},
      {R"(customer-facing="true")", {}, "bad matcher format: customer-facing=\"true\""},
      {R"(="x")", {}, "bad matcher format: =\"x\""},
      {R"(service)", {}, "bad matcher format: service: expected =, !=, =~ or !~"},
      {R"(service=="x")", {}, "matcher value contains unescaped double quote"},
      // Operators: =~ before =, != and !~; "!" alone is none.
      {R"(a!b)", {}, "bad matcher format: a!b"},
      {R"(a=~~)", {{RE, "a", "~"}}, ""},
      // A comma outside quotes splits, inside does not; braces are optional, one each.
      {R"(foo=bar,baz)", {}, "bad matcher format: baz"},
      {R"(foo="bar,baz")", {{EQ, "foo", "bar,baz"}}, ""},
      {R"({{foo="bar"}})", {}, "bad matcher format: {foo=\"bar\"}"},
      {R"(a=1,,b=2)", {}, "bad matcher format: "},
      {"", {}, ""},
      {"{}", {}, ""},
      {"  ", {}, ""},
      // Regexes are RE2, checked when parsed.
      {R"(a=~"(")", {}, "invalid regex: missing )", ErrorCode::kInvalidRegex},
      {R"(a!~"x{2,1}")", {}, "invalid regex: ", ErrorCode::kInvalidRegex},
      // Values must be UTF-8.
      {"a=\"\xff\"", {}, "matcher value not valid UTF-8: \"\xff\""},
  };
  for (const Case& c : table) {
    INFO(c.input);
    Parsed p = parse_list(c.input);
    if (c.error.empty()) {
      INFO(p.error.message);
      REQUIRE(p.ok);
      CHECK(show(p.matchers) == show(c.want));
    } else {
      REQUIRE_FALSE(p.ok);
      CHECK_THAT(p.error.message, Catch::StartsWith(c.error));
      CHECK(p.error.code == c.code);
    }
  }
}

TEST_CASE("matchers: verdict's extension lets TriageRouting name dotted field paths", "[alertmanager][matchers]") {
  Syntax paths;
  paths.field_paths = true;
  const std::vector<Case> table = {
      {R"(labels.team="payments")", {{EQ, "labels.team", "payments"}}, ""},
      {R"(annotations.summary=~".*disk.*")", {{RE, "annotations.summary", ".*disk.*"}}, ""},
      {R"(customer-facing="true")", {{EQ, "customer-facing", "true"}}, ""},  // a Jira label
      {R"(custom.2fa="on")", {{EQ, "custom.2fa", "on"}}, ""},
      {R"(job:rate5m="x")", {{EQ, "job:rate5m", "x"}}, ""},  // every Alertmanager name is still one
      {R"(labels..team="x")", {}, "bad matcher format"},
      {R"(.team="x")", {}, "bad matcher format"},
      {R"(team.="x")", {}, "bad matcher format"},
      {R"(a b="x")", {}, "bad matcher format"},
  };
  for (const Case& c : table) {
    INFO(c.input);
    Parsed p = parse_list(c.input, paths);
    if (c.error.empty()) {
      INFO(p.error.message);
      REQUIRE(p.ok);
      CHECK(show(p.matchers) == show(c.want));
    } else {
      REQUIRE_FALSE(p.ok);
      CHECK_THAT(p.error.message, Catch::StartsWith(c.error));
    }
  }
}

TEST_CASE("matchers: regexes are anchored, a missing value is empty, and String() parses back", "[alertmanager][matchers]") {
  Matcher m;
  Error e;
  REQUIRE(verdict::alertmanager::parse_matcher(R"(service=~"pay.*|refunds")", {}, m, e));
  CHECK(m.matches("payments"));
  CHECK(m.matches("refunds"));
  CHECK_FALSE(m.matches("my-payments"));  // ^ anchored
  CHECK_FALSE(m.matches("refunds-2"));    // $ anchored
  REQUIRE(verdict::alertmanager::parse_matcher(R"(team!~".+")", {}, m, e));
  CHECK(m.matches(""));  // a missing label is ""
  CHECK_FALSE(m.matches("x"));
  // Matcher.String() writes OpenMetrics escapes, and reads back to the same matcher.
  for (std::string value : {std::string("plain"), std::string("say \"hi\""), std::string("a\\b"), std::string("two\nlines"),
                            std::string("comma, brace}")}) {
    Matcher a, b;
    REQUIRE(verdict::alertmanager::new_matcher(MatchOp::kNe, "x", value, {}, a, e));
    std::string text = a.to_string();
    INFO(text);
    std::vector<Matcher> back;
    REQUIRE(verdict::alertmanager::parse_matchers(text, {}, back, e));
    REQUIRE(back.size() == 1);
    CHECK(back[0].value == value);
    CHECK(back[0].op == MatchOp::kNe);
  }
  std::vector<Matcher> list;
  REQUIRE(verdict::alertmanager::parse_matchers(R"(z="1", a=~"x|y", a="x")", {}, list, e));
  verdict::alertmanager::sort_matchers(list);
  std::string key;
  verdict::alertmanager::append_matchers(key, list);
  CHECK(key == R"({a="x",a=~"x|y",z="1"})");
  CHECK(verdict::alertmanager::route_key("{}", list) == R"({}/{a="x",a=~"x|y",z="1"})");
  CHECK(verdict::alertmanager::route_key("", {}) == "{}");
}

// ---------------------------------------------------------------------------------------
// The route tree, through both kinds

namespace {

// Alertmanager's TestRouteMatch tree (dispatch/route_test.go), as an AlertDedup policy and
// as a TriageRouting policy (each route's team is its receiver). match_re values are written
// anchored, as Alertmanager keeps them (its keys show them so).
const char* kDedupTree = R"({"apiVersion":"verdict/v1","kind":"AlertDedup","metadata":{"name":"tree-dedup"},"spec":{"route":{
  "name":"root","receiver":"notify-def","routes":[
   {"name":"A","matchers":["owner=\"team-A\""],"receiver":"notify-A","routes":[
     {"name":"A-testing","matchers":["env=\"testing\""],"receiver":"notify-testing","group_by":["..."]},
     {"name":"A-prodA","matchers":["env=\"production\""],"receiver":"notify-productionA","group_wait":"1m","continue":true},
     {"name":"A-prodB","matchers":["env=~\"^(?:produ.*)$\"","job=~\"^(?:.*)$\""],"receiver":"notify-productionB","group_wait":"30s",
      "group_interval":"5m","repeat_interval":"1h","group_by":["job"]}]},
   {"name":"BC","matchers":["owner=~\"^(?:team-(B|C))$\""],"group_by":["foo","bar"],"group_wait":"2m","receiver":"notify-BC"},
   {"name":"role","matchers":["group_by=\"role\""],"group_by":["role"],"routes":[
     {"name":"role-testing","matchers":["env=\"testing\""],"receiver":"notify-testing","routes":[
       {"name":"role-testing-long","matchers":["wait=\"long\""],"group_wait":"2m"}]}]}]}}})";

const char* kTriageTree = R"({"apiVersion":"verdict/v1","kind":"TriageRouting","metadata":{"name":"tree-triage"},"spec":{"route":{
  "name":"root","team":"notify-def","routes":[
   {"name":"A","matchers":["owner=\"team-A\""],"team":"notify-A","routes":[
     {"name":"A-testing","matchers":["env=\"testing\""],"team":"notify-testing"},
     {"name":"A-prodA","matchers":["env=\"production\""],"team":"notify-productionA","continue":true},
     {"name":"A-prodB","matchers":["env=~\"^(?:produ.*)$\"","job=~\"^(?:.*)$\""],"team":"notify-productionB"}]},
   {"name":"BC","matchers":["owner=~\"^(?:team-(B|C))$\""],"team":"notify-BC"},
   {"name":"role","matchers":["group_by=\"role\""],"routes":[
     {"name":"role-testing","matchers":["env=\"testing\""],"team":"notify-testing","routes":[
       {"name":"role-testing-long","matchers":["wait=\"long\""]}]}]}]}}})";

struct RouteCase {
  std::string labels;                  // the alert's labels (JSON object)
  std::vector<std::string> routes;     // matched routes, in order
  std::vector<std::string> receivers;  // their (inherited) receivers
  std::vector<std::string> keys;       // their keys (Alertmanager's Route.Key())
};

// Alertmanager's expectations (route_test.go), receivers and keys as it states them.
const std::vector<RouteCase> kRouteCases = {
    {R"({"owner":"team-A"})", {"A"}, {"notify-A"}, {R"({}/{owner="team-A"})"}},
    {R"({"owner":"team-A","env":"unset"})", {"A"}, {"notify-A"}, {R"({}/{owner="team-A"})"}},
    {R"({"owner":"team-C"})", {"BC"}, {"notify-BC"}, {R"({}/{owner=~"^(?:team-(B|C))$"})"}},
    {R"({"owner":"team-A","env":"testing"})", {"A-testing"}, {"notify-testing"}, {R"({}/{owner="team-A"}/{env="testing"})"}},
    {R"({"owner":"team-A","env":"production"})",
     {"A-prodA", "A-prodB"},
     {"notify-productionA", "notify-productionB"},
     {R"({}/{owner="team-A"}/{env="production"})", R"({}/{owner="team-A"}/{env=~"^(?:produ.*)$",job=~"^(?:.*)$"})"}},
    {R"({"group_by":"role"})", {"role"}, {"notify-def"}, {R"({}/{group_by="role"})"}},
    {R"({"env":"testing","group_by":"role"})", {"role-testing"}, {"notify-testing"}, {R"({}/{group_by="role"}/{env="testing"})"}},
    {R"({"env":"testing","group_by":"role","wait":"long"})",
     {"role-testing-long"},
     {"notify-testing"},
     {R"({}/{group_by="role"}/{env="testing"}/{wait="long"})"}},
    // Not in Alertmanager's table: nothing matches, the root is the match.
    {R"({"owner":"team-Z"})", {"root"}, {"notify-def"}, {"{}"}},
};

json decide(Engine& e, const std::string& input) {
  EvalOptions o;
  o.now = "2025-03-14T10:00:00Z";
  verdict::EvalReport r = e.evaluate(input, o);
  INFO(r.json);
  REQUIRE(r.ok());
  return json::parse(r.json)["decision"];
}

}  // namespace

TEST_CASE("route tree: Alertmanager's TestRouteMatch, walked alike by AlertDedup and TriageRouting", "[alertmanager][routes]") {
  Engine dedup, triage;
  REQUIRE(dedup.load_policies(kDedupTree, "tree-dedup.json").ok());
  REQUIRE(triage.load_policies(kTriageTree, "tree-triage.json").ok());
  for (const RouteCase& c : kRouteCases) {
    INFO(c.labels);
    const std::string alert = R"({"labels":)" + c.labels + R"(,"startsAt":"2025-03-14T09:00:00Z"})";
    // AlertDedup: one group per matched route, with the route's key and inherited receiver.
    json d = decide(dedup, alert)["alerts"][0];
    std::vector<std::string> routes, receivers, keys;
    for (const auto& g : d["groups"]) {
      routes.push_back(g["route"]);
      receivers.push_back(g["receiver"]);
      std::string key = g["key"];
      keys.push_back(key.substr(0, key.rfind(":{")));
    }
    CHECK(routes == c.routes);
    CHECK(receivers == c.receivers);
    CHECK(keys == c.keys);
    // TriageRouting: the same routes, the first decides, the team inherited as the receiver.
    json t = decide(triage, alert);
    std::vector<std::string> troutes;
    for (const auto& r : t["routes"]) troutes.push_back(r["name"]);
    CHECK(troutes == c.routes);
    CHECK(t["team"] == c.receivers[0]);
  }
}

TEST_CASE("route tree: the shared walk, unit by unit: depth first, first match, continue, fallback to the parent", "[alertmanager][routes]") {
  struct Opts {
    Opts inherited() const { return {}; }
  };
  using R = verdict::alertmanager::Route<Opts>;
  auto route = [](std::string name, const std::string& matchers, bool cont = false) {
    R r;
    r.name = std::move(name);
    Error e;
    REQUIRE(verdict::alertmanager::parse_matchers(matchers, {}, r.matchers, e));
    r.cont = cont;
    return r;
  };
  R root = route("root", "");
  root.routes.push_back(route("a", R"(x="1")", true));
  root.routes.back().routes.push_back(route("a1", R"(y="1")"));
  root.routes.back().routes.push_back(route("a2", R"(y=~"1|2")"));  // after a1 matched: not tried
  root.routes.push_back(route("b", R"(x=~"1|2")"));
  root.routes.push_back(route("c", R"(x!="")"));  // after b matched without continue: not tried
  auto matched = [&](std::vector<std::pair<std::string, std::string>> labels) {
    std::vector<const R*> out, path;
    verdict::alertmanager::match_routes(root, [&](std::string_view name) -> std::string_view {
      for (const auto& [k, v] : labels)
        if (k == name) return v;
      return {};
    }, out, path);
    std::vector<std::string> names;
    for (const R* r : out) names.push_back(r->name);
    return names;
  };
  CHECK(matched({{"x", "1"}, {"y", "1"}}) == std::vector<std::string>{"a1", "b"});
  CHECK(matched({{"x", "1"}, {"y", "2"}}) == std::vector<std::string>{"a2", "b"});
  CHECK(matched({{"x", "1"}}) == std::vector<std::string>{"a", "b"});  // a's children fail: a itself
  CHECK(matched({{"x", "2"}}) == std::vector<std::string>{"b"});
  CHECK(matched({{"x", "3"}}) == std::vector<std::string>{"c"});
  CHECK(matched({}) == std::vector<std::string>{"root"});
}

TEST_CASE("TriageRouting and AlertDedup accept the same matcher strings and answer alike", "[alertmanager][matchers]") {
  // Each string is one route's matchers in both kinds; each label set is an alert.
  const std::vector<std::string> matchers = {
      R"(job:rate5m="x")",  // read as a name in both (it lints in both)
      R"(severity="critical")",
      R"(severity!="critical")",
      R"(service=~"pay.*")",
      R"(service!~"pay.*")",
      R"(team="")",
      R"(team!~".+")",
      R"({severity="critical", service=~"pay.*"})",
      R"(severity=critical,team=sre)",
      R"(msg="say \"hi\"")",
      R"(path=~"a\\b")",
      R"(title='x')",
  };
  const std::vector<std::string> alerts = {
      R"({"job:rate5m":"x","severity":"critical","service":"payments"})",
      R"({"severity":"warning","service":"my-payments","team":"sre"})",
      R"({"severity":"critical","team":"sre","msg":"say \"hi\""})",
      R"({"severity":"info","path":"a\\b","title":"'x'"})",
      R"({"title":"x"})",
  };
  for (const std::string& m : matchers) {
    INFO(m);
    json ms = json::array({m});
    std::string dedup = R"({"apiVersion":"verdict/v1","kind":"AlertDedup","metadata":{"name":"d"},"spec":{"route":{"receiver":"r","routes":[{"name":"m","matchers":)" +
                        ms.dump() + R"(}]}}})";
    std::string triage = R"({"apiVersion":"verdict/v1","kind":"TriageRouting","metadata":{"name":"t"},"spec":{"route":{"routes":[{"name":"m","matchers":)" +
                         ms.dump() + R"(}]}}})";
    Engine d, t;
    verdict::LoadReport ld = d.load_policies(dedup, "d.json"), lt = t.load_policies(triage, "t.json");
    INFO(ld.json << lt.json);
    REQUIRE(ld.ok());
    REQUIRE(lt.ok());
    // The answer of the matchers themselves, all of them on the labels.
    std::vector<Matcher> parsed;
    Error e;
    REQUIRE(verdict::alertmanager::parse_matchers(m, {}, parsed, e));
    for (const std::string& labels : alerts) {
      INFO(labels);
      json l = json::parse(labels);
      bool want = true;
      for (const Matcher& x : parsed) want = want && x.matches(l.contains(x.name) ? l[x.name].get<std::string>() : std::string());
      const std::string alert = R"({"labels":)" + labels + R"(,"startsAt":"2025-03-14T09:00:00Z"})";
      std::string dr = decide(d, alert)["alerts"][0]["groups"][0]["route"];
      std::string tr = decide(t, alert)["route"]["name"];
      CHECK(dr == (want ? "m" : "root"));
      CHECK(tr == (want ? "m" : "root"));
    }
  }
}

TEST_CASE("TriageRouting: a list in one matcher string, and an item of any is one matcher", "[alertmanager][triage]") {
  Engine e;
  auto r = e.load_policies(R"({"apiVersion":"verdict/v1","kind":"TriageRouting","metadata":{"name":"t"},"spec":{"route":{"routes":[
    {"name":"both","matchers":["{service=~\"pay.*\", environment=\"prod\"}"]},
    {"name":"bad","any":["a=\"1\",b=\"2\""]}]}}})",
                           "t.json");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  CHECK_THAT(r.errors[0].message, Catch::Contains("an item of \"any\" is one matcher"));
  CHECK(r.errors[0].line == 3);
  REQUIRE(e.load_policies(R"({"apiVersion":"verdict/v1","kind":"TriageRouting","metadata":{"name":"t"},"spec":{"route":{"routes":[
    {"name":"both","matchers":["{service=~\"pay.*\", environment=\"prod\"}"]}]}}})",
                          "t.json")
              .ok());
  EvalOptions o;
  o.explain = true;
  json d = json::parse(e.evaluate(R"({"service":"payments","environment":"prod"})", o).json);
  CHECK(d["decision"]["route"]["name"] == "both");
  // Each matcher of the list is explained on its own, as written in the list.
  CHECK(d["explain"]["routes"][1]["matchers"][0]["matcher"] == R"(service=~"pay.*")");
  CHECK(d["explain"]["routes"][1]["matchers"][1]["matcher"] == R"(environment="prod")");
  CHECK(json::parse(e.evaluate(R"({"service":"payments","environment":"dev"})", o).json)["decision"]["route"]["name"] == "root");
}

// ---------------------------------------------------------------------------------------
// Time intervals and the configuration import

namespace {

struct IntervalCase {
  std::string interval;  // JSON of one time interval (YAML scalars as strings)
  std::string window;    // the window's JSON, or "" when it is not converted
  std::vector<std::string> problems;  // pointer: start of message
};

}  // namespace

TEST_CASE("time intervals: weekdays, times, calendar days and location become windows, what cannot be said is a problem", "[alertmanager][intervals]") {
  const std::vector<IntervalCase> table = {
      {R"({"name":"bh","time_intervals":[{"weekdays":["monday:friday"],"times":[{"start_time":"08:00","end_time":"18:00"}],"location":"UTC"}]})",
       R"({"timezone":"UTC","times":[{"days":["mon","tue","wed","thu","fri"],"start":"08:00","end":"18:00"}]})", {}},
      // Weekday names in any case; two ranges of times are two weekly ranges; 24:00 ends the day.
      {R"({"name":"w","time_intervals":[{"weekdays":["Saturday","SUNDAY"],"times":[{"start_time":"00:00","end_time":"06:00"},{"start_time":"22:00","end_time":"24:00"}]}]})",
       R"({"timezone":"UTC","times":[{"days":["sat","sun"],"start":"00:00","end":"06:00"},{"days":["sat","sun"],"start":"22:00","end":"24:00"}]})", {}},
      // A range with no constraint is always active; several ranges are any of them.
      {R"({"name":"always","time_intervals":[{}]})", R"({"timezone":"UTC","times":[{}]})", {}},
      {R"({"name":"two","time_intervals":[{"weekdays":["monday"]},{"times":[{"start_time":"12:00","end_time":"13:00"}]}]})",
       R"({"timezone":"UTC","times":[{"days":["mon"]},{"start":"12:00","end":"13:00"}]})", {}},
      // Calendar constraints and a location convert too (issue 15): the window keeps them.
      {R"({"name":"bf","time_intervals":[{"months":["november"],"days_of_month":["-7:-1"]}]})",
       R"({"timezone":"UTC","times":[{"days_of_month":["-7:-1"],"months":["november"]}]})", {}},
      {R"({"name":"y","time_intervals":[{"years":["2025:2026"],"months":["1:3","dec"],"times":[{"start_time":"01:00","end_time":"02:00"},{"start_time":"03:00","end_time":"04:00"}]}]})",
       R"({"timezone":"UTC","times":[{"months":["1:3","dec"],"years":["2025:2026"],"start":"01:00","end":"02:00"},{"months":["1:3","dec"],"years":["2025:2026"],"start":"03:00","end":"04:00"}]})", {}},
      {R"({"name":"b","time_intervals":[{"location":"Europe/Berlin","weekdays":["monday"]},{"location":"Europe/Berlin","days_of_month":["1"]}]})",
       R"({"timezone":"Europe/Berlin","times":[{"days":["mon"]},{"days_of_month":["1"]}]})", {}},
      // One zone per window: ranges in two locations, or the host's Local zone, are not converted.
      {R"({"name":"b","time_intervals":[{"location":"Europe/Berlin","weekdays":["monday"]},{"weekdays":["friday"]}]})", "",
       {"/time_intervals/1/location: time interval \"b\": location UTC differs from Europe/Berlin"}},
      {R"({"name":"l","time_intervals":[{"location":"Local"}]})", "", {"/time_intervals/0/location: time interval \"l\": location Local"}},
      // What Alertmanager itself refuses.
      {R"({"name":"t","time_intervals":[{"times":[{"start_time":"9:00","end_time":"17:00"}]}]})", "",
       {"/time_intervals/0/times/0: time interval \"t\": start_time 9:00 is not HH:MM"}},
      {R"({"name":"t","time_intervals":[{"times":[{"start_time":"18:00","end_time":"08:00"}]}]})", "",
       {"/time_intervals/0/times/0: time interval \"t\": start_time 18:00 is not before end_time 08:00"}},
      {R"({"name":"t","time_intervals":[{"times":[{"start_time":"08:00"}]}]})", "",
       {"/time_intervals/0/times/0: time interval \"t\": both start_time and end_time must be given"}},
      {R"({"name":"d","time_intervals":[{"weekdays":["friday:monday"]}]})", "",
       {"/time_intervals/0/weekdays/0: time interval \"d\": weekday range friday:monday: the start day is after the end day"}},
      {R"({"name":"d","time_intervals":[{"weekdays":["funday"]}]})", "", {"/time_intervals/0/weekdays/0: time interval \"d\": weekday funday not understood"}},
      {R"({"name":"e","time_intervals":[{"weekdays":[]}]})", "", {"/time_intervals/0/weekdays: time interval \"e\": weekdays is an empty list"}},
      {R"({"name":"n","time_intervals":[]})", "", {"/time_intervals: time interval \"n\": no time_intervals"}},
      {R"({"name":"z","time_intervals":[{"location":"Europe/Berlinn"}]})", "",
       {"/time_intervals/0/location: time interval \"z\": location Europe/Berlinn is not a time zone"}},
      {R"({"name":"m","time_intervals":[{"months":["march:january"],"days_of_month":["0"],"years":["x"]}]})", "",
       {"/time_intervals/0/days_of_month/0: time interval \"m\": '0': days of the month are 1 to 31",
        "/time_intervals/0/months/0: time interval \"m\": 'march:january': the range is inverted",
        "/time_intervals/0/years/0: time interval \"m\": 'x' is not a year"}},
      {R"({"name":"k","time_intervals":[{"weekday":["monday"]}]})", "",
       {"/time_intervals/0/weekday: time interval \"k\": weekday is not a key of a time range"}},
      {R"({"time_intervals":[{}]})", "", {": a time interval without a name"}},
  };
  for (const IntervalCase& c : table) {
    INFO(c.interval);
    json window;
    std::vector<verdict::alertmanager::IntervalProblem> problems;
    bool ok = verdict::alertmanager::convert_time_interval(json::parse(c.interval), window, problems);
    CHECK(ok == !c.window.empty());
    if (!c.window.empty()) CHECK(window.dump() == json::parse(c.window).dump());
    REQUIRE(problems.size() == c.problems.size());
    for (size_t i = 0; i < problems.size(); ++i) CHECK_THAT(problems[i].pointer + ": " + problems[i].message, Catch::StartsWith(c.problems[i]));
  }
}

TEST_CASE("import: a configuration through the module's parser and tree, problems instead of silent drops", "[alertmanager][import]") {
  json config = json::parse(R"({
    "route": {"receiver": "default", "continue": "true", "group_wait": "1y", "routes": [
      {"match_re": {"service": "pay.*"}, "receiver": "payments", "continue": "yes"},
      {"matchers": ["{severity=\"critical\", team=~\"a|b\"}"], "receiver": "pager", "group_interval": "2w"},
      {"matchers": ["bad name=\"x\""], "receiver": "lost", "routes": [{"receiver": "lost-too"}]},
      {"match": {"team": "x"}, "receiver": "nowhere", "mute_time_intervals": ["missing"], "group_wait": "soon"}]},
    "receivers": [{"name": "default"}, {"name": "payments"}, {"name": "pager"}],
    "inhibit_rules": [{"source_match_re": {"alertname": ".+"}, "target_matchers": ["severity=warning"], "equal": ["node"]},
                      {"source_matchers": ["a=~\"(\""], "target_matchers": ["b=1"]}],
    "tracing": {}
  })");
  verdict::alertmanager::ImportResult r = verdict::alertmanager::import_config(config, "t", "t.yml");
  REQUIRE(r.ok);
  std::vector<std::string> problems;
  for (const auto& p : r.problems) problems.push_back(p.pointer + ": " + p.message);
  INFO(json(problems).dump(1));
  const json& triage = r.policies[0]["spec"]["route"];
  const json& dedup = r.policies[1]["spec"]["route"];
  // match_re is anchored as Alertmanager keeps it; a list in one string is split; years are
  // 365 days (Prometheus's model.Duration); continue reads YAML's booleans.
  CHECK(dedup["routes"][0]["matchers"] == json::array({R"(service=~"^(?:pay.*)$")"}));
  CHECK(dedup["routes"][0]["continue"] == true);
  CHECK(triage["routes"][0]["matchers"] == json::array({R"(labels.service=~"^(?:pay.*)$")"}));
  CHECK(dedup["routes"][1]["matchers"] == json::array({R"(severity="critical")", R"(team=~"a|b")"}));
  CHECK(dedup["group_wait"] == "365d");
  CHECK(dedup["routes"][1]["group_interval"] == "2w");
  // The route whose matcher cannot be read is left out with its children (reported).
  REQUIRE(dedup["routes"].size() == 3);
  CHECK(dedup["routes"][2]["receiver"] == "nowhere");
  CHECK_FALSE(dedup["routes"][2].contains("group_wait"));
  CHECK_FALSE(dedup["routes"][2].contains("mute_windows"));
  CHECK_FALSE(dedup.contains("continue"));
  REQUIRE(r.policies[1]["spec"]["inhibit_rules"].size() == 1);
  CHECK(r.policies[1]["spec"]["inhibit_rules"][0]["source_matchers"] == json::array({R"(alertname=~"^(?:.+)$")"}));
  CHECK(r.routes == 4);
  auto has = [&](const std::string& part) {
    for (const auto& p : problems)
      if (p.find(part) != std::string::npos) return true;
    return false;
  };
  CHECK(has("/route/continue: continue on the root route"));
  CHECK(has("/route/routes/2/matchers/0: matchers: bad matcher format: bad name=\"x\""));
  CHECK(has("/route/routes/2: the route at 0.2 is not converted, nor the routes below it"));
  CHECK(has("/route/routes/3/mute_time_intervals/0: mute_time_intervals names \"missing\""));
  CHECK(has("/route/routes/3/group_wait: group_wait soon is not a duration"));
  CHECK(has("/inhibit_rules/1/source_matchers/0: source_matchers: invalid regex"));
  CHECK(has("/inhibit_rules/1: inhibition rule 2 is not converted"));
  CHECK(has("/route: receiver \"nowhere\" is used by a route but not declared"));
  CHECK(has("/tracing: tracing is not converted"));
  // Both policies load.
  Engine e;
  verdict::LoadReport lr = e.load_policies(r.policies.dump(), "t.json");
  INFO(lr.json);
  CHECK(lr.ok());
  CHECK_FALSE(verdict::alertmanager::import_config(json::parse(R"({"receivers": []})"), "t", "t.yml").ok);
}

TEST_CASE("import: an imported match_re route groups under Alertmanager's own key", "[alertmanager][import]") {
  json config = json::parse(R"({"route": {"receiver": "d", "group_by": ["alertname"], "routes": [
    {"match": {"severity": "critical"}, "receiver": "pager", "routes": [{"match_re": {"service": "payments-.*|refunds"}, "receiver": "pay"}]}]},
    "receivers": [{"name": "d"}, {"name": "pager"}, {"name": "pay"}]})");
  verdict::alertmanager::ImportResult r = verdict::alertmanager::import_config(config, "k", "k.yml");
  Engine e;
  REQUIRE(e.load_policies(r.policies.dump(), "k.json").ok());
  verdict::AlertOptions o;
  o.now = "2025-03-14T10:00:00Z";
  verdict::AlertReport a = e.alerts_push(R"({"labels":{"alertname":"X","severity":"critical","service":"payments-api"}})", o);
  json line = json::parse(a.json.substr(0, a.json.find('\n')));
  // What Alertmanager 0.25 writes for this tree (dispatch/route.go Key(), config.Regexp).
  CHECK(line["groups"][0]["key"] == R"({}/{severity="critical"}/{service=~"^(?:payments-.*|refunds)$"}:{alertname="X"})");
  CHECK(line["groups"][0]["receiver"] == "pay");
}

TEST_CASE("import: what Alertmanager refuses is invalid, what it accepts but verdict cannot convert is lost, a time restriction is never dropped", "[alertmanager][import]") {
  using verdict::alertmanager::ProblemKind;
  auto kinds = [](const std::string& text) {
    verdict::alertmanager::ImportResult r = verdict::alertmanager::import_config(json::parse(text), "t", "t.yml");
    std::vector<std::string> out;
    for (const auto& p : r.problems)
      out.push_back(std::string(p.kind == ProblemKind::kLost ? "lost " : p.kind == ProblemKind::kInvalid ? "invalid " : "time ") + p.pointer);
    return out;
  };
  using V = std::vector<std::string>;
  // Lossless: every key converted.
  CHECK(kinds(R"({"route": {"receiver": "a", "group_by": ["x"], "routes": [{"matchers": ["s=\"1\""], "receiver": "a",
    "mute_time_intervals": ["w"]}]}, "receivers": [{"name": "a"}],
    "time_intervals": [{"name": "w", "time_intervals": [{"weekdays": ["saturday"], "location": "Europe/Berlin"}]}]})")
            .empty());
  // Valid for Alertmanager, not converted: integrations, global settings, templates.
  CHECK(kinds(R"({"global": {"resolve_timeout": "5m"}, "templates": ["x.tmpl"], "route": {"receiver": "a"},
    "receivers": [{"name": "a", "slack_configs": [{"channel": "#x"}]}]})") ==
        V{"lost /receivers/0/slack_configs", "lost /global/resolve_timeout", "lost /templates"});
  // What amtool check-config refuses: unknown keys at each level, an undeclared or duplicate
  // receiver, a root without receiver, continue or intervals on the root, an undefined
  // interval, zero intervals, '...' with other labels.
  CHECK(kinds(R"({"route": {"receiver": "a", "recevier": "b"}, "receivers": [{"name": "a"}], "colour": 1})") ==
        V{"invalid /route/recevier", "invalid /colour"});
  CHECK(kinds(R"({"global": {"smarthost": "x"}, "route": {"receiver": "a"}, "receivers": [{"name": "a", "slack": []}, {"name": "a"}]})") ==
        V{"invalid /receivers/0/slack", "invalid /receivers/1/name", "invalid /global/smarthost"});
  CHECK(kinds(R"({"route": {"routes": [{"receiver": "b"}]}, "receivers": [{"name": "a"}]})") == V{"invalid /route", "invalid /route"});
  CHECK(kinds(R"({"route": {"receiver": "a", "continue": true, "mute_time_intervals": ["w"]}, "receivers": [{"name": "a"}],
    "time_intervals": [{"name": "w", "time_intervals": [{}]}]})") ==
        V{"invalid /route/continue", "invalid /route/mute_time_intervals"});
  CHECK(kinds(R"({"route": {"receiver": "a", "routes": [{"receiver": "a", "active_time_intervals": ["nope"], "group_interval": "0s",
    "group_by": ["...", "x"]}]}, "receivers": [{"name": "a"}]})") ==
        V{"invalid /route/routes/0/group_by", "invalid /route/routes/0/group_interval", "invalid /route/routes/0/active_time_intervals/0"});
  // A time interval verdict cannot convert is lost when no route uses it, and stops the
  // import when one does (the route would be active, or unmuted, around the clock).
  const std::string local = R"("time_intervals": [{"name": "w", "time_intervals": [{"location": "Local"}]}])";
  CHECK(kinds(R"({"route": {"receiver": "a"}, "receivers": [{"name": "a"}], )" + local + "}") == V{"lost /time_intervals/0/time_intervals/0/location"});
  CHECK(kinds(R"({"route": {"receiver": "a", "routes": [{"receiver": "a", "active_time_intervals": ["w"]}]}, "receivers": [{"name": "a"}], )" +
              local + "}") == V{"lost /time_intervals/0/time_intervals/0/location", "time /route/routes/0/active_time_intervals/0"});
}
