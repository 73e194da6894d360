// The alert event as a canonical record (document/alert.h, document/shapes.h map_alert): the
// shapes AlertDedup reads (Alertmanager webhook and API alerts, Prometheus alerts, PagerDuty
// Events v2, plain JSON), the `alert` schema (every field produced from some real input),
// a Rules policy with input "alert", and AlertDedup's stateless preview (its JSON and text).
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "document/alert.h"
#include "document/shapes.h"
#include "policy/bind.h"
#include "verdict/engine.h"
#include "verdict/json_writer.h"

using verdict::DocumentReader;
using verdict::Engine;
using verdict::EvalOptions;
using json = nlohmann::ordered_json;

namespace {

std::string sample(const std::string& rel) {
  std::ifstream f(std::string(VERDICT_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The record of one alert object of a given shape, as JSON (what a policy reads as `alert`).
json record_of(const std::string& alert, verdict::shapes::AlertShape shape, std::string* why = nullptr) {
  DocumentReader reader;
  auto doc = reader.read(alert);
  REQUIRE(doc.ok());
  verdict::shapes::AlertEvent ev;
  std::string problem = verdict::shapes::read_alert(doc.value().root(), shape, ev);
  if (why) *why = problem;
  if (!problem.empty()) return nullptr;
  verdict::shapes::Record r(verdict::shapes::alert_schema());
  verdict::shapes::map_alert(ev, r);
  verdict::JsonWriter w;
  verdict::policy::write_record(w, r);
  return json::parse(w.view());
}

}  // namespace

TEST_CASE("alert record: every field of the alert schema comes from some real input", "[alert-record]") {
  using verdict::shapes::AlertShape;
  // samples/alertmanager-webhook.json (an Alertmanager webhook's first alert),
  // samples/pagerduty-events.ndjson (PagerDuty Events v2), a Prometheus /api/v1/alerts alert,
  // and a plain alert with its own time and key.
  json webhook = json::parse(sample("samples/alertmanager-webhook.json"));
  std::string pd_line = sample("samples/pagerduty-events.ndjson");
  pd_line = pd_line.substr(0, pd_line.find('\n'));
  const std::vector<std::pair<std::string, AlertShape>> inputs = {
      {webhook["alerts"][0].dump(), AlertShape::kAlertmanager},
      {pd_line, AlertShape::kPagerDuty},
      {R"({"labels":{"alertname":"HighLatency","severity":"warning"},"annotations":{"summary":"p99 over 1s"},"state":"firing","activeAt":"2025-03-14T08:00:00Z","value":"1.2e+00"})",
       AlertShape::kPrometheus},
      {R"({"labels":{"alertname":"Disk"},"status":"resolved","at":"2025-03-14T10:00:00Z","endsAt":"2025-03-14T09:59:00Z","dedup_key":"disk-1"})",
       AlertShape::kPlain},
  };
  std::set<std::string> seen;
  for (const auto& [text, shape] : inputs) {
    INFO(text);
    std::string why;
    json r = record_of(text, shape, &why);
    INFO(why);
    REQUIRE(r.is_object());
    for (auto it = r.begin(); it != r.end(); ++it) seen.insert(it.key());
  }
  std::set<std::string> schema;
  for (const auto& f : verdict::shapes::alert_schema()) schema.insert(std::string(f.name));
  CHECK(seen == schema);

  // The values, shape by shape.
  json am = record_of(webhook["alerts"][0].dump(), AlertShape::kAlertmanager);
  CHECK(am["kind"] == "alert");
  CHECK(am["source"] == "alertmanager");
  CHECK(am["status"] == "firing");
  CHECK(am["labels"]["service"] == "payments-api");
  CHECK(am["severity"] == "critical");
  CHECK(am["summary"] == "High 5xx error rate on payments-api");
  CHECK(am["startsAt"] == "2025-03-14T08:03:30.007Z");
  CHECK_FALSE(am.contains("endsAt"));  // Go's zero time: not set
  CHECK(am["fingerprint"] == "86d09a1ad6e33947");  // Alertmanager's own, recomputed from the labels
  CHECK(am["dedup_key"] == "86d09a1ad6e33947");
  CHECK(am["generatorURL"] == "https://grafana.northwind.example/alerting/grafana/a9k1x0c2ld7hqz/view");

  json pd = record_of(pd_line, AlertShape::kPagerDuty);
  CHECK(pd["source"] == "pagerduty");
  CHECK(pd["labels"]["alertname"] == "HighErrorRate");  // payload.class
  CHECK(pd["labels"]["team"] == "payments-team");        // a string custom detail
  CHECK_FALSE(pd["labels"].contains("error_ratio"));     // a number stays a detail
  CHECK(pd["severity"] == "critical");
  CHECK(pd["summary"] == "High 5xx error rate on payments-api (38.42%)");
  CHECK(pd["at"] == "2025-03-14T08:03:30.007+00:00");
  CHECK(pd["dedup_key"] == "payments-api/HighErrorRate/prod-eu-west-1");

  json prom = record_of(inputs[2].first, AlertShape::kPrometheus);
  CHECK(prom["startsAt"] == "2025-03-14T08:00:00Z");  // activeAt

  json plain = record_of(inputs[3].first, AlertShape::kPlain);
  CHECK(plain["status"] == "resolved");
  CHECK(plain["at"] == "2025-03-14T10:00:00Z");
  CHECK(plain["endsAt"] == "2025-03-14T09:59:00Z");
  CHECK(plain["dedup_key"] == "disk-1");

  std::string why;
  CHECK(record_of(R"({"labels":{}})", AlertShape::kPlain, &why).is_null());
  CHECK(why == "the alert has no labels (an alert is identified by its labels)");
}

TEST_CASE("alert record: a Rules policy with input alert binds it, and input as it came", "[alert-record][rules]") {
  Engine e;
  auto lr = e.load_policies(R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"alert-rules"},"spec":{"input":"alert","rules":[
    {"name":"page","when":"alert.severity == 'critical' && alert.status == 'firing' && alert.source == 'pagerduty'",
     "set":{"key":"alert.dedup_key","fp":"alert.fingerprint","team":"alert.labels.team","client":"input.client"}},
    {"name":"other","when":"true","set":{"key":"alert.dedup_key","fp":"alert.fingerprint","summary":"alert.summary"}}]}})",
                            "alert-rules.json");
  INFO(lr.json);
  REQUIRE(lr.ok());
  EvalOptions o;
  o.format = verdict::InputFormat::kNdjson;
  verdict::EvalReport r = e.evaluate(sample("samples/pagerduty-events.ndjson"), o);
  INFO(r.json);
  json first = json::parse(r.json.substr(0, r.json.find('\n')));
  CHECK(first["decision"]["matched"][0]["rule"] == "page");
  CHECK(first["decision"]["outputs"]["key"] == "payments-api/HighErrorRate/prod-eu-west-1");
  CHECK(first["decision"]["outputs"]["team"] == "payments-team");
  CHECK(first["decision"]["outputs"]["client"] == "Alertmanager");
  // An Alertmanager alert: the shape is told by its fields.
  o.format = verdict::InputFormat::kJson;
  json am = json::parse(e.evaluate(json::parse(sample("samples/alertmanager-webhook.json"))["alerts"][0].dump(), o).json);
  CHECK(am["decision"]["matched"][0]["rule"] == "other");
  CHECK(am["decision"]["outputs"]["fp"] == "86d09a1ad6e33947");
  CHECK(am["decision"]["outputs"]["summary"] == "High 5xx error rate on payments-api");
  // An alert that is not one (no labels) is an error of the decision, which still completes.
  verdict::EvalReport bad = e.evaluate(R"({"status":"firing"})", o);
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].message == "the alert has no labels (an alert is identified by its labels)");
  CHECK(bad.worst == verdict::DecisionClass::kError);
  // The schema is what the checker reads: a field the record never holds does not lint.
  verdict::LoadReport lint = e.lint(R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"x"},"spec":{"input":"alert","rules":[
    {"name":"r","when":"alert.receiver == 'pager'"}]}})",
                                    "x.json");
  CHECK_FALSE(lint.ok());
  CHECK_THAT(lint.json, Catch::Contains("receiver"));
}

TEST_CASE("AlertDedup preview: typed, as JSON and as text", "[alert-record][alerts]") {
  Engine e;
  REQUIRE(e.load_policies(sample("policies/alerts/default.json"), "default.json").ok());
  EvalOptions o;
  o.now = "2025-03-14T10:00:00Z";
  o.output = verdict::OutputFormat::kText;
  verdict::EvalReport r = e.evaluate(sample("samples/alertmanager-webhook.json"), o);
  INFO(r.json);
  CHECK_THAT(r.json, Catch::Contains("  stateless preview: 3 alerts (deduplication, timers and inhibition by other alerts need a stream"));
  CHECK_THAT(r.json, Catch::Contains("  alert 1: 86d09a1ad6e33947 firing (source key 86d09a1ad6e33947)\n"
                                     "    group {}/{severity=\"critical\"}:{alertname=\"HighErrorRate\", cluster=\"prod-eu-west-1\"} -> pager (route critical)\n"));
  // A Prometheus response is read as the stream reads it (data.alerts), an alert without labels is an error line.
  o.output = verdict::OutputFormat::kJson;
  json p = json::parse(e.evaluate(R"({"status":"success","data":{"alerts":[{"labels":{"alertname":"A","severity":"critical"},"state":"pending"},{"labels":{}}]}})", o).json);
  REQUIRE(p["decision"]["alerts"].size() == 2);
  CHECK(p["decision"]["alerts"][0]["status"] == "pending");
  CHECK(p["decision"]["alerts"][1]["error"] == "the alert has no labels (an alert is identified by its labels)");
  CHECK(p["ok"] == false);
}
