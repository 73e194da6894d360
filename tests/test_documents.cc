// ITSM documents (documents.h): the kinds, the shapes of the tools they come from,
// and what `verdict read` (Engine::read) says about each: its id, title and service
// as the kinds' own shape mapping reads them (one mapping; no second reading here).
#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "verdict/document.h"
#include "verdict/documents.h"
#include "verdict/engine.h"

using verdict::Document;
using verdict::DocumentKind;
using verdict::DocumentReader;
using verdict::Value;

namespace {

Document read_ok(DocumentReader& reader, std::string_view json) {
  auto doc = reader.read(json);
  INFO(json);
  if (!doc.ok()) FAIL("read failed: " << doc.error().to_string());
  return std::move(doc).value();
}

// Shapes as the tools write them.
const char* const kNativeIncident = R"({
  "kind": "incident", "id": "INC-7", "title": "Checkout errors", "description": "5xx on /pay",
  "service": "payments", "ci": "payments-db", "impact": "high", "urgency": "medium",
  "priority": "P1", "team": "sre", "environment": "prod",
  "labels": {"region": "eu-west-1"}, "affected_users": 1200
})";

const char* const kServiceNowIncident = R"({
  "number": "INC0010001",
  "short_description": "Payments database slow",
  "description": "p99 latency above 2s",
  "impact": "1",
  "urgency": "2",
  "priority": {"value": "1", "display_value": "1 - Critical"},
  "cmdb_ci": {"value": "abc", "display_value": "payments-db"},
  "assignment_group": {"value": "9f3e", "display_value": "Database"},
  "business_service": {"value": "svc-42", "display_value": ""}
})";

const char* const kJiraIssue = R"({
  "key": "OPS-12",
  "fields": {
    "summary": "Queue backlog growing",
    "description": "consumers are stuck",
    "priority": {"name": "High"},
    "labels": ["queue", "infra"]
  }
})";

const char* const kAlertmanagerAlert = R"({
  "status": "resolved",
  "labels": {"alertname": "HighErrorRate", "service": "checkout", "severity": "page", "env": "prod"},
  "annotations": {"summary": "Error rate above 5%", "description": "checkout 5xx ratio is 7%"},
  "startsAt": "2024-05-01T10:00:00Z",
  "endsAt": "2024-05-01T10:30:00Z",
  "fingerprint": "a1b2c3d4"
})";

const char* const kNativeChange = R"({
  "kind": "change", "id": "CHG-1", "title": "Upgrade Postgres", "type": "normal",
  "window": {"start": "2024-06-01T22:00:00Z", "end": "2024-06-01T23:00:00Z"},
  "assignee": "ana", "team": "platform", "targets": ["db-1", "db-2"],
  "rollback_plan": "restore snapshot", "test_evidence": ""
})";

const char* const kServiceNowChange = R"({
  "number": "CHG0030001", "sys_class_name": "change_request", "short_description": "Rotate certificates",
  "change_type": "standard", "start_date": "2024-06-02 01:00:00", "end_date": "2024-06-02 02:00:00",
  "assigned_to": {"value": "u7", "display_value": "Bo Li"}, "assignment_group": {"value": "g2", "display_value": "Security"},
  "cmdb_ci": {"value": "c1", "display_value": "edge-lb"}, "backout_plan": "re-deploy old certs", "test_plan": true
})";

const char* const kNativeCi = R"({
  "kind": "ci", "id": "ci-17", "name": "payments-db", "class": "database", "owner": "dba",
  "environment": "prod", "tier": 1, "depends_on": ["storage-a", "network-core"]
})";

const char* const kServiceNowCi = R"({
  "sys_id": "9f2c1a", "name": "payments-db", "sys_class_name": "cmdb_ci_db_instance",
  "owned_by": {"value": "u1", "display_value": "Dana"}, "tier": "2"
})";

const char* const kBackstageComponent = R"({
  "apiVersion": "backstage.io/v1alpha1",
  "kind": "Component",
  "metadata": {"name": "payments-api", "description": "the payments API"},
  "spec": {"type": "service", "lifecycle": "production", "owner": "team-payments",
           "dependsOn": ["resource:payments-db", "component:ledger"]}
})";

const char* const kNativeSli = R"({
  "kind": "sli", "slo": "checkout-availability", "timestamp": "2024-05-01T10:00:00Z", "good": 990, "bad": 10
})";

}  // namespace

TEST_CASE("kind_name names every kind", "[documents]") {
  CHECK(std::string(verdict::kind_name(DocumentKind::kUnknown)) == "unknown");
  CHECK(std::string(verdict::kind_name(DocumentKind::kIncident)) == "incident");
  CHECK(std::string(verdict::kind_name(DocumentKind::kChange)) == "change");
  CHECK(std::string(verdict::kind_name(DocumentKind::kAlert)) == "alert");
  CHECK(std::string(verdict::kind_name(DocumentKind::kConfigItem)) == "ci");
  CHECK(std::string(verdict::kind_name(DocumentKind::kSliSample)) == "sli");
}

TEST_CASE("detect_kind knows the native shapes and those of ServiceNow, Jira, Alertmanager and Backstage",
          "[documents]") {
  DocumentReader reader;
  auto [json, kind] = GENERATE(table<std::string, DocumentKind>({
      {kNativeIncident, DocumentKind::kIncident},
      {kServiceNowIncident, DocumentKind::kIncident},
      {kJiraIssue, DocumentKind::kIncident},
      {kAlertmanagerAlert, DocumentKind::kAlert},
      {kNativeChange, DocumentKind::kChange},
      {kServiceNowChange, DocumentKind::kChange},
      {kNativeCi, DocumentKind::kConfigItem},
      {kServiceNowCi, DocumentKind::kConfigItem},
      {kBackstageComponent, DocumentKind::kConfigItem},
      {kNativeSli, DocumentKind::kSliSample},
  }));
  Document doc = read_ok(reader, json);
  INFO(json);
  CHECK(verdict::kind_name(verdict::detect_kind(doc.root())) == std::string(verdict::kind_name(kind)));
}

TEST_CASE("detect_kind: a declared kind wins, and shapes decide otherwise", "[documents]") {
  DocumentReader reader;
  auto [json, kind] = GENERATE(table<std::string, std::string>({
      // Declared kinds (`kind`, then `sys_class_name`).
      {R"({"kind":"incident"})", "incident"},
      {R"({"kind":"ticket"})", "incident"},
      {R"({"kind":"change"})", "change"},
      {R"({"kind":"alert"})", "alert"},
      {R"({"kind":"ci"})", "ci"},
      {R"({"kind":"Resource"})", "ci"},
      {R"({"kind":"System"})", "ci"},
      {R"({"kind":"sli"})", "sli"},
      {R"({"kind":"change","labels":{"alertname":"X"}})", "change"},   // declared beats shape
      {R"({"sys_class_name":"incident"})", "incident"},
      {R"({"sys_class_name":"change_request"})", "change"},
      {R"({"sys_class_name":"cmdb_ci_server"})", "ci"},
      {R"({"sys_class_name":"cmdb_ci"})", "ci"},
      // Shapes.
      {R"({"labels":{"alertname":"DiskFull"}})", "alert"},
      {R"({"startsAt":"2024-01-01T00:00:00Z"})", "alert"},
      {R"({"key":"OPS-1","fields":{}})", "incident"},
      {R"({"good":1})", "sli"},
      {R"({"bad":1,"total":2})", "sli"},
      {R"({"backout_plan":"x"})", "change"},
      {R"({"targets":[]})", "change"},
      {R"({"start_date":"a","end_date":"b"})", "change"},
      {R"({"short_description":"x"})", "incident"},
      {R"({"urgency":"1"})", "incident"},
      {R"({"impact":"1"})", "incident"},
      {R"({"depends_on":[]})", "ci"},
      {R"({"tier":1})", "ci"},
      // Not enough to tell.
      {R"({})", "unknown"},
      {R"({"kind":"pizza"})", "unknown"},
      {R"({"kind":42})", "unknown"},
      {R"({"bad":1})", "unknown"},
      {R"({"start_date":"a"})", "unknown"},
      {R"({"key":"OPS-1","fields":"x"})", "unknown"},
      {R"({"labels":{"service":"x"}})", "unknown"},
      {R"([{"kind":"incident"}])", "unknown"},   // an array is not a document of a kind
  }));
  Document doc = read_ok(reader, json);
  INFO(json);
  CHECK(verdict::kind_name(verdict::detect_kind(doc.root())) == kind);
}

TEST_CASE("detect_kind of a missing value is unknown", "[documents]") {
  CHECK(verdict::detect_kind(Value()) == DocumentKind::kUnknown);
}

TEST_CASE("text_of reads strings and ServiceNow references", "[documents]") {
  DocumentReader reader;
  Document doc = read_ok(reader, R"({
    "plain": "text",
    "ref": {"value": "abc", "display_value": "payments-db"},
    "ref_no_display": {"value": "abc"},
    "ref_empty_display": {"value": "abc", "display_value": ""},
    "ref_null_display": {"value": "abc", "display_value": null},
    "ref_empty": {},
    "empty": "",
    "null": null,
    "bool": true,
    "list": ["a"]
  })");
  Value root = doc.root();
  CHECK(verdict::text_of(root["plain"]) == "text");
  CHECK(verdict::text_of(root["ref"]) == "payments-db");   // display_value preferred
  CHECK(verdict::text_of(root["ref_no_display"]) == "abc");
  CHECK(verdict::text_of(root["ref_empty_display"]) == "abc");
  CHECK(verdict::text_of(root["ref_null_display"]) == "abc");
  CHECK(verdict::text_of(root["ref_empty"]).empty());
  CHECK(verdict::text_of(root["empty"]).empty());
  CHECK(verdict::text_of(root["null"]).empty());
  CHECK(verdict::text_of(root["bool"]).empty());
  CHECK(verdict::text_of(root["list"]).empty());
  CHECK(verdict::text_of(root["absent"]).empty());
}

TEST_CASE("text_of does not convert numbers, so a numeric id falls back to the next field", "[documents]") {
  DocumentReader reader;
  Document doc = read_ok(reader, R"({"id": 42, "number": "INC1"})");
  CHECK(verdict::text_of(doc.root()["id"]).empty());
  CHECK(verdict::first_text(doc.root(), {"id", "number"}) == "INC1");
}

TEST_CASE("first_text takes the first path that holds text", "[documents]") {
  DocumentReader reader;
  Document doc = read_ok(reader, R"({"a": "", "b": null, "c": {"d": "deep"}, "e": "last"})");
  Value root = doc.root();
  CHECK(verdict::first_text(root, {"a", "b", "c.d", "e"}) == "deep");   // empty and null are skipped
  CHECK(verdict::first_text(root, {"e", "c.d"}) == "last");
  CHECK(verdict::first_text(root, {"x", "c.x", "c.d.e"}).empty());
  CHECK(verdict::first_text(root, {}).empty());
}

namespace {

verdict::DocumentSummary summary_of(std::string_view json) {
  verdict::Engine engine;
  verdict::ReadOptions options;
  options.format = verdict::InputFormat::kJson;
  verdict::ReadReport report = engine.read(json, options);
  INFO(json);
  REQUIRE(report.ok());
  REQUIRE(report.documents.size() == 1);
  return report.documents.front();
}

}  // namespace

TEST_CASE("verdict read summarises every shape through the kinds' one mapping", "[documents]") {
  auto [json, kind, id, title, service] = GENERATE(table<std::string, std::string, std::string, std::string, std::string>({
      {kNativeIncident, "incident", "INC-7", "Checkout errors", "payments"},
      {kServiceNowIncident, "incident", "INC0010001", "Payments database slow", "svc-42"},
      {kJiraIssue, "incident", "OPS-12", "Queue backlog growing", ""},
      {kAlertmanagerAlert, "alert", "a1b2c3d4", "HighErrorRate", "checkout"},
      {kNativeChange, "change", "CHG-1", "Upgrade Postgres", ""},
      {kServiceNowChange, "change", "CHG0030001", "Rotate certificates", ""},
      {kNativeCi, "ci", "ci-17", "payments-db", ""},
      {kServiceNowCi, "ci", "9f2c1a", "payments-db", ""},
      {kBackstageComponent, "ci", "component:default/payments-api", "payments-api", ""},
      {kNativeSli, "sli", "2024-05-01T10:00:00Z", "checkout-availability", "checkout-availability"},
  }));
  verdict::DocumentSummary s = summary_of(json);
  INFO(json);
  CHECK(s.kind == kind);
  CHECK(s.id == id);
  CHECK(s.title == title);
  CHECK(s.service == service);
}

TEST_CASE("verdict read names an alert without a fingerprint by the fingerprint of its labels", "[documents]") {
  // The key AlertDedup groups the alert under; the same labels in another order give the same id.
  verdict::DocumentSummary a = summary_of(R"({"labels":{"alertname":"X","job":"api"},"startsAt":"2024-05-01T10:00:00Z"})");
  verdict::DocumentSummary b = summary_of(R"({"labels":{"job":"api","alertname":"X"},"startsAt":"2024-05-01T10:00:00Z"})");
  verdict::DocumentSummary c = summary_of(R"({"labels":{"alertname":"X","job":"web"},"startsAt":"2024-05-01T10:00:00Z"})");
  CHECK(a.id.size() == 16);
  CHECK(a.id == b.id);
  CHECK(a.id != c.id);
  CHECK(a.title == "X");
}

TEST_CASE("verdict read summarises documents without the usual fields as empty, never failing", "[documents]") {
  auto json = GENERATE(as<std::string>{}, R"({})", R"({"unrelated":{"x":1}})", R"([{"x":[1,2,3]}])",
                       R"({"labels":"not an object","fields":[],"spec":null,"metadata":7,"window":"x"})",
                       R"({"kind":"change"})", R"({"kind":"alert"})", R"({"kind":"ci"})", R"({"kind":"sli"})",
                       R"({"kind":"alert","labels":{"alertname":7}})", R"({"kind":"sli","good":"many"})");
  verdict::DocumentSummary s = summary_of(json);
  INFO(json);
  CHECK(s.title.empty());
  CHECK(s.service.empty());
}
