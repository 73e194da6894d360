// RE2::Set over sibling routes must decide exactly as matching each regex alone.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "verdict/engine.h"

namespace {

const char* kPolicy = R"({
  "apiVersion": "verdict/v1", "kind": "TriageRouting", "metadata": {"name": "sets"},
  "spec": {"route": {"name": "root", "routes": [
    {"name": "pay", "matchers": ["service=~\"pay.*\""], "team": "payments", "routes": [
      {"name": "pay-db", "matchers": ["ci=~\"postgres-.*\""], "team": "dba"},
      {"name": "pay-cache", "matchers": ["ci=~\"redis-.*\""], "team": "cache"},
      {"name": "pay-not-k8s", "matchers": ["ci!~\"k8s-.*\"", "env=\"production\""], "team": "pay-prod"},
      {"name": "pay-lb", "matchers": ["ci=~\"lb-(edge|internal)-0[12]\""], "team": "network"},
      {"name": "pay-any", "matchers": ["ci=~\".*\""], "team": "pay-rest"}
    ]},
    {"name": "auth", "matchers": ["service=~\"auth-service|sso\""], "team": "identity"},
    {"name": "search", "matchers": ["service=~\"search(-.*)?\""], "team": "search"},
    {"name": "not-web", "matchers": ["service!~\".*-web\"", "severity=\"critical\""], "team": "sre", "continue": true},
    {"name": "web", "matchers": ["service=~\".*-web\""], "team": "web"},
    {"name": "title", "matchers": ["title=~\"(?i).*(timeout|5xx).*\""], "team": "triage"}
  ]}}
})";

}  // namespace

TEST_CASE("RE2::Set over sibling routes decides byte for byte as one regex at a time", "[triage][regex-set]") {
  verdict::Engine with_sets;
  verdict::EngineOptions plain_options;
  plain_options.regex_sets = false;
  verdict::Engine plain(plain_options);
  REQUIRE(with_sets.load_policies(kPolicy, "sets.json").ok());
  REQUIRE(plain.load_policies(kPolicy, "sets.json").ok());
  std::vector<std::string> inputs = {
      R"({"kind":"incident","service":"payments-api","ci":"postgres-payments-01"})",
      R"({"kind":"incident","service":"payments-api","ci":"redis-payments-01"})",
      R"({"kind":"incident","service":"payments-api","ci":"k8s-prod-node-04","labels":{"env":"production"}})",
      R"({"kind":"incident","service":"payments-api","ci":"vault","labels":{"env":"production"}})",
      R"({"kind":"incident","service":"payments-api","ci":"lb-edge-02"})",
      R"({"kind":"incident","service":"payments-api","ci":"lb-edge-03"})",
      R"({"kind":"incident","service":"payments-api"})",
      R"({"kind":"incident","service":"auth-service","severity":"critical"})",
      R"({"kind":"incident","service":"sso-x"})",
      R"({"kind":"incident","service":"search-indexer"})",
      R"({"kind":"incident","service":"checkout-web","severity":"critical"})",
      R"({"kind":"incident","service":"orders-api","severity":"critical","title":"Timeout on checkout"})",
      R"({"kind":"incident","title":"5xx spike"})",
      R"({})",
  };
  verdict::EvalOptions options;
  options.now = "2026-03-02T10:00:00Z";
  options.explain = true;
  options.format = verdict::InputFormat::kJson;
  for (const auto& in : inputs) {
    CAPTURE(in);
    auto a = with_sets.evaluate(in, options);
    auto b = plain.evaluate(in, options);
    CHECK(a.ok());
    CHECK(a.json == b.json);
  }
  // And the routes chosen are the intended ones (so the comparison above compares something).
  auto team = [&](const std::string& in) {
    std::string json = with_sets.evaluate(in, options).json;
    auto at = json.find("\"team\":\"");
    return at == std::string::npos ? std::string() : json.substr(at + 8, json.find('"', at + 8) - at - 8);
  };
  CHECK(team(inputs[0]) == "dba");
  CHECK(team(inputs[1]) == "cache");
  CHECK(team(inputs[3]) == "pay-prod");
  CHECK(team(inputs[4]) == "network");
  CHECK(team(inputs[5]) == "pay-rest");
  CHECK(team(inputs[8]).empty());  // "sso-x": the regex is anchored, so no route matches
  CHECK(team(inputs[9]) == "search");
  CHECK(team(inputs[10]) == "web");
  CHECK(team(inputs[11]) == "sre");
  CHECK(team(inputs[12]) == "triage");
}
