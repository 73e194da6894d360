// YAML input through the engine (InputFormat::kYaml) and the C ABI (VERDICT_EVAL_YAML): the
// same decision as the JSON twin of the file, and errors at the YAML text's own line and column.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "verdict/engine.h"
#include "verdict/verdict.h"

using verdict::ErrorCode;

namespace {

constexpr const char* kNow = "2025-03-14T10:00:00Z";

std::string slurp(const std::string& path) {
  std::ifstream f(std::string(VERDICT_SOURCE_DIR) + "/" + path, std::ios::binary);
  REQUIRE(f);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A Sloth spec whose objective (line 6, column 16) leaves no budget.
const std::string kBadSloth =
    "# a comment\nversion: \"prometheus/v1\"\nservice: \"myservice\"\nslos:\n  - name: \"requests-availability\"\n    objective: 100\n"
    "    sli:\n      events:\n        error_query: x\n        total_query: y\n";

std::string eval(verdict_engine* e, const std::string& input, uint32_t flags, int& rc) {
  rc = verdict_eval(e, "", 0, input.data(), input.size(), kNow, std::char_traits<char>::length(kNow), flags);
  return std::string(verdict_result(e), verdict_result_size(e));
}

}  // namespace

TEST_CASE("engine: YAML input errors are at the YAML line and column", "[engine][yaml]") {
  verdict::Engine engine;
  REQUIRE(engine.load_policies(slurp("policies/budget/default.json"), "default.json").errors.empty());
  verdict::EvalOptions o;
  o.now = kNow;
  o.source = "bad.yaml";
  o.format = verdict::InputFormat::kYaml;
  verdict::EvalReport r = engine.evaluate(kBadSloth, o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].to_string().rfind("bad.yaml:6:16: an objective of 100% leaves no error budget", 0) == 0);
  // Read as JSON lines, the same text is not even JSON: the format is what placed the error.
  o.format = verdict::InputFormat::kAuto;
  verdict::EvalReport as_json = engine.evaluate(kBadSloth, o);
  REQUIRE_FALSE(as_json.errors.empty());
  CHECK(as_json.errors[0].code == ErrorCode::kInvalidJson);
}

TEST_CASE("engine: invalid YAML is an error with its position, not a decision", "[engine][yaml]") {
  verdict::Engine engine;
  REQUIRE(engine.load_policies(slurp("policies/budget/default.json"), "default.json").errors.empty());
  verdict::EvalOptions o;
  o.now = kNow;
  o.source = "broken.yaml";
  o.format = verdict::InputFormat::kYaml;
  verdict::EvalReport r = engine.evaluate("slos: [a, b\nservice: x\n", o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kInvalidYaml);
  CHECK(r.errors[0].source == "broken.yaml");
  CHECK(r.errors[0].line == 2);
  CHECK(r.decisions == 0);
}

TEST_CASE("c-api: VERDICT_EVAL_YAML decides a Sloth YAML file as its JSON twin", "[c-api][yaml]") {
  verdict_engine* e = verdict_engine_new();
  REQUIRE(e != nullptr);
  const std::string policy = slurp("policies/budget/default.json");
  REQUIRE(verdict_load_policy(e, policy.data(), policy.size(), "p", 1) == VERDICT_OK);
  const std::string prom = slurp("samples/slo/orders-api.prometheus.ndjson");
  int rc = -1;
  // The JSON twin as one line, then the series; the YAML file alone has no data.
  std::string twin = slurp("samples/slo/orders-api.sloth.json");
  std::string one_line;
  for (char c : twin)
    if (c != '\n') one_line.push_back(c);
  const std::string from_json = eval(e, one_line + "\n", VERDICT_EVAL_NDJSON, rc);
  CHECK(rc == VERDICT_OK);
  const std::string from_yaml = eval(e, slurp("samples/slo/orders-api.sloth.yaml"), VERDICT_EVAL_YAML, rc);
  CHECK(rc == VERDICT_OK);
  CHECK(from_yaml == from_json);
  CHECK(from_yaml.find("orders-api-requests-availability") != std::string::npos);

  const std::string bad = eval(e, kBadSloth, VERDICT_EVAL_YAML, rc);
  CHECK(rc != VERDICT_OK);
  CHECK(bad.find("an objective of 100% leaves no error budget") != std::string::npos);
  CHECK(bad.find(R"("line":6,"column":16)") != std::string::npos);

  CHECK(eval(e, kBadSloth, VERDICT_EVAL_YAML | VERDICT_EVAL_JSON, rc).find("more than one of JSON, NDJSON and YAML") != std::string::npos);
  CHECK(rc == static_cast<int>(ErrorCode::kInvalidArgument));
  CHECK(verdict_abi_version() == 3);
  verdict_engine_free(e);
}
