// The canonical documents' schemas are a contract: the checker accepts exactly these field
// names (docs/triage.md, docs/change.md, docs/alerts.md, docs/documents.md), and the native
// shape of each document spells its fields the same way. A renamed or dropped schema entry
// fails here.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "document/shapes.h"
#include "verdict/document.h"
#include "verdict/engine.h"

namespace {

std::set<std::string> names_of(const verdict::Schema& s) {
  std::set<std::string> out;
  for (const verdict::SchemaField& f : s) out.emplace(f.name);
  return out;
}

// A Rules policy over `input` reading `variable.field` for every field; lint must accept it.
std::string policy_reading(const std::string& input, const std::string& variable, const std::set<std::string>& fields) {
  std::string rules;
  for (const std::string& f : fields) {
    if (!rules.empty()) rules += ",\n";
    rules += R"({"name":"r_)" + f + R"(","when":")" + variable + "." + f + R"( != null"})";
  }
  return R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"fields"},"spec":{"input":")" + input +
         R"(","mode":"all","rules":[)" + rules + "]}}";
}

}  // namespace

TEST_CASE("the canonical documents have the documented fields and each lints", "[schema]") {
  // From the documentation of each canonical document (see the file comment).
  const std::set<std::string> incident = {
      "kind", "id", "title", "description", "service", "ci", "impact", "urgency", "priority",
      "team", "category", "environment", "severity", "affected_users", "labels", "annotations",
      "created", "updated", "status", "region", "reporter", "tags", "custom", "components",
      "escalation", "source"};
  const std::set<std::string> change = {
      "kind", "source", "id", "title", "description", "type", "risk", "impact", "category", "environment",
      "targets", "services", "start", "end", "duration_minutes", "assignee", "team", "author",
      "rollback_plan", "has_rollback_plan", "test_evidence", "has_test_evidence", "canary", "security",
      "size", "approvals", "checks", "failed_checks", "repository", "commit", "branch", "changed_files",
      "template", "status", "outcome"};
  const std::set<std::string> alert = {"kind", "source", "status", "labels", "annotations", "severity", "summary",
                                       "startsAt", "endsAt", "at", "fingerprint", "dedup_key", "generatorURL"};
  const std::set<std::string> ci = {"kind", "id", "name", "class", "tier", "owner", "environment", "service",
                                    "depends_on", "labels", "custom", "region"};
  const std::set<std::string> sli = {"kind", "slo", "service", "timestamp", "good", "bad", "total", "interval", "custom"};

  CHECK(names_of(verdict::shapes::incident_schema()) == incident);
  CHECK(names_of(verdict::shapes::change_schema()) == change);
  CHECK(names_of(verdict::shapes::alert_schema()) == alert);
  CHECK(names_of(verdict::shapes::ci_schema()) == ci);
  CHECK(names_of(verdict::shapes::sli_schema()) == sli);

  verdict::Engine engine;
  for (const auto& [input, fields] : std::vector<std::pair<std::string, std::set<std::string>>>{
           {"incident", incident}, {"change", change}, {"alert", alert}, {"ci", ci}, {"sli", sli}}) {
    INFO(input);
    verdict::LoadReport r = engine.lint(policy_reading(input, input, fields), "fields.json");
    for (const verdict::Error& e : r.errors) INFO(e.message);
    CHECK(r.ok());
    // And one more name is not a field.
    verdict::LoadReport bad = engine.lint(policy_reading(input, input, {"no_such_field"}), "bad.json");
    CHECK_FALSE(bad.ok());
  }
}

TEST_CASE("a native incident fills every canonical field from the field of the same name", "[schema]") {
  const char* json = R"({"kind":"incident","id":"INC-1","title":"t","description":"d","service":"s","ci":"c",
    "impact":"high","urgency":"low","priority":"P2","team":"ops","category":"network","environment":"production",
    "severity":"critical","affected_users":12,"labels":{"a":"b"},"annotations":{"x":"y"},
    "created":"2026-03-29T01:30:00Z","updated":"2026-03-29T02:30:00Z","status":"open","region":"eu",
    "reporter":"ann","tags":["t1"],"custom":{"k":"v"},"components":["db"],"escalation":"L2","source":"native"})";
  verdict::DocumentReader reader;
  auto doc = reader.read(json);
  REQUIRE(doc.ok());
  verdict::shapes::Record r(verdict::shapes::incident_schema());
  verdict::shapes::map_incident(doc.value().root(), r);
  CHECK(r.shape() == "native");
  const verdict::Schema& s = verdict::shapes::incident_schema();
  for (size_t i = 0; i < s.size(); ++i) {
    INFO(s[i].name);
    CHECK(r.has(i));
    if (s[i].name != "kind" && s[i].name != "source") CHECK(r.from(i) == s[i].name);
  }
}

TEST_CASE("timestamp fields of the canonical documents are RFC 3339 text that timestamp() reads as instants", "[schema]") {
  // docs/language.md: document fields hold strings; timestamp() converts them. As text,
  // "2026-03-29T01:30:00+01:00" sorts after "2026-03-29T01:00:00Z"; as instants it is half an
  // hour before. A change's start and end are written in UTC by its mapping, so they also
  // compare as text.
  struct Case {
    const char* input;
    const char* when;
    const char* document;
    bool before;
  };
  const Case cases[] = {
      {"incident", "timestamp(incident.created) < timestamp(incident.updated)",
       R"({"kind":"incident","id":"I","created":"2026-03-29T01:30:00+01:00","updated":"2026-03-29T01:00:00Z"})", true},
      {"incident", "incident.created < incident.updated",
       R"({"kind":"incident","id":"I","created":"2026-03-29T01:30:00+01:00","updated":"2026-03-29T01:00:00Z"})", false},
      {"change", "change.start < change.end && timestamp(change.start) < timestamp(change.end)",
       R"({"kind":"change","id":"C","start":"2026-03-29T01:30:00+01:00","end":"2026-03-29T01:00:00Z"})", true},
      {"sli", "timestamp(sli.timestamp) < timestamp('2026-03-29T01:00:00Z')",
       R"({"kind":"sli","slo":"s","timestamp":"2026-03-29T01:30:00+01:00","good":1,"total":1})", true},
  };
  for (const Case& c : cases) {
    INFO(c.when);
    verdict::Engine engine;
    const std::string policy = R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"t"},"spec":{"input":")" +
                               std::string(c.input) + R"(","mode":"all","rules":[{"name":"before","when":")" + c.when +
                               R"("}]}})";
    verdict::LoadReport l = engine.load_policies(policy, "t.json");
    for (const verdict::Error& e : l.errors) INFO(e.message);
    REQUIRE(l.ok());
    verdict::EvalOptions opt;
    opt.now = "2026-03-30T00:00:00Z";
    verdict::EvalReport d = engine.evaluate(c.document, opt);
    for (const verdict::Error& e : d.errors) INFO(e.message);
    REQUIRE(d.ok());
    CHECK((d.json.find("\"before\"") != std::string::npos) == c.before);
  }
}
