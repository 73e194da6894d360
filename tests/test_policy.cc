// Policies through verdict::Engine (core/src/policy/, core/src/engine_policy.cc):
// loading a Rules policy, the exact bytes of a decision, lint errors at
// file:line:column, run-time errors located in the policy file, explanations, the
// bundle digest, modes, defaults and let, and NDJSON input.
//
// Policy files are written line by line so that expected lines and columns (1-based,
// counted in bytes) can be checked by eye.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "verdict/engine.h"

using verdict::DecisionClass;
using verdict::Engine;
using verdict::Error;
using verdict::ErrorCode;
using verdict::EvalOptions;
using verdict::EvalReport;
using verdict::InputFormat;
using verdict::LoadReport;
using json = nlohmann::ordered_json;

namespace {

constexpr const char* kNow = "2026-03-01T12:00:00Z";

std::string lines(std::initializer_list<std::string_view> ls) {
  std::string out;
  for (auto l : ls) {
    out.append(l);
    out.push_back('\n');
  }
  return out;
}

std::string code_name(ErrorCode c) { return verdict::error_code_name(c); }

// "code line:column" of an error, for compact comparisons.
std::string where(const Error& e) {
  return code_name(e.code) + " " + std::to_string(e.line) + ":" + std::to_string(e.column);
}

std::vector<std::string> all_where(const std::vector<Error>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(where(e));
  return out;
}

// A policy with comments: two rules, the second a catch-all.
const std::string kTriage = lines({
    "// A small triage policy.",
    "{",
    "  \"apiVersion\": \"verdict/v1\",",
    "  \"kind\": \"Rules\",",
    "  /* who we are */",
    "  \"metadata\": {\"name\": \"triage\", \"version\": \"1.2.0\"},",
    "  \"spec\": {",
    "    \"input\": \"incident\",",
    "    \"rules\": [",
    "      {\"name\": \"p1\", \"when\": \"incident.priority == 'P1'\", \"set\": {\"outcome\": \"'review'\", \"team\": \"'sre'\"}, "
    "\"reason\": \"P1 needs review\"},",
    "      {\"name\": \"rest\", \"when\": \"true\", \"set\": {\"outcome\": \"'allow'\"}}",
    "    ]",
    "  }",
    "}",
});

EvalOptions at_now() {
  EvalOptions o;
  o.now = kNow;
  o.format = InputFormat::kJson;
  o.source = "input.json";
  return o;
}

LoadReport load_ok(Engine& engine, const std::string& text, const std::string& source = "policy.json") {
  LoadReport r = engine.load_policies(text, source);
  INFO(r.json);
  REQUIRE(r.ok());
  return r;
}

LoadReport lint(const std::string& text, const std::string& source = "policy.json") {
  Engine engine;
  return engine.lint(text, source);
}

}  // namespace

// ---------------------------------------------------------------------------
// Loading and deciding

TEST_CASE("a Rules policy with comments loads", "[policy]") {
  Engine engine;
  LoadReport r = load_ok(engine, kTriage);
  CHECK(r.loaded == std::vector<std::string>{"triage"});
  CHECK(r.warnings.empty());
  CHECK(r.json == R"({"ok":true,"loaded":["triage"],"errors":[],"warnings":[]})");
  CHECK(engine.policy_names() == std::vector<std::string>{"triage"});
}

TEST_CASE("a decision has exactly the expected bytes", "[policy]") {
  Engine engine;
  load_ok(engine, kTriage);
  const std::string digest = engine.bundle_digest();
  REQUIRE(digest.size() == 7 + 64);
  CHECK(digest.rfind("sha256:", 0) == 0);

  EvalReport r = engine.evaluate(R"({"priority": "P1", "title": "x"})", at_now());
  CHECK(r.ok());
  CHECK(r.decisions == 1);
  CHECK(r.worst == DecisionClass::kReview);
  CHECK(r.json == R"({"ok":true,"policy":{"name":"triage","version":"1.2.0","kind":"Rules"},"bundle":")" + digest +
                      R"(","now":"2026-03-01T12:00:00Z","decision":{"matched":[{"rule":"p1","reason":"P1 needs review"}],)"
                      R"("outputs":{"outcome":"review","team":"sre"}},"errors":[]})");

  r = engine.evaluate(R"({"priority": "P3"})", at_now());
  CHECK(r.worst == DecisionClass::kAllowed);
  CHECK(r.json == R"({"ok":true,"policy":{"name":"triage","version":"1.2.0","kind":"Rules"},"bundle":")" + digest +
                      R"(","now":"2026-03-01T12:00:00Z","decision":{"matched":[{"rule":"rest"}],)"
                      R"("outputs":{"outcome":"allow"}},"errors":[]})");
}

TEST_CASE("a decision without now has no now member", "[policy]") {
  Engine engine;
  load_ok(engine, kTriage);
  EvalOptions o;
  EvalReport r = engine.evaluate(R"({"priority": "P1"})", o);
  CHECK(r.ok());
  CHECK(r.json.find("\"now\"") == std::string::npos);
}

TEST_CASE("an outcome of deny makes the decision denied", "[policy]") {
  Engine engine;
  load_ok(engine, lines({
                      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "gate"},)",
                      R"( "spec": {"input": "change", "rules": [)",
                      R"(  {"name": "no-friday", "when": "now.weekday() == 5", "set": {"outcome": "'deny'"}},)",
                      R"(  {"name": "sunday", "when": "now.weekday() == 0", "set": {"outcome": "'deny'"}})",
                      R"( ]}})",
                  }));
  EvalReport r = engine.evaluate(R"({"title": "deploy"})", at_now());  // a Sunday
  CHECK(r.ok());
  CHECK(r.worst == DecisionClass::kDenied);
}

TEST_CASE("evaluate needs a loaded policy and a valid now", "[policy]") {
  Engine engine;
  EvalReport r = engine.evaluate("{}", at_now());
  CHECK_FALSE(r.ok());
  CHECK(r.worst == DecisionClass::kError);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kNotFound);

  load_ok(engine, kTriage);
  EvalOptions o = at_now();
  o.now = "2026-03-01T12:00:00";  // no zone
  r = engine.evaluate("{}", o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kInvalidArgument);

  o = at_now();
  o.policy = "nope";
  r = engine.evaluate("{}", o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kNotFound);
}

// ---------------------------------------------------------------------------
// Lint errors at file:line:column

TEST_CASE("a broken expression is located inside its JSON string", "[policy][lint]") {
  // Line 3, the "when" string opens at column 26; two \" escapes come before the
  // error, each two bytes in the file and one in the expression.
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"input": "incident", "rules": [)",
      R"(  {"name": "r1", "when": "incident.title == \"a\" && incident.titel == 'x'"})",
      R"( ]}})",
  });
  LoadReport r = lint(text, "p.json");
  REQUIRE(r.errors.size() == 1);
  const Error& e = r.errors[0];
  CHECK(e.code == ErrorCode::kUnknownName);
  CHECK(e.source == "p.json");
  CHECK(e.line == 3);
  CHECK(e.column == 63);
  CHECK(text.substr(static_cast<size_t>(e.offset), 5) == "titel");
  CHECK_THAT(e.message, Catch::Contains("did you mean 'title'"));
  CHECK_THAT(e.to_string(), Catch::StartsWith("p.json:3:63: "));
}

TEST_CASE("a unicode escape before the error counts as the bytes of the file", "[policy][lint]") {
  // \u00e9 is six bytes in the file and two (UTF-8 é) in the expression.
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"input": "incident", "rules": [)",
      R"(  {"name": "r1", "when": "incident.title == '\u00e9' && incident.titel == 'x'"})",
      R"( ]}})",
  });
  LoadReport r = lint(text);
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "unknown_name 3:66");
  CHECK(text.substr(static_cast<size_t>(r.errors[0].offset), 5) == "titel");
}

TEST_CASE("a syntax error in a rule is located at its byte", "[policy][lint]") {
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"input": "incident", "rules": [)",
      R"(  {"name": "ok", "when": "true"},)",
      R"(  {"name": "b", "when": "incident.priority = 'P1'"})",
      R"( ]}})",
  });
  LoadReport r = lint(text);
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "syntax_error 4:44");
  CHECK_THAT(r.errors[0].message, Catch::Contains("'=='"));
}

TEST_CASE("an unknown top-level key and a missing spec are both reported", "[policy][lint]") {
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spek": {"rules": []}})",
  });
  LoadReport r = lint(text);
  CHECK(all_where(r.errors) == std::vector<std::string>{"invalid_policy 2:2", "invalid_policy 1:1"});
  REQUIRE(r.errors.size() == 2);
  CHECK_THAT(r.errors[0].message, Catch::Contains("unknown key \"spek\""));
  CHECK_THAT(r.errors[1].message, Catch::Contains("missing \"spec\""));
}

TEST_CASE("apiVersion must be verdict/v1", "[policy][lint]") {
  LoadReport r = lint(R"({"apiVersion": "verdict/v2", "kind": "Rules", "metadata": {"name": "p"}, "spec": {"rules": []}})");
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "invalid_policy 1:16");
  CHECK_THAT(r.errors[0].message, Catch::Contains("unsupported apiVersion \"verdict/v2\""));

  r = lint(R"({"kind": "Rules", "metadata": {"name": "p"}, "spec": {"rules": []}})");
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "invalid_policy 1:1");
  CHECK_THAT(r.errors[0].message, Catch::Contains("missing \"apiVersion\""));
}

TEST_CASE("an unknown kind is unknown_name at the kind", "[policy][lint]") {
  LoadReport r = lint(R"({"apiVersion": "verdict/v1", "kind": "Rulez", "metadata": {"name": "p"}, "spec": {}})");
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "unknown_name 1:38");
  CHECK_THAT(r.errors[0].message, Catch::Contains("known: Rules"));
}

TEST_CASE("a duplicate key in the policy file is duplicate_key at the second key", "[policy][lint]") {
  LoadReport r = lint(lines({R"({"apiVersion": "verdict/v1", "kind": "Rules",)", R"( "kind": "Rules"})"}));
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "duplicate_key 2:2");
  CHECK_THAT(r.errors[0].message, Catch::Contains("\"kind\""));

  r = lint(lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"rules": [{"name": "a", "when": "true", "when": "false"}]}})",
  }));
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "duplicate_key 2:51");
}

TEST_CASE("invalid JSON is invalid_json at the syntax error", "[policy][lint]") {
  LoadReport r = lint(lines({R"({"apiVersion": "verdict/v1",)", R"( "kind": })"}));
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "invalid_json 2:10");

  r = lint(lines({"// only a comment", R"({"apiVersion": "verdict/v1", "kind": "Rules",})"}));
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "invalid_json 2:46");

  r = lint("");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kEmptyInput);
}

TEST_CASE("a when that is not a condition is a type_error at the value", "[policy][lint]") {
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"input": "incident", "rules": [)",
      R"(  {"name": "a", "when": "'yes'"},)",
      R"(  {"name": "b", "when": "1 + 2"},)",
      R"(  {"name": "c", "when": 3},)",
      R"(  {"name": "d", "when": "incident.title"},)",
      R"(  {"name": "e", "when": true})",
      R"( ]}})",
  });
  LoadReport r = lint(text);
  // d (a field, any type) and e (the JSON constant true) are accepted.
  CHECK(all_where(r.errors) == std::vector<std::string>{"type_error 3:25", "type_error 4:25", "type_error 5:25"});
  REQUIRE(r.errors.size() == 3);
  CHECK_THAT(r.errors[0].message, Catch::Contains("this is a string"));
  CHECK_THAT(r.errors[1].message, Catch::Contains("must be a condition (a bool)") && Catch::Contains("int"));
}

TEST_CASE("every error of a file is reported, and nothing of it loads", "[policy][lint]") {
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"input": "incident", "rules": [)",
      R"(  {"name": "a", "when": "'yes'"},)",
      R"(  {"name": "b", "when": "incident.priority = 'P1'"},)",
      R"(  {"name": "c", "when": "incident.nope > 1", "colour": "red"})",
      R"( ]}})",
  });
  LoadReport r = lint(text);
  CHECK(all_where(r.errors) ==
        std::vector<std::string>{"type_error 3:25", "syntax_error 4:44", "invalid_policy 5:46", "unknown_name 5:35"});

  Engine engine;
  LoadReport loaded = engine.load_policies(text, "policy.json");
  CHECK_FALSE(loaded.ok());
  CHECK(loaded.loaded.empty());
  CHECK(engine.policy_names().empty());
  json j = json::parse(loaded.json);
  CHECK(j["ok"] == false);
  CHECK(j["errors"].size() == 4);
  CHECK(j["errors"][1] == json::parse(R"({"code":"syntax_error","message":"'=' is not an operator: write '==' to compare",)"
                                      R"("source":"policy.json","offset":192,"line":4,"column":44})"));
}

TEST_CASE("lint loads nothing", "[policy][lint]") {
  Engine engine;
  LoadReport r = engine.lint(kTriage, "policy.json");
  CHECK(r.ok());
  CHECK(r.loaded == std::vector<std::string>{"triage"});
  CHECK(engine.policy_names().empty());
}

TEST_CASE("other malformed parts of a Rules spec", "[policy][lint]") {
  struct Case {
    std::string spec;
    std::string want;  // "code line:column" of the only error
    const char* message_part;
  };
  const std::vector<Case> cases = {
      {R"({"mode": "sometimes", "rules": []})", "invalid_policy 2:19", "mode is \"first\" or \"all\""},
      {R"({"input": "incident", "let": {"incident": "1"}, "rules": []})", "invalid_policy 2:40", "already a variable"},
      {R"({"let": {"a": "b + 1", "b": "1"}, "rules": []})", "unknown_name 2:25", "unknown variable 'b'"},
      {R"({"rules": [{"when": "true"}]})", "invalid_policy 2:21", "missing \"name\""},
      {R"({"rules": [{"name": "x"}]})", "invalid_policy 2:21", "missing \"when\""},
      {R"({"rules": [{"name": "x", "when": "true"}, {"name": "x", "when": "false"}]})", "invalid_policy 2:61",
       "already named \"x\""},
      {R"({"rules": "none"})", "invalid_policy 2:20", "\"rules\" must be an array"},
      {R"({})", "invalid_policy 2:10", "missing \"rules\""},
      {R"({"rules": [], "extra": 1})", "invalid_policy 2:24", "unknown key \"extra\""},
  };
  for (const auto& c : cases) {
    const std::string text = lines({R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
                                    " \"spec\": " + c.spec + "}"});
    INFO(text);
    LoadReport r = lint(text);
    REQUIRE(r.errors.size() == 1);
    CHECK(where(r.errors[0]) == c.want);
    CHECK_THAT(r.errors[0].message, Catch::Contains(c.message_part));
  }
}

TEST_CASE("errors in the second policy of an array are located in that policy", "[policy][lint]") {
  // Pointers start at the policy's own ("/1/spec/..."), not at "/spec".
  const std::string text = lines({
      "[",
      R"( {"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "a"},)",
      R"(  "spec": {"rules": [{"name": "r", "when": "true"}]}},)",
      R"( {"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "b"},)",
      R"(  "spec": {"rules": [{"name": "r", "when": "input.x = 1"}]}})",
      "]",
  });
  LoadReport r = lint(text);
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "syntax_error 5:53");
}

TEST_CASE("run-time errors in the second policy of an array are located in that policy", "[policy]") {
  const std::string text = lines({
      "[",
      R"( {"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "a"},)",
      R"(  "spec": {"rules": [{"name": "r", "when": "true"}]}},)",
      R"( {"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "b"},)",
      R"(  "spec": {"rules": [{"name": "r", "when": "int(input.x) > 1"}]}})",
      "]",
  });
  Engine engine;
  load_ok(engine, text);
  EvalOptions o = at_now();
  o.policy = "b";
  EvalReport r = engine.evaluate(R"({"x": "seven"})", o);
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "eval_error 5:45");
}

// ---------------------------------------------------------------------------
// Run-time errors and explanations

namespace {

const std::string kTwoRules = lines({
    R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
    R"( "spec": {"input": "incident", "mode": "all", "rules": [)",
    R"(  {"name": "bad", "when": "int(incident.title) > 3", "set": {"x": "1"}},)",
    R"(  {"name": "good", "when": "incident.priority == 'P1'", "set": {"y": "2"}})",
    R"( ]}})",
});

}  // namespace

TEST_CASE("a run-time error is located in the policy file and the other rules still decide", "[policy]") {
  Engine engine;
  load_ok(engine, kTwoRules, "pol.json");
  EvalReport r = engine.evaluate(R"({"priority": "P1", "title": "x"})", at_now());
  CHECK(r.worst == DecisionClass::kError);
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "eval_error 3:28");
  CHECK(r.errors[0].source == "pol.json");
  CHECK(kTwoRules.substr(static_cast<size_t>(r.errors[0].offset), 4) == "int(");

  json j = json::parse(r.json);
  CHECK(j["ok"] == false);
  CHECK(j["decision"].dump() == R"({"matched":[{"rule":"good"}],"outputs":{"y":2}})");
  CHECK(j["errors"].dump() ==
        R"([{"code":"eval_error","message":"int() of 'x': not an integer","source":"pol.json","offset":157,"line":3,"column":28}])");

  // The same policy on a document where int() works: no error, both rules match.
  r = engine.evaluate(R"({"priority": "P1", "title": "5"})", at_now());
  CHECK(r.ok());
  CHECK(json::parse(r.json)["decision"].dump() == R"({"matched":[{"rule":"bad"},{"rule":"good"}],"outputs":{"x":1,"y":2}})");
}

TEST_CASE("a run-time error in a set expression is located too", "[policy]") {
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"rules": [)",
      R"(  {"name": "r", "when": "true", "set": {"ratio": "input.a / input.b"}})",
      R"( ]}})",
  });
  Engine engine;
  load_ok(engine, text);
  EvalReport r = engine.evaluate(R"({"a": 1, "b": 0})", at_now());
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "eval_error 3:59");
  CHECK_THAT(r.errors[0].message, Catch::Contains("division by zero"));
  CHECK(json::parse(r.json)["decision"].dump() == R"({"matched":[{"rule":"r"}],"outputs":{"ratio":null}})");
}

TEST_CASE("a run-time error in a let is located and the let reads as null", "[policy]") {
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"x( "spec": {"let": {"n": "int(input.s)"}, "rules": [{"name": "r", "when": "n > 1"}]}})x",
  });
  Engine engine;
  load_ok(engine, text);
  EvalOptions o = at_now();
  o.explain = true;
  EvalReport r = engine.evaluate(R"({"s": "x"})", o);
  REQUIRE(r.errors.size() == 1);
  CHECK(where(r.errors[0]) == "eval_error 2:25");
  json j = json::parse(r.json);
  CHECK(j["decision"].dump() == R"({"matched":[],"outputs":{}})");
  CHECK(j["explain"].dump() ==
        R"({"let":{"n":null},"rules":[{"rule":"r","when":"n > 1","matched":false,"values":{"n":null}}]})");
}

TEST_CASE("errors are located under keys with / and ~ and after comments and escapes", "[policy][lint]") {
  // JSON pointers escape / and ~; a comment may hold quotes; \\ and \/ are two bytes
  // in the file and one in the expression.
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"let": {"a/b": "input.x +", "c~d": "1"}, "rules": [{"name": "r", "when": "a\\b == 1"}]}})",
      R"( /* a "quoted" comment */)",
  });
  LoadReport r = lint(text);
  CHECK(all_where(r.errors) == std::vector<std::string>{"syntax_error 2:36", "syntax_error 2:86"});

  const std::string comment = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"}, /* "x" // */)",
      R"( // a line comment with "quotes)",
      R"( "spec": {"rules": [{"name": "r", "when": "'\/\\' == x"}]}})",
  });
  r = lint(comment);
  CHECK(all_where(r.errors) == std::vector<std::string>{"syntax_error 3:44"});  // the unterminated string
}

TEST_CASE("a policy file that starts with a byte order mark has the same positions", "[policy][lint]") {
  // nlohmann skips the UTF-8 BOM, but the tokenizer that maps JSON pointers to
  // positions does not, so every position after it is shifted by a token.
  const std::string body = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"rules": [{"name": "r", "when": "input.x = 1"}]}})",
  });
  LoadReport plain = lint(body);
  REQUIRE(plain.errors.size() == 1);
  CHECK(where(plain.errors[0]) == "syntax_error 2:52");
  LoadReport bom = lint("\xEF\xBB\xBF" + body);
  REQUIRE(bom.errors.size() == 1);
  CHECK(where(bom.errors[0]) == "syntax_error 2:52");
}

TEST_CASE("explain lists each rule considered with matched and the values read", "[policy]") {
  Engine engine;
  load_ok(engine, kTwoRules, "pol.json");
  EvalOptions o = at_now();
  o.explain = true;
  EvalReport r = engine.evaluate(R"({"priority": "P1", "title": "x"})", o);
  json j = json::parse(r.json);
  CHECK(j["explain"].dump() ==
        R"({"let":{},"rules":[)"
        R"({"rule":"bad","when":"int(incident.title) > 3","matched":false,"values":{"incident.title":"x"},)"
        R"("error":"int() of 'x': not an integer"},)"
        R"({"rule":"good","when":"incident.priority == 'P1'","matched":true,"values":{"incident.priority":"P1"}}]})");

  // A missing field is read as null; in "first" mode only the rules up to the match appear.
  Engine triage;
  load_ok(triage, kTriage);
  r = triage.evaluate(R"({"title": "x"})", o);
  j = json::parse(r.json);
  CHECK(j["explain"].dump() ==
        R"({"let":{},"rules":[)"
        R"({"rule":"p1","when":"incident.priority == 'P1'","matched":false,"values":{"incident.priority":null}},)"
        R"({"rule":"rest","when":"true","matched":true}]})");

  // Without explain there is no explain member.
  r = triage.evaluate(R"({"title": "x"})", at_now());
  CHECK_FALSE(json::parse(r.json).contains("explain"));
}

// ---------------------------------------------------------------------------
// The bundle digest

namespace {

std::string named_policy(const std::string& name, const std::string& when) {
  return R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": ")" + name +
         R"("}, "spec": {"rules": [{"name": "r", "when": ")" + when + R"("}]}})";
}

}  // namespace

TEST_CASE("the bundle digest changes with a policy and not with the load order", "[policy]") {
  const std::string a = named_policy("a", "input.x > 1");
  const std::string b = named_policy("b", "input.y == 'z'");

  Engine one;
  load_ok(one, a, "a.json");
  const std::string only_a = one.bundle_digest();
  load_ok(one, b, "b.json");
  const std::string a_then_b = one.bundle_digest();

  Engine two;
  load_ok(two, b, "b.json");
  load_ok(two, a, "a.json");
  CHECK(two.bundle_digest() == a_then_b);
  CHECK(a_then_b != only_a);

  // One array file holding both, in either order.
  Engine three;
  load_ok(three, "[" + b + "," + a + "]", "both.json");
  CHECK(three.bundle_digest() == a_then_b);

  // A changed expression changes it; replacing the policy by name keeps one policy.
  load_ok(two, named_policy("a", "input.x > 2"), "a.json");
  CHECK(two.policy_names().size() == 2);
  CHECK(two.bundle_digest() != a_then_b);
  load_ok(two, a, "a.json");
  CHECK(two.bundle_digest() == a_then_b);
}

TEST_CASE("the bundle digest ignores comments and formatting", "[policy]") {
  Engine one;
  load_ok(one, named_policy("a", "input.x > 1"));
  Engine two;
  load_ok(two, "// the same policy, laid out differently\n" +
                   lines({"{",
                          R"(  "apiVersion": "verdict/v1",)",
                          R"(  "kind": "Rules",)",
                          R"(  "metadata": {"name": "a"},  /* same name */)",
                          R"(  "spec": {"rules": [{"name": "r", "when": "input.x > 1"}]})",
                          "}"}));
  CHECK(one.bundle_digest() == two.bundle_digest());
}

TEST_CASE("the bundle digest covers the data", "[policy]") {
  Engine engine;
  load_ok(engine, kTriage);
  const std::string before = engine.bundle_digest();
  LoadReport d = engine.load_data(R"({"kind": "cmdb", "items": [{"id": "db", "name": "DB", "tier": 1}]})", "cmdb.json");
  REQUIRE(d.ok());
  CHECK(engine.bundle_digest() != before);
}

// ---------------------------------------------------------------------------
// Modes, defaults, let

namespace {

std::string two_rule_policy(const std::string& mode) {
  return lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "m"},)",
      R"( "spec": {)" + (mode.empty() ? std::string() : "\"mode\": \"" + mode + "\", ") + R"("rules": [)",
      R"(  {"name": "r1", "when": "input.a > 0", "set": {"x": "'r1'", "a": "1"}},)",
      R"(  {"name": "r2", "when": "input.a > 1", "set": {"x": "'r2'", "b": "2"}})",
      R"( ]}})",
  });
}

std::string decision_of(Engine& engine, std::string_view input) {
  EvalReport r = engine.evaluate(input, at_now());
  INFO(r.json);
  REQUIRE(r.ok());
  return json::parse(r.json)["decision"].dump();
}

}  // namespace

TEST_CASE("mode first stops at the first match and mode all applies every match in order", "[policy]") {
  Engine first;
  load_ok(first, two_rule_policy(""));
  CHECK(decision_of(first, R"({"a": 5})") == R"({"matched":[{"rule":"r1"}],"outputs":{"x":"r1","a":1}})");
  Engine first_explicit;
  load_ok(first_explicit, two_rule_policy("first"));
  CHECK(decision_of(first_explicit, R"({"a": 5})") == R"({"matched":[{"rule":"r1"}],"outputs":{"x":"r1","a":1}})");

  Engine all;
  load_ok(all, two_rule_policy("all"));
  CHECK(decision_of(all, R"({"a": 5})") ==
        R"({"matched":[{"rule":"r1"},{"rule":"r2"}],"outputs":{"x":"r2","a":1,"b":2}})");
  CHECK(decision_of(all, R"({"a": 1})") == R"({"matched":[{"rule":"r1"}],"outputs":{"x":"r1","a":1}})");
  CHECK(decision_of(all, R"({})") == R"({"matched":[],"outputs":{}})");
}

TEST_CASE("defaults and let, a let using an earlier let", "[policy]") {
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "sev"},)",
      R"( "spec": {)",
      R"(  "input": "incident",)",
      R"(  "let": {"sev": "incident.affected_users > 100 ? 'high' : 'low'", "is_high": "sev == 'high'",)",
      R"x(          "names": "incident.tags.map(t, t.upper())"},)x",
      R"(  "defaults": {"outcome": "'allow'", "severity": "sev"},)",
      R"(  "rules": [{"name": "big", "when": "is_high", "set": {"outcome": "'review'", "first": "names[0]"}}])",
      R"( }})",
  });
  Engine engine;
  load_ok(engine, text);
  CHECK(decision_of(engine, R"({"affected_users": 500, "tags": ["a", "b"]})") ==
        R"({"matched":[{"rule":"big"}],"outputs":{"outcome":"review","severity":"high","first":"A"}})");
  CHECK(decision_of(engine, R"({"affected_users": 5})") == R"({"matched":[],"outputs":{"outcome":"allow","severity":"low"}})");
  CHECK(decision_of(engine, R"({})") == R"({"matched":[],"outputs":{"outcome":"allow","severity":"low"}})");

  EvalOptions o = at_now();
  o.explain = true;
  EvalReport r = engine.evaluate(R"({"affected_users": 500, "tags": ["a"]})", o);
  CHECK(json::parse(r.json)["explain"]["let"].dump() == R"({"sev":"high","is_high":true,"names":["A"]})");
}

TEST_CASE("a rule after one that always matches is unreachable: a lint warning", "[policy][lint]") {
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"input": "incident", "rules": [)",
      R"(  {"name": "all", "when": "true"},)",
      R"(  {"name": "b", "when": "incident.priority == 'P2'"})",
      R"( ]}})",
  });
  Engine engine;
  LoadReport r = load_ok(engine, text);  // a warning does not stop loading
  REQUIRE(r.warnings.size() == 1);
  CHECK(where(r.warnings[0]) == "invalid_policy 4:3");
  CHECK_THAT(r.warnings[0].message, Catch::Contains("rule \"b\" is unreachable") && Catch::Contains("rule \"all\""));
  CHECK(json::parse(r.json)["warnings"].size() == 1);

  // In "all" mode every rule is considered: no warning.
  const std::string all = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"mode": "all", "rules": [{"name": "a", "when": "true"}, {"name": "b", "when": "false"}]}})",
  });
  CHECK(lint(all).warnings.empty());
}

TEST_CASE("every rule after one that always matches is unreachable", "[policy][lint]") {
  // Not only the rule right after the catch-all: "c" is as unreachable as "b".
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"input": "incident", "rules": [)",
      R"(  {"name": "all", "when": "true"},)",
      R"(  {"name": "b", "when": "incident.priority == 'P2'"},)",
      R"(  {"name": "c", "when": "incident.priority == 'P3'"})",
      R"( ]}})",
  });
  LoadReport r = lint(text);
  CHECK(all_where(r.warnings) == std::vector<std::string>{"invalid_policy 4:3", "invalid_policy 5:3"});
}

TEST_CASE("expression warnings are located in the policy file", "[policy][lint]") {
  const std::string text = lines({
      R"({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "p"},)",
      R"( "spec": {"input": "incident", "rules": [)",
      R"(  {"name": "a", "when": "now == '2026-03-01T00:00:00Z'"})",
      R"( ]}})",
  });
  LoadReport r = lint(text);
  CHECK(r.ok());
  REQUIRE(r.warnings.size() == 1);
  CHECK(where(r.warnings[0]) == "type_error 3:30");
  CHECK_THAT(r.warnings[0].message, Catch::Contains("always false"));
}

// ---------------------------------------------------------------------------
// NDJSON input

TEST_CASE("NDJSON input gives one decision per line and reports a broken line by number", "[policy]") {
  Engine engine;
  load_ok(engine, kTriage);
  const std::string digest = engine.bundle_digest();
  const std::string input = "{\"priority\": \"P1\"}\n{\"priority\": \n\n{\"priority\": \"P3\"}\n";
  EvalOptions o = at_now();
  o.format = InputFormat::kAuto;
  o.source = "in.ndjson";
  EvalReport r = engine.evaluate(input, o);
  CHECK(r.decisions == 2);
  CHECK(r.worst == DecisionClass::kError);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 2);
  CHECK(r.errors[0].source == "in.ndjson");

  std::vector<std::string> out;
  size_t start = 0;
  while (start < r.json.size()) {
    size_t nl = r.json.find('\n', start);
    REQUIRE(nl != std::string::npos);  // every decision ends its line
    out.push_back(r.json.substr(start, nl - start));
    start = nl + 1;
  }
  REQUIRE(out.size() == 3);
  CHECK(out[0] == R"({"ok":true,"line":1,"policy":{"name":"triage","version":"1.2.0","kind":"Rules"},"bundle":")" + digest +
                      R"(","now":"2026-03-01T12:00:00Z","decision":{"matched":[{"rule":"p1","reason":"P1 needs review"}],)"
                      R"("outputs":{"outcome":"review","team":"sre"}},"errors":[]})");
  json broken = json::parse(out[1]);
  CHECK(broken["ok"] == false);
  CHECK(broken["line"] == 2);
  CHECK(broken["errors"][0]["code"] == "invalid_json");
  CHECK(broken["errors"][0]["line"] == 2);
  CHECK(broken["errors"][0]["source"] == "in.ndjson");
  json last = json::parse(out[2]);
  CHECK(last["line"] == 4);
  CHECK(last["decision"].dump() == R"({"matched":[{"rule":"rest"}],"outputs":{"outcome":"allow"}})");
}
