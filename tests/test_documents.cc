// Typed views of ITSM documents (documents.h): the kinds, the shapes of the
// tools they come from, and what an accessor says when a field is missing.
#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "verdict/document.h"
#include "verdict/documents.h"

using verdict::Alert;
using verdict::ChangeRequest;
using verdict::ConfigItem;
using verdict::Document;
using verdict::DocumentKind;
using verdict::DocumentReader;
using verdict::Incident;
using verdict::SliSample;
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
  CHECK(Incident(doc.root()).id() == "INC1");
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

TEST_CASE("a native incident reads through the Incident view", "[documents]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kNativeIncident);
  Incident i(doc.root());
  CHECK(i.id() == "INC-7");
  CHECK(i.title() == "Checkout errors");
  CHECK(i.description() == "5xx on /pay");
  CHECK(i.service() == "payments");
  CHECK(i.ci() == "payments-db");
  CHECK(i.impact() == "high");
  CHECK(i.urgency() == "medium");
  CHECK(i.priority() == "P1");
  CHECK(i.team() == "sre");
  CHECK(i.environment() == "prod");
  CHECK(i.labels()["region"].as_string() == "eu-west-1");
  CHECK(i.affected_users() == std::optional<int64_t>(1200));
}

TEST_CASE("a ServiceNow incident record reads through the Incident view", "[documents]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kServiceNowIncident);
  Incident i(doc.root());
  CHECK(i.id() == "INC0010001");
  CHECK(i.title() == "Payments database slow");
  CHECK(i.description() == "p99 latency above 2s");
  CHECK(i.impact() == "1");
  CHECK(i.urgency() == "2");
  CHECK(i.priority() == "1 - Critical");
  CHECK(i.ci() == "payments-db");          // the reference's display value
  CHECK(i.team() == "Database");
  CHECK(i.service() == "svc-42");          // an empty display value falls back to the value
  CHECK(i.environment().empty());
  CHECK_FALSE(i.labels().exists());
  CHECK(i.affected_users() == std::nullopt);
}

TEST_CASE("a Jira issue reads through the Incident view", "[documents]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kJiraIssue);
  Incident i(doc.root());
  CHECK(i.id() == "OPS-12");
  CHECK(i.title() == "Queue backlog growing");
  CHECK(i.description() == "consumers are stuck");
  CHECK(i.priority() == "High");
  REQUIRE(i.labels().is_array());
  CHECK(i.labels().size() == 2);
  CHECK(i.labels().at(0).as_string() == "queue");
  CHECK(i.service().empty());
  CHECK(i.team().empty());
}

TEST_CASE("an Alertmanager alert reads through the Alert view, and as an incident", "[documents]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kAlertmanagerAlert);
  Alert a(doc.root());
  CHECK(a.name() == "HighErrorRate");
  CHECK(a.label("severity") == "page");
  CHECK(a.label("absent").empty());          // Alertmanager: a missing label is ""
  CHECK(a.status() == "resolved");
  CHECK(a.starts_at() == "2024-05-01T10:00:00Z");
  CHECK(a.ends_at() == "2024-05-01T10:30:00Z");
  CHECK(a.fingerprint() == "a1b2c3d4");
  CHECK(a.labels().size() == 4);
  CHECK(a.annotations()["summary"].as_string() == "Error rate above 5%");

  Incident i(doc.root());
  CHECK(i.title() == "Error rate above 5%");             // annotations.summary
  CHECK(i.description() == "checkout 5xx ratio is 7%");  // annotations.description
  CHECK(i.service() == "checkout");                      // labels.service
  CHECK(i.environment() == "prod");                      // labels.env
}

TEST_CASE("an alert without a status is firing", "[documents]") {
  DocumentReader reader;
  auto json = GENERATE(as<std::string>{}, R"({"labels":{"alertname":"X"}})", R"({"labels":{"alertname":"X"},"status":""})",
                       R"({"labels":{"alertname":"X"},"status":null})");
  Document doc = read_ok(reader, json);
  CHECK(Alert(doc.root()).status() == "firing");
}

TEST_CASE("a native change reads through the ChangeRequest view", "[documents]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kNativeChange);
  ChangeRequest c(doc.root());
  CHECK(c.id() == "CHG-1");
  CHECK(c.title() == "Upgrade Postgres");
  CHECK(c.type() == "normal");
  CHECK(c.start() == "2024-06-01T22:00:00Z");   // window.start
  CHECK(c.end() == "2024-06-01T23:00:00Z");
  CHECK(c.assignee() == "ana");
  CHECK(c.team() == "platform");
  CHECK(c.targets().size() == 2);
  CHECK(c.targets().at(1).as_string() == "db-2");
  CHECK(c.has_rollback_plan());
  CHECK_FALSE(c.has_test_evidence());           // an empty string is no evidence
}

TEST_CASE("a ServiceNow change record reads through the ChangeRequest view", "[documents]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kServiceNowChange);
  ChangeRequest c(doc.root());
  CHECK(c.id() == "CHG0030001");
  CHECK(c.title() == "Rotate certificates");
  CHECK(c.type() == "standard");                // change_type
  CHECK(c.start() == "2024-06-02 01:00:00");
  CHECK(c.end() == "2024-06-02 02:00:00");
  CHECK(c.assignee() == "Bo Li");
  CHECK(c.team() == "Security");
  CHECK(verdict::text_of(c.targets()) == "edge-lb");   // cmdb_ci
  CHECK(c.has_rollback_plan());                 // backout_plan
  CHECK(c.has_test_evidence());                 // test_plan: true
}

TEST_CASE("rollback plans and test evidence must be present and non-empty", "[documents]") {
  DocumentReader reader;
  auto [json, rollback, evidence] = GENERATE(table<std::string, bool, bool>({
      {R"({})", false, false},
      {R"({"rollback_plan":"x","test_evidence":"y"})", true, true},
      {R"({"rollback_plan":"","test_evidence":""})", false, false},
      {R"({"rollback_plan":null,"backout_plan":"b"})", true, false},   // null falls through
      {R"({"rollback_plan":false,"test_plan":true})", false, true},
      {R"({"backout_plan":{"value":"v","display_value":""}})", true, false},
  }));
  Document doc = read_ok(reader, json);
  INFO(json);
  ChangeRequest c(doc.root());
  CHECK(c.has_rollback_plan() == rollback);
  CHECK(c.has_test_evidence() == evidence);
}

TEST_CASE("a native CI reads through the ConfigItem view", "[documents]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kNativeCi);
  ConfigItem c(doc.root());
  CHECK(c.id() == "ci-17");
  CHECK(c.name() == "payments-db");
  CHECK(c.ci_class() == "database");
  CHECK(c.owner() == "dba");
  CHECK(c.environment() == "prod");
  CHECK(c.tier() == std::optional<int64_t>(1));
  CHECK(c.depends_on().size() == 2);
  CHECK(c.depends_on().at(0).as_string() == "storage-a");
}

TEST_CASE("a ServiceNow cmdb_ci record reads through the ConfigItem view", "[documents]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kServiceNowCi);
  ConfigItem c(doc.root());
  CHECK(c.id() == "9f2c1a");                    // sys_id
  CHECK(c.name() == "payments-db");
  CHECK(c.ci_class() == "cmdb_ci_db_instance");
  CHECK(c.owner() == "Dana");                   // owned_by's display value
  CHECK(c.tier() == std::optional<int64_t>(2)); // tier as a string
  CHECK_FALSE(c.depends_on().exists());
}

TEST_CASE("a Backstage entity reads through the ConfigItem view", "[documents]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kBackstageComponent);
  ConfigItem c(doc.root());
  CHECK(c.id() == "payments-api");              // metadata.name
  CHECK(c.name() == "payments-api");
  CHECK(c.owner() == "team-payments");          // spec.owner
  CHECK(c.environment() == "production");       // spec.lifecycle
  CHECK_FALSE(c.ci_class().empty());
  CHECK(c.tier() == std::nullopt);
  REQUIRE(c.depends_on().is_array());           // spec.dependsOn
  CHECK(c.depends_on().size() == 2);
  CHECK(c.depends_on().at(1).as_string() == "component:ledger");
}

TEST_CASE("tiers are whole non-negative numbers, as numbers or digit strings", "[documents]") {
  DocumentReader reader;
  auto [json, tier] = GENERATE(table<std::string, std::optional<int64_t>>({
      {R"({"tier":1})", 1},
      {R"({"tier":3.0})", 3},
      {R"({"tier":"2"})", 2},
      {R"({"tier":"007"})", 7},
      {R"({"tier":""})", std::nullopt},
      {R"({"tier":"2a"})", std::nullopt},
      {R"({"tier":"-1"})", std::nullopt},
      {R"({"tier":"1234567890123456789"})", std::nullopt},   // 19 digits: refused
      {R"({"tier":"123456789012345678"})", 123456789012345678},
      {R"({"tier":-1.5})", std::nullopt},
      {R"({"tier":true})", std::nullopt},
      {R"({"tier":null})", std::nullopt},
      {R"({"tier":[1]})", std::nullopt},
      {R"({})", std::nullopt},
  }));
  Document doc = read_ok(reader, json);
  INFO(json);
  CHECK(ConfigItem(doc.root()).tier() == tier);
}

TEST_CASE("an SLI sample's total is its total, or good + bad", "[documents]") {
  DocumentReader reader;
  auto [json, good, bad, total] =
      GENERATE(table<std::string, std::optional<int64_t>, std::optional<int64_t>, std::optional<int64_t>>({
          {kNativeSli, 990, 10, 1000},
          {R"({"good":5,"bad":0})", 5, 0, 5},
          {R"({"good":"7","bad":"3"})", 7, 3, 10},
          {R"({"good":5,"bad":1,"total":100})", 5, 1, 100},   // an explicit total wins
          {R"({"bad":1,"total":2})", std::nullopt, 1, 2},
          {R"({"good":5})", 5, std::nullopt, std::nullopt},     // no bad: no total
          {R"({"bad":5})", std::nullopt, 5, std::nullopt},
          {R"({"good":"many","bad":1})", std::nullopt, 1, std::nullopt},
          {R"({})", std::nullopt, std::nullopt, std::nullopt},
      }));
  Document doc = read_ok(reader, json);
  INFO(json);
  SliSample s(doc.root());
  CHECK(s.good() == good);
  CHECK(s.bad() == bad);
  CHECK(s.total() == total);
}

TEST_CASE("an SLI sample names its SLO and time", "[documents]") {
  DocumentReader reader;
  Document native = read_ok(reader, kNativeSli);
  CHECK(SliSample(native.root()).slo() == "checkout-availability");
  CHECK(SliSample(native.root()).timestamp() == "2024-05-01T10:00:00Z");
  Document other = read_ok(reader, R"({"service":"api","ts":"t1","good":1})");
  CHECK(SliSample(other.root()).slo() == "api");
  CHECK(SliSample(other.root()).timestamp() == "t1");
  Document third = read_ok(reader, R"({"time":"t2"})");
  CHECK(SliSample(third.root()).timestamp() == "t2");
}

TEST_CASE("an SLI total that does not fit 64 bits is not reported as a negative count",
          "[documents]") {
  // Regression test for a fixed bug: SliSample::total() adds good + bad as int64_t without an overflow check
  // (undefined behaviour); in practice INT64_MAX + 1 wraps to INT64_MIN.
  DocumentReader reader;
  Document doc = read_ok(reader, R"({"good": 9223372036854775807, "bad": 1})");
  std::optional<int64_t> total = SliSample(doc.root()).total();
  INFO("total " << (total ? std::to_string(*total) : std::string("nullopt")));
  CHECK((!total || *total >= 0));
}

TEST_CASE("every accessor of every view tolerates a document without the field", "[documents]") {
  DocumentReader reader;
  auto json = GENERATE(as<std::string>{}, R"({})", R"({"unrelated":{"x":1}})", R"([1,2,3])",
                       R"({"labels":"not an object","fields":[],"spec":null,"metadata":7,"window":"x"})");
  Document doc = read_ok(reader, json);
  INFO(json);
  Value root = doc.root();

  Incident i(root);
  CHECK(i.id().empty());
  CHECK(i.title().empty());
  CHECK(i.description().empty());
  CHECK(i.service().empty());
  CHECK(i.ci().empty());
  CHECK(i.impact().empty());
  CHECK(i.urgency().empty());
  CHECK(i.priority().empty());
  CHECK(i.team().empty());
  CHECK(i.environment().empty());
  CHECK(i.affected_users() == std::nullopt);

  ChangeRequest c(root);
  CHECK(c.id().empty());
  CHECK(c.title().empty());
  CHECK(c.type().empty());
  CHECK(c.start().empty());
  CHECK(c.end().empty());
  CHECK(c.assignee().empty());
  CHECK(c.team().empty());
  CHECK_FALSE(c.targets().exists());
  CHECK_FALSE(c.has_rollback_plan());
  CHECK_FALSE(c.has_test_evidence());

  Alert a(root);
  CHECK(a.name().empty());
  CHECK(a.label("service").empty());
  CHECK(a.status() == "firing");
  CHECK(a.starts_at().empty());
  CHECK(a.ends_at().empty());
  CHECK(a.fingerprint().empty());
  CHECK_FALSE(a.annotations().exists());

  ConfigItem ci(root);
  CHECK(ci.id().empty());
  CHECK(ci.name().empty());
  CHECK(ci.ci_class().empty());
  CHECK(ci.owner().empty());
  CHECK(ci.environment().empty());
  CHECK(ci.tier() == std::nullopt);
  CHECK_FALSE(ci.depends_on().exists());

  SliSample s(root);
  CHECK(s.slo().empty());
  CHECK(s.timestamp().empty());
  CHECK(s.good() == std::nullopt);
  CHECK(s.bad() == std::nullopt);
  CHECK(s.total() == std::nullopt);
}

TEST_CASE("views over a missing value return defaults", "[documents]") {
  Value missing;
  CHECK(Incident(missing).id().empty());
  CHECK_FALSE(Incident(missing).labels().exists());
  CHECK(Alert(missing).status() == "firing");
  CHECK(ChangeRequest(missing).has_rollback_plan() == false);
  CHECK(ConfigItem(missing).tier() == std::nullopt);
  CHECK(SliSample(missing).total() == std::nullopt);
}
