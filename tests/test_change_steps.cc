// The ChangeRisk kind step by step (core/src/kinds/change/change_risk.h): each step as a
// function of typed values, the `change` schema against what is bound, the values the
// expressions read, the typed decision's renderers, and the policy's kind.
//
// Inputs are the shipped samples (samples/changes.ndjson, samples/servicenow-change.json:
// a ServiceNow Table API change_request record, samples/pipeline-change.json) or small
// documents written here; every expectation is computed by hand.
// Dates: 2026-03-03 is a Tuesday.
#include <catch2/catch.hpp>

#include <deque>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmdb/cmdb.h"
#include "document/change.h"
#include "kinds/change/change_risk.h"
#include "kinds/registry.h"
#include "policy/bind.h"
#include "verdict/engine.h"
#include "verdict/json_writer.h"

using namespace verdict;
using change::BlastRadius;
using change::ChangeData;
using change::Finding;
using change::FindingType;
using json = nlohmann::ordered_json;

namespace {

std::string slurp(const std::string& relative) {
  std::ifstream f(std::string(VERDICT_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int64_t t(const char* rfc3339) {
  auto v = datetime::parse_rfc3339(rfc3339);
  REQUIRE(v.has_value());
  return *v;
}

// Documents read for a test, kept alive with the values that point into them.
struct Docs {
  DocumentReader reader;
  std::deque<Document> docs;  // a deque: a document does not move as more are read
  Value read(std::string_view text) {
    auto d = reader.read(text);
    INFO(text);
    REQUIRE(d.ok());
    docs.push_back(std::move(d).value());
    return docs.back().root();
  }
  // Every document of an NDJSON text, each kept (read_ndjson reuses one document per line).
  std::vector<Value> read_lines(std::string_view text) {
    std::vector<Value> out;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      if (!line.empty()) out.push_back(read(line));
      text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
    return out;
  }
};

// db-1 <- api-1 <- web-1 (web-1 depends on api-1, which depends on db-1); wiki alone.
const char* kCmdb = R"({"kind": "cmdb", "items": [
  {"id": "db-1", "name": "payments-db", "class": "database", "tier": 2, "service": "api", "owner": "dba-team"},
  {"id": "api-1", "class": "service", "tier": 1, "service": "api", "depends_on": ["db-1"]},
  {"id": "web-1", "class": "service", "tier": 1, "service": "web", "depends_on": ["api-1"]},
  {"id": "wiki", "class": "service", "tier": 4, "service": "wiki"}
]})";

struct Cmdb {
  CmdbIndex index;
  Cmdb() {
    DocumentReader reader;
    auto doc = reader.read(kCmdb);
    REQUIRE(doc.ok());
    REQUIRE(index.add(std::move(doc).value(), "cmdb.json").ok());
    index.finalize();
  }
};

shapes::Change change_of(Docs& docs, std::string_view text) {
  shapes::Change c;
  std::vector<shapes::FieldProblem> problems;
  shapes::map_change(docs.read(text), c, problems);
  INFO(text);
  REQUIRE(problems.empty());
  return c;
}

// A change on `targets` from 10:00 to 11:00 on 2026-03-03.
std::string change_text(const std::string& targets, const std::string& extra = "", const std::string& type = "normal") {
  return R"({"kind": "change", "id": "C-1", "type": ")" + type + R"(", "targets": )" + targets +
         R"(, "start": "2026-03-03T10:00:00Z", "end": "2026-03-03T11:00:00Z")" + extra + "}";
}

std::string to_json(const lang::Val& v) { return lang::val_to_json(v); }

// Whether a bound value holds something: not null, and a list or map with something in it.
bool has_value(const lang::Val& v) {
  if (v.k == lang::VK::kNull) return false;
  if (v.k == lang::VK::kList) {
    for (const lang::Val& x : *v.list)
      if (has_value(x)) return true;
    return false;
  }
  if (v.k == lang::VK::kMap) {
    for (const auto& [k, x] : *v.map)
      if (has_value(x)) return true;
    return false;
  }
  return true;
}

std::string policy_text(const std::string& spec, const std::string& name = "risk", const std::string& kind = "ChangeRisk") {
  return "{\"apiVersion\": \"verdict/v1\", \"kind\": \"" + kind + "\", \"metadata\": {\"name\": \"" + name + "\"},\n \"spec\": " + spec + "}";
}

std::shared_ptr<const policy::CompiledPolicy> load(const std::string& text) {
  policy::LoadResult r = policy::load_policies(text, "p.json", lang::ExprLimits{}, kinds::all());
  for (const Error& e : r.errors) INFO(e.to_string());
  REQUIRE(r.errors.empty());
  REQUIRE(r.policies.size() == 1);
  return r.policies[0];
}

std::vector<Error> lint_errors(const std::string& text) {
  Engine e;
  return e.lint(text, "p.json").errors;
}

}  // namespace

// ---- the `change` schema and what is bound ----------------------------------------------

TEST_CASE("the change schema lists exactly the fields bound as `change`, in order", "[change][schema]") {
  Docs docs;
  lang::Arena arena;
  std::vector<Value> inputs = docs.read_lines(slurp("samples/changes.ndjson"));
  inputs.push_back(docs.read(slurp("samples/servicenow-change.json")));
  inputs.push_back(docs.read(slurp("samples/pipeline-change.json")));
  inputs.push_back(docs.read(R"({"title": "not a change at all"})"));
  const Schema& schema = shapes::change_schema();
  REQUIRE(schema.size() == shapes::change::kFieldCount);
  for (Value in : inputs) {
    shapes::Change c;
    std::vector<shapes::FieldProblem> problems;
    shapes::map_change(in, c, problems);
    arena.reset();
    lang::Val v = policy::bind_change(c, arena);
    REQUIRE(v.k == lang::VK::kMap);
    std::vector<std::string_view> bound, listed;
    for (const auto& [k, x] : *v.map) bound.push_back(k);
    for (const SchemaField& f : schema) listed.push_back(f.name);
    CHECK(bound == listed);
  }
}

TEST_CASE("every field of the change schema gets a value from some input", "[change][schema]") {
  // The three shapes as shipped, and one pipeline change whose check failed (GitHub's check
  // runs conclude "success", "failure", "cancelled", ...: docs.github.com, REST API, check runs).
  Docs docs;
  std::vector<Value> inputs = docs.read_lines(slurp("samples/changes.ndjson"));
  for (Value v : docs.read_lines(slurp("samples/change/schedule.ndjson"))) inputs.push_back(v);
  inputs.push_back(docs.read(slurp("samples/servicenow-change.json")));
  inputs.push_back(docs.read(slurp("samples/pipeline-change.json")));
  inputs.push_back(docs.read(R"({"repository": "github.com/northwind/payments-api", "commit": "6e1f0c9a2b7d4e8f",
    "deploy_window": {"start": "2025-03-18T09:00:00Z", "end": "2025-03-18T11:00:00Z"},
    "changed_services": ["payments-api"], "checks": {"unit": "success", "sast": "failure"}})"));
  const Schema& schema = shapes::change_schema();
  std::vector<bool> seen(schema.size(), false);
  lang::Arena arena;
  for (Value in : inputs) {
    shapes::Change c;
    std::vector<shapes::FieldProblem> problems;
    shapes::map_change(in, c, problems);
    arena.reset();
    lang::Val v = policy::bind_change(c, arena);
    for (size_t f = 0; f < schema.size(); ++f)
      if (has_value(lang::map_get(v, schema[f].name))) seen[f] = true;
  }
  for (size_t f = 0; f < schema.size(); ++f) {
    INFO("change." << schema[f].name);
    CHECK(seen[f]);
  }
}

TEST_CASE("the canonical change bound as values: each shape's fields, absent ones null", "[change][schema]") {
  Docs docs;
  lang::Arena arena;
  shapes::Change c;
  std::vector<shapes::FieldProblem> problems;
  SECTION("ServiceNow: references by display value, codes named, dates in UTC") {
    CHECK(shapes::map_change(docs.read(slurp("samples/servicenow-change.json")), c, problems) == "servicenow");
    CHECK(problems.empty());
    lang::Val v = policy::bind_change(c, arena);
    CHECK(to_json(lang::map_get(v, "id")) == R"("CHG0030045")");
    CHECK(to_json(lang::map_get(v, "targets")) == R"(["postgres-payments-01"])");
    CHECK(to_json(lang::map_get(v, "services")) == R"(["payments-api"])");
    CHECK(to_json(lang::map_get(v, "risk")) == R"("high")");
    CHECK(to_json(lang::map_get(v, "impact")) == R"("high")");
    CHECK(to_json(lang::map_get(v, "start")) == R"("2025-03-15T21:00:00Z")");
    CHECK(to_json(lang::map_get(v, "duration_minutes")) == "360");
    CHECK(to_json(lang::map_get(v, "status")) == R"("scheduled")");
    CHECK(to_json(lang::map_get(v, "size")) == R"({"files":null,"lines":null})");
    CHECK(to_json(lang::map_get(v, "repository")) == "null");
  }
  SECTION("pipeline: id from repository and commit, size from the diff, checks and approvals") {
    CHECK(shapes::map_change(docs.read(slurp("samples/pipeline-change.json")), c, problems) == "pipeline");
    lang::Val v = policy::bind_change(c, arena);
    CHECK(to_json(lang::map_get(v, "id")) == R"("github.com/northwind/payments-api@6e1f0c9a2b7d")");
    CHECK(to_json(lang::map_get(v, "size")) == R"({"files":14,"lines":420})");
    CHECK(to_json(lang::map_get(v, "approvals")) ==
          R"([{"user":"l.fischer@northwind.example","role":"code-owner"},{"user":"e.sato@northwind.example","role":"sre"}])");
    CHECK(to_json(lang::map_get(v, "failed_checks")) == "[]");
    CHECK(to_json(lang::map_get(v, "test_evidence")) == R"("checks passed: unit contract load sast")");
    CHECK(to_json(lang::map_get(v, "has_test_evidence")) == "true");
    CHECK(to_json(lang::map_get(v, "canary")) == "true");
  }
  SECTION("a document that is not a change is read as a native one") {
    CHECK(shapes::map_change(docs.read(R"({"title": "deploy"})"), c, problems).empty());
    lang::Val v = policy::bind_change(c, arena);
    CHECK(to_json(lang::map_get(v, "source")) == R"("native")");
    CHECK(to_json(lang::map_get(v, "title")) == R"("deploy")");
    CHECK(to_json(lang::map_get(v, "start")) == "null");
    CHECK(to_json(lang::map_get(v, "has_rollback_plan")) == "false");
  }
}

TEST_CASE("change.labels is not a field of the canonical change: a lint error at its line and column", "[change][schema][lint]") {
  // No accepted shape of a change has labels (the native shape, ServiceNow's change_request and
  // the pipeline description); `input.labels` reads them from the document as given.
  const std::string spec = "{\"classes\": [{\"name\": \"all\", \"outcome\": \"peer_review\"}],\n"
                           "  \"gates\": [{\"name\": \"team\", \"when\": \"change.labels.team == 'payments'\", \"action\": \"deny\", \"message\": \"m\"}]}";
  for (const char* kind : {"ChangeRisk", "Rules"}) {
    std::string text = std::string(kind) == "Rules"
                           ? policy_text("{\"input\": \"change\",\n  \"rules\": [{\"name\": \"team\", \"when\": \"change.labels.team == 'payments'\"}]}", "p", kind)
                           : policy_text(spec, "p", kind);
    INFO(kind);
    std::vector<Error> errors = lint_errors(text);
    REQUIRE(errors.size() == 1);
    size_t at = text.find("labels");
    size_t line_start = text.rfind('\n', at) + 1;
    CHECK(errors[0].code == ErrorCode::kUnknownName);
    CHECK(errors[0].line == 3);
    CHECK(errors[0].column == static_cast<int64_t>(at - line_start + 1));
    CHECK(errors[0].message.find("unknown field 'labels' of change") != std::string::npos);
    // A change has no map for a sender's own fields, so the hint about them is not given.
    CHECK(errors[0].message.find("custom fields go under") == std::string::npos);
    // The document as given is still there.
    std::string fixed = text;
    fixed.replace(at - 7, 7, "input.");  // "change.labels" -> "input.labels"
    CHECK(lint_errors(fixed).empty());
  }
}

TEST_CASE("every field of the change schema lints, fields it never binds do not", "[change][schema][lint]") {
  std::string gates;
  for (const SchemaField& f : shapes::change_schema())
    gates += std::string(gates.empty() ? "" : ",\n") + "{\"name\": \"" + std::string(f.name) + "\", \"when\": \"change." +
             std::string(f.name) + " == null\", \"action\": \"note\", \"message\": \"m\"}";
  std::string spec = "{\"classes\": [{\"name\": \"all\", \"outcome\": \"peer_review\"}], \"gates\": [\n" + gates + "]}";
  CHECK(lint_errors(policy_text(spec)).empty());
  for (const char* gone : {"labels", "custom", "created", "window"}) {
    INFO(gone);
    std::string bad = "{\"classes\": [{\"name\": \"all\", \"outcome\": \"peer_review\"}], \"gates\": [{\"name\": \"g\", \"when\": \"change." +
                      std::string(gone) + " == null\", \"action\": \"note\", \"message\": \"m\"}]}";
    CHECK(lint_errors(policy_text(bad)).size() == 1);
  }
}

TEST_CASE("a Rules policy with input \"change\" reads the canonical change, `input` is the document", "[change][schema][rules]") {
  Engine e;
  REQUIRE(e.load_policies(policy_text(R"({"input": "change", "rules": [{"name": "r", "when": "change.type == 'normal'", "set": {
      "targets": "change.targets", "start": "change.start", "number": "input.number", "source": "change.source"}}]})",
                                      "gate", "Rules"),
                          "p.json")
              .ok());
  EvalOptions o;
  EvalReport r = e.evaluate(slurp("samples/servicenow-change.json"), o);
  INFO(r.json);
  CHECK(r.ok());
  json d = json::parse(r.json);
  CHECK(d["decision"]["outputs"] == json::parse(R"({"targets": ["postgres-payments-01"], "start": "2025-03-15T21:00:00Z",
                                                  "number": "CHG0030045", "source": "servicenow"})"));
  // A time without a zone is an input error, as in ChangeRisk.
  r = e.evaluate(R"({"kind": "change", "type": "normal", "start": "2026-03-03T10:00:00"})", o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("input field start:") == 0);
}

// ---- steps 1-6 -------------------------------------------------------------------------------

TEST_CASE("step 1, read_change: problems, a document that is not a change, no start or end", "[change][steps]") {
  Docs docs;
  shapes::Change c;
  std::vector<Error> errors;
  change::read_change(docs.read(change_text(R"(["db-1"])")), {}, c, errors);
  CHECK(errors.empty());
  CHECK(c.timed());
  change::read_change(docs.read(R"({"sys_class_name": "change_request", "number": "CHG1", "start_date": "2026-03-03 10:00:00"})"), {}, c,
                      errors);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message == "input field end_date: the change has no end time; windows and conflicts need it");
  errors.clear();
  change::ChangeOptions east;
  east.servicenow_zone = datetime::Zone::fixed(3600);  // display values written at +01:00
  change::read_change(docs.read(R"({"sys_class_name": "change_request", "number": "CHG1", "start_date": "2026-03-03 10:00:00",
                                    "end_date": "2026-03-03 11:00:00"})"),
                      east, c, errors);
  CHECK(errors.empty());
  CHECK(c.start == t("2026-03-03T09:00:00Z"));
  change::read_change(docs.read(R"({"title": "a ticket"})"), {}, c, errors);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].message.find("input: this is not a change request") == 0);
  CHECK(errors[1].message.find("input field start:") == 0);
  CHECK(errors[2].message.find("input field end:") == 0);
}

TEST_CASE("step 2, blast_radius: dependents at their smallest depth, services, tiers, unknown targets", "[change][steps]") {
  Cmdb cmdb;
  Docs docs;
  BlastRadius b;
  std::vector<Finding> findings;
  lang::Arena arena;
  SECTION("one target: what depends on it, transitively") {
    shapes::Change c = change_of(docs, change_text(R"(["db-1"])"));
    change::blast_radius(c, &cmdb.index, 6, b, findings);
    CHECK(findings.empty());
    CHECK(to_json(change::bind_blast(c, b, 50, arena)) ==
          R"({"targets":[{"name":"db-1","found":true,"id":"db-1","class":"database","tier":2,"service":"api","owner":"dba-team"}],)"
          R"("count":2,"max_depth":2,"min_tier":1,"services":["api","web"],)"
          R"("items":[{"id":"api-1","class":"service","tier":1,"service":"api","depth":1,"via":"db-1"},)"
          R"({"id":"web-1","class":"service","tier":1,"service":"web","depth":2,"via":"db-1"}],"truncated":false})");
    CHECK(b.touched == std::vector<std::string_view>{"api"});
    // max_items lists fewer; the count stays exact.
    CHECK(to_json(lang::map_get(change::bind_blast(c, b, 1, arena), "truncated")) == "true");
    CHECK(lang::list_size(lang::map_get(change::bind_blast(c, b, 1, arena), "items")) == 1);
    // max_depth stops the walk.
    change::blast_radius(c, &cmdb.index, 1, b, findings);
    CHECK(b.items.size() == 1);
  }
  SECTION("two targets: a target is not in the blast radius; an item reached twice keeps its smallest depth") {
    shapes::Change c = change_of(docs, change_text(R"(["payments-db", "api-1"])", R"(, "services": ["checkout"])"));
    change::blast_radius(c, &cmdb.index, 6, b, findings);
    REQUIRE(b.items.size() == 1);
    CHECK(cmdb.index.items()[b.items[0].item].id == "web-1");
    CHECK(b.items[0].depth == 1);
    CHECK(b.items[0].via == 1);  // from api-1, not at depth 2 from payments-db
    CHECK(b.touched == std::vector<std::string_view>{"checkout", "api"});
  }
  SECTION("unknown targets and no targets are findings") {
    shapes::Change c = change_of(docs, change_text(R"(["nope", "wiki"])"));
    change::blast_radius(c, &cmdb.index, 6, b, findings);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].type == FindingType::kUnknownTarget);
    CHECK(findings[0].item == "nope");
    CHECK(findings[0].action == change::kPeerReview);
    CHECK(b.min_tier == 4);
    findings.clear();
    c = change_of(docs, change_text("[]"));
    change::blast_radius(c, &cmdb.index, 6, b, findings);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].type == FindingType::kNoTargets);
    CHECK(to_json(lang::map_get(change::bind_blast(c, b, 50, arena), "min_tier")) == "null");
  }
}

TEST_CASE("step 3, find_conflicts: the same item, a related item, the same assignee, never itself", "[change][steps]") {
  Cmdb cmdb;
  Docs docs;
  ChangeData data;
  std::vector<Error> errors, warnings;
  auto scheduled = [&](const std::string& id, const std::string& targets, const char* start, const char* end, const std::string& extra = "") {
    std::string text = R"({"kind": "change", "id": ")" + id + R"(", "title": "t )" + id + R"(", "targets": )" + targets + R"(, "start": ")" +
                       start + R"(", "end": ")" + end + "\"" + extra + "}";
    REQUIRE(data.add(docs.read(text), text, "schedule.ndjson", errors, warnings) == 1);
  };
  scheduled("S-1", R"(["payments-db"])", "2026-03-03T10:30:00Z", "2026-03-03T11:30:00Z");  // db-1 by its name
  scheduled("S-2", R"(["api-1"])", "2026-03-03T09:00:00Z", "2026-03-03T10:01:00Z");        // a dependent of db-1
  scheduled("S-3", R"(["wiki"])", "2026-03-03T10:59:00Z", "2026-03-03T12:00:00Z", R"(, "assignee": "ana")");
  scheduled("S-4", R"(["db-1"])", "2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z", R"(, "status": "cancelled")");
  scheduled("S-5", R"(["db-1"])", "2026-03-03T11:00:00Z", "2026-03-03T12:00:00Z");  // starts when C-1 ends
  scheduled("C-1", R"(["db-1"])", "2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z");  // the change itself
  data.finalize();
  REQUIRE(errors.empty());
  shapes::Change c = change_of(docs, change_text(R"(["db-1"])", R"(, "assignee": "ana")"));
  BlastRadius b;
  std::vector<Finding> findings;
  change::blast_radius(c, &cmdb.index, 6, b, findings);
  std::vector<change::Conflict> conflicts;
  change::find_conflicts(c, b, &data, conflicts, findings);
  REQUIRE(conflicts.size() == 3);
  CHECK(conflicts[0].type == FindingType::kSameItem);
  CHECK(data.changes()[conflicts[0].change].id == "S-1");
  CHECK(conflicts[0].item == "db-1");
  CHECK(conflicts[1].type == FindingType::kRelatedItem);
  CHECK(std::string(conflicts[1].relation) == "a dependent");
  CHECK(conflicts[2].type == FindingType::kDoubleBooked);
  REQUIRE(findings.size() == 3);
  CHECK(findings[0].message == "change S-1 is scheduled on db-1 at an overlapping time (2026-03-03T10:30:00Z to 2026-03-03T11:30:00Z)");
  CHECK(findings[1].message ==
        "change S-2 is scheduled on api-1, a dependent of a target, at an overlapping time (2026-03-03T09:00:00Z to 2026-03-03T10:01:00Z)");
  CHECK(findings[2].message == "the assignee ana is also assigned change S-3 at an overlapping time (2026-03-03T10:59:00Z to 2026-03-03T12:00:00Z)");
  lang::Arena arena;
  CHECK(to_json(lang::list_at(change::bind_conflicts(conflicts, &data, arena), 0)) ==
        R"({"type":"same_item","change":"S-1","title":"t S-1","item":"db-1","relation":"","start":"2026-03-03T10:30:00Z",)"
        R"("end":"2026-03-03T11:30:00Z","assignee":""})");
  // A change without an end conflicts with nothing.
  c.has_end = false;
  findings.clear();
  change::find_conflicts(c, b, &data, conflicts, findings);
  CHECK(conflicts.empty());
  CHECK(findings.empty());
}

TEST_CASE("step 4, check_windows: blackouts on targets and related items, maintenance, each window's state", "[change][steps]") {
  Cmdb cmdb;
  Docs docs;
  auto window = [](const char* name, const char* type, const char* a, const char* b) {
    change::ChangeWindow w;
    w.name = name;
    w.type = type;
    w.source = "policy";
    w.when.ranges.push_back({t(a), t(b)});
    return w;
  };
  std::vector<change::ChangeWindow> windows;
  windows.push_back(window("freeze", "blackout", "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z"));
  windows.back().scope.all = false;
  windows.back().scope.services = {"web"};
  windows.push_back(window("db_maintenance", "maintenance", "2026-03-03T10:00:00Z", "2026-03-03T10:30:00Z"));
  windows.back().scope.all = false;
  windows.back().scope.classes = {"database"};
  windows.push_back(window("release", "window", "2026-03-03T09:00:00Z", "2026-03-03T12:00:00Z"));
  shapes::Change c = change_of(docs, change_text(R"(["db-1"])"));
  BlastRadius b;
  std::vector<Finding> findings;
  change::blast_radius(c, &cmdb.index, 6, b, findings);
  std::vector<change::WindowState> states;
  change::check_windows(c, b, windows, nullptr, states, findings);
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].type == FindingType::kRelatedBlackout);  // web-1 (service web) depends on db-1
  CHECK(findings[0].item == "web-1");
  CHECK(findings[0].message == "the related item web-1 is in the blackout window freeze during the change");
  CHECK(findings[1].type == FindingType::kOutsideMaintenance);
  CHECK(findings[1].message == "db-1 is changed outside its maintenance windows (db_maintenance)");
  lang::Arena arena;
  CHECK(to_json(change::bind_windows(states, arena)) ==
        R"({"freeze":{"type":"blackout","applies":false,"overlaps":true,"covers":true},)"
        R"("db_maintenance":{"type":"maintenance","applies":true,"overlaps":true,"covers":false},)"
        R"("release":{"type":"window","applies":true,"overlaps":true,"covers":true}})");
  SECTION("a blackout on the target, with the window's own action and message") {
    windows[0].scope.services = {"api"};
    windows[0].action = "cab_review";
    windows[0].message = "quarter close";
    findings.clear();
    change::check_windows(c, b, windows, nullptr, states, findings);
    REQUIRE(findings.size() == 2);
    CHECK(findings[0].type == FindingType::kBlackout);
    CHECK(findings[0].message == "quarter close (blackout window freeze)");
    CHECK(findings[0].action == change::kCabReview);
    CHECK(findings[0].fixed);
  }
  SECTION("a data window named like a policy window is checked, and listed once") {
    std::vector<Error> errors, warnings;
    ChangeData data;
    std::string text = R"({"kind": "change_windows", "windows": {"release": {"type": "blackout",
      "ranges": [{"start": "2026-03-03T00:00:00Z", "end": "2026-03-04T00:00:00Z"}]}}})";
    REQUIRE(data.add(docs.read(text), text, "windows.json", errors, warnings) == 1);
    data.finalize();
    findings.clear();
    change::check_windows(c, b, windows, &data, states, findings);
    CHECK(states.size() == 3);
    REQUIRE(findings.size() == 3);
    CHECK(findings[1].type == FindingType::kBlackout);
    CHECK(findings[1].name == "release");
  }
}

TEST_CASE("step 5, check_budget: the touched services' budgets, exhausted, frozen, burning", "[change][steps]") {
  Docs docs;
  ChangeData data;
  std::vector<Error> errors, warnings;
  std::string text = R"({"kind": "error_budget_status", "version": 1, "slos": [
    {"slo": "api-availability", "service": "api", "status": "exhausted", "budget_remaining": -0.25, "burn_state": "page",
     "freeze": true, "actions": ["freeze releases", "page"]},
    {"slo": "api-latency", "service": "api", "status": "ok", "budget_remaining": 0.5, "burn_state": "ticket", "actions": ["page"]},
    {"slo": "wiki-availability", "service": "wiki", "status": "exhausted", "budget_remaining": 0}]})";
  REQUIRE(data.add(docs.read(text), text, "budget.json", errors, warnings) == 1);
  data.finalize();
  change::BudgetState budget;
  std::vector<Finding> findings;
  change::check_budget({"api", "web"}, &data, budget, findings);
  REQUIRE(findings.size() == 3);
  CHECK(findings[0].type == FindingType::kBudgetFreeze);
  CHECK(findings[0].message == "releases of api are frozen by its error-budget policy (SLO api-availability, budget remaining -25.0%)");
  CHECK(findings[1].type == FindingType::kBudgetExhausted);
  CHECK(findings[2].type == FindingType::kBudgetBurning);
  CHECK(findings[2].message == "api burns its error budget fast (ticket burn rate, SLO api-latency)");
  lang::Arena arena;
  CHECK(to_json(change::bind_budget(budget, arena)) ==
        R"({"services":[{"service":"api","slo":"api-availability","status":"exhausted","burn_state":"page","budget_remaining":-0.25,)"
        R"("freeze":true,"actions":["freeze releases","page"]},{"service":"api","slo":"api-latency","status":"ok","burn_state":"ticket",)"
        R"("budget_remaining":0.5,"freeze":false,"actions":["page"]}],"exhausted":true,"freeze":true,"burning":true,)"
        R"("min_remaining":-0.25,"actions":["freeze releases","page"]})");
  change::check_budget({"web"}, &data, budget, findings);
  CHECK(to_json(change::bind_budget(budget, arena)) ==
        R"({"services":[],"exhausted":false,"freeze":false,"burning":false,"min_remaining":null,"actions":[]})");
}

TEST_CASE("step 6, change_history: failure rates of the team and the assignee before the start", "[change][steps]") {
  Docs docs;
  ChangeData data;
  std::vector<Error> errors, warnings;
  int n = 0;
  auto finished = [&](const char* team, const char* assignee, const char* end, const char* outcome) {
    std::string text = R"({"kind": "change", "id": "H-)" + std::to_string(++n) + R"(", "targets": ["x"], "team": ")" + team +
                       R"(", "assignee": ")" + assignee + R"(", "start": "2026-01-01T00:00:00Z", "end": ")" + end +
                       R"(", "outcome": ")" + outcome + "\"}";
    REQUIRE(data.add(docs.read(text), text, "history.ndjson", errors, warnings) == 1);
  };
  finished("dba", "ana", "2026-02-01T00:00:00Z", "successful");
  finished("dba", "bo", "2026-02-10T00:00:00Z", "failed");
  finished("dba", "bo", "2026-02-20T00:00:00Z", "rolled_back");
  finished("dba", "ana", "2026-03-04T00:00:00Z", "failed");  // after the change's start
  finished("web", "ana", "2026-02-15T00:00:00Z", "successful");
  data.finalize();
  shapes::Change c = change_of(docs, change_text(R"(["db-1"])", R"(, "team": "dba", "assignee": "ana")"));
  change::HistoryState h;
  change::change_history(c, &data, 30LL * 24 * 3600 * datetime::kNanosPerSecond, h);  // 2026-02-01T10:00Z on
  CHECK(h.team.finished == 2);
  CHECK(h.team.failed == 2);
  CHECK(h.assignee.finished == 1);
  CHECK(h.assignee.failed == 0);
  lang::Arena arena;
  CHECK(to_json(change::bind_history(h, arena)) ==
        R"({"window":"30d","team":{"finished":2,"failed":2,"failure_rate":1.0},"assignee":{"finished":1,"failed":0,"failure_rate":0.0}})");
  change::change_history(c, &data, 90LL * 24 * 3600 * datetime::kNanosPerSecond, h);
  CHECK(h.team.finished == 3);
  c.has_start = false;
  change::change_history(c, &data, 90LL * 24 * 3600 * datetime::kNanosPerSecond, h);
  CHECK(to_json(lang::map_get(change::bind_history(h, arena), "team")) == R"({"finished":0,"failed":0,"failure_rate":null})");
}

// ---- steps 7-10: the policy's expressions over the bound values ------------------------------

namespace {

const char* kSpec = R"({
  "factors": [
    {"name": "tier 1 nearby", "when": "blast.min_tier == 1", "points": 30, "reason": "tier 1"},
    {"name": "size", "when": "change.size.lines != null", "points": "blast.count * 10"},
    {"name": "zero", "when": "true", "points": 0},
    {"name": "bad", "points": "change.title"}
  ],
  "classes": [{"name": "low", "below": 30, "outcome": "peer_review"}, {"name": "medium", "below": 60, "outcome": "cab_review"},
              {"name": "high", "outcome": "deny"}],
  "auto_approve": {"when": "change.type == 'standard' && score < 30", "max_class": "low", "reason": "standard"},
  "approvals": {"peer_review": [{"count": 1, "from": ["sre"]}], "cab_review": [{"count": 2, "from": ["cab", "SRE"]}]},
  "gates": [{"name": "prod", "when": "change.environment == 'production'", "action": "cab_review", "message": "production"}],
  "findings": {"unknown_target": {"action": "deny", "except": [{"when": "change.type == 'emergency'", "action": "note", "reason": "emergencies"}]}}
})";

// A policy, a CMDB and a change bound in a decision's context, for steps 7-10.
struct Bound {
  Cmdb cmdb;
  Docs docs;
  std::shared_ptr<const policy::CompiledPolicy> compiled = load(policy_text(kSpec));
  const change::ChangeRiskPolicy& p = static_cast<const change::ChangeRiskPolicy&>(*compiled);
  lang::EvalContext ctx;
  shapes::Change c;
  BlastRadius blast;
  std::vector<Finding> findings;
  std::vector<Error> errors;

  explicit Bound(const std::string& change_json) {
    c = change_of(docs, change_json);
    policy::DecisionContext dc;
    dc.cmdb = &cmdb.index;
    dc.explain = true;
    policy::begin(ctx, dc);
    change::blast_radius(c, &cmdb.index, 6, blast, findings);
    ctx.bind(change::kChangeVar, policy::bind_change(c, ctx.arena()));
    ctx.bind(change::kBlastVar, change::bind_blast(c, blast, 50, ctx.arena()));
  }
};

}  // namespace

TEST_CASE("step 7, score_factors: points that apply add up, each factor explained with the values it read", "[change][steps]") {
  Bound s(change_text(R"(["db-1"])", R"(, "title": "t", "size": {"lines": 10})"));
  std::vector<change::AppliedFactor> applied;
  std::vector<change::FactorTrace> trace;
  int64_t score = change::score_factors(s.p, s.ctx, applied, &trace, s.errors);
  CHECK(score == 50);  // tier 1 nearby 30 + size 2 dependents * 10
  REQUIRE(applied.size() == 2);
  CHECK(applied[1].factor->name == "size");
  CHECK(applied[1].points == 20);
  REQUIRE(s.errors.size() == 1);  // "bad": a string is not points
  CHECK(s.errors[0].message == "points must be a number, not a string");
  REQUIRE(trace.size() == 4);
  CHECK(trace[2].applies);  // "zero" applies, and adds nothing
  CHECK(trace[2].points == 0);
  CHECK_FALSE(trace[3].applies);
  // The values of the condition, then of the points, each under its own name.
  REQUIRE(trace[1].reads.size() == 2);
  CHECK(trace[1].reads[0].path == "change.size.lines");
  CHECK(trace[1].reads[0].json == "10");
  CHECK(trace[1].reads[1].path == "blast.count");
  CHECK(trace[1].reads[1].json == "2");
  // Clamped to 0..100 and rounded.
  CHECK(change::risk_class(s.p.spec.classes, 29) == 0);
  CHECK(change::risk_class(s.p.spec.classes, 30) == 1);
  CHECK(change::risk_class(s.p.spec.classes, 100) == 2);
}

TEST_CASE("step 8, auto_approve: only up to max_class, when its condition holds", "[change][steps]") {
  Bound s(change_text(R"(["wiki"])", "", "standard"));
  s.ctx.bind(change::kScoreVar, lang::Val::integer(10));
  std::optional<change::AutoApproveTrace> trace;
  CHECK(change::auto_approve(s.p, 0, s.ctx, &trace, s.errors));
  REQUIRE(trace);
  CHECK(trace->eligible);
  REQUIRE_FALSE(trace->reads.empty());
  CHECK(trace->reads[0].path == "change.type");
  CHECK_FALSE(change::auto_approve(s.p, 1, s.ctx, &trace, s.errors));
  CHECK_FALSE(trace->eligible);
  CHECK(s.errors.empty());
}

TEST_CASE("step 9, gates and the findings' actions: exceptions, windows' own actions, the worst outcome", "[change][steps]") {
  Bound s(change_text(R"(["nope"])", R"(, "environment": "production")", "emergency"));
  REQUIRE(s.findings.size() == 1);  // unknown_target
  Finding fixed;
  fixed.type = FindingType::kBlackout;
  fixed.action = change::kPeerReview;
  fixed.fixed = true;
  s.findings.push_back(fixed);
  std::vector<change::GateTrace> trace;
  change::check_gates(s.p, s.ctx, s.findings, &trace, s.errors);
  REQUIRE(s.findings.size() == 3);
  CHECK(s.findings[2].type == FindingType::kGate);
  CHECK(s.findings[2].message == "production");
  CHECK(trace[0].applies);
  change::apply_finding_rules(s.p, s.ctx, s.findings, s.errors);
  CHECK(s.findings[0].action == change::kNote);  // deny, except for emergencies
  CHECK(s.findings[0].exception == "emergencies");
  CHECK(s.findings[1].action == change::kPeerReview);  // the window's own action
  CHECK(change::final_outcome(change::kAutoApprove, s.findings) == change::kCabReview);
  CHECK(change::final_outcome(change::kDeny, s.findings) == change::kDeny);
}

TEST_CASE("step 10, check_approvals: roles case-insensitive, each user once, never the author", "[change][steps]") {
  Bound s(change_text(R"(["wiki"])", R"(, "author": "bo", "approvals": [{"user": "ann", "role": "cab"}, {"user": "BO", "role": "sre"},
                                            {"user": "cy", "role": "sre"}, {"user": "cy", "role": "cab"}])"));
  change::Approvals a;
  change::check_approvals(s.p.spec, change::kCabReview, s.c, a);
  REQUIRE(a.required.size() == 1);
  CHECK(a.required[0].by == std::vector<std::string_view>{"ann", "cy"});
  CHECK(a.satisfied);
  CHECK(std::string(change::status_of(change::kCabReview, a)) == "approved");
  change::check_approvals(s.p.spec, change::kPeerReview, s.c, a);
  CHECK(a.required[0].by == std::vector<std::string_view>{"cy"});
  s.c.approvals.pop_back();
  s.c.approvals.pop_back();
  change::check_approvals(s.p.spec, change::kPeerReview, s.c, a);
  CHECK(a.required[0].missing() == 1);
  CHECK(std::string(change::status_of(change::kPeerReview, a)) == "needs_approval");
  change::check_approvals(s.p.spec, change::kDeny, s.c, a);
  CHECK(a.required.empty());
  CHECK(std::string(change::status_of(change::kDeny, a)) == "denied");
  CHECK(std::string(change::status_of(change::kAutoApprove, a)) == "approved");
}

// ---- the decision and its renderers -------------------------------------------------------

namespace {

const char* kBundleSpec = R"({
  "factors": [{"name": "tier 1 nearby", "when": "blast.min_tier == 1", "points": 30, "reason": "tier 1"}],
  "classes": [{"name": "low", "below": 30, "outcome": "peer_review"}, {"name": "high", "outcome": "cab_review"}],
  "approvals": {"cab_review": [{"count": 1, "from": ["cab"]}]},
  "windows": {"freeze": {"type": "blackout", "ranges": [{"start": "2026-03-03T00:00:00Z", "end": "2026-03-04T00:00:00Z"}],
                         "scope": {"items": ["wiki"]}, "message": "wiki freeze"}}
})";

Engine& bundle(Engine& e) {
  REQUIRE(e.load_data(kCmdb, "cmdb.json").ok());
  REQUIRE(e.load_policies(policy_text(kBundleSpec), "p.json").ok());
  return e;
}

EvalReport run(Engine& e, const std::string& input, OutputFormat format, bool explain = false) {
  EvalOptions o;
  o.kind = "ChangeRisk";
  o.now = "2026-03-02T00:00:00Z";
  o.output = format;
  o.explain = explain;
  o.source = "changes/c.json";
  return e.evaluate(input, o);
}

}  // namespace

TEST_CASE("the decision's blast_radius and budget are the `blast` and `budget.services` the expressions read", "[change][decision]") {
  Engine e;
  bundle(e);
  json d = json::parse(run(e, change_text(R"(["db-1"])"), OutputFormat::kJson, true).json);
  CHECK(d["decision"]["blast_radius"] == d["explain"]["context"]["blast"]);
  CHECK(d["decision"]["budget"] == d["explain"]["context"]["budget"]["services"]);
  CHECK(d["explain"]["context"]["change"]["id"] == "C-1");
  CHECK(d["explain"]["context"]["windows"]["freeze"]["applies"] == false);
}

TEST_CASE("the decision as text, a JUnit test case and GitHub annotations", "[change][decision]") {
  Engine e;
  bundle(e);
  std::string approved = change_text(R"(["db-1"])", R"(, "title": "raise pool", "approvals": [{"user": "ann", "role": "CAB"}])");
  std::string denied = change_text(R"(["wiki"])");
  SECTION("text: the change, the outcome, factors, findings, approvals, blast radius; explain adds the trace") {
    std::string out = run(e, denied, OutputFormat::kText).json;
    CHECK(out == "risk (ChangeRisk) at 2026-03-02T00:00:00Z\n"
                 "C-1\n"
                 "  denied (deny), risk 0/100 low\n"
                 "  normal change from native, 2026-03-03T10:00:00Z to 2026-03-03T11:00:00Z\n"
                 "  findings:\n"
                 "    deny  blackout freeze: wiki freeze (blackout window freeze)\n"
                 "  blast radius: 0 dependent items, most critical tier 4\n"
                 "  bundle " + e.bundle_digest() + "\n");
    out = run(e, approved, OutputFormat::kText, true).json;
    CHECK(out.find("C-1 raise pool\n  approved (cab_review), risk 30/100 high\n") != std::string::npos);
    CHECK(out.find("  factors:\n    +30  tier 1 nearby: tier 1\n") != std::string::npos);
    CHECK(out.find("  approval: 1 from [cab]: 1 present\n") != std::string::npos);
    CHECK(out.find("  blast radius: 2 dependent items, depth up to 2, most critical tier 1\n    services: api, web\n"
                   "    depth 1: api-1 (tier 1)\n    depth 2: web-1 (tier 1)\n") != std::string::npos);
    CHECK(out.find("  explain:\n    factor tier 1 nearby: applies, 30 points  {\"blast.min_tier\":1}\n") != std::string::npos);
    CHECK(out.find("    window freeze (blackout): applies false, overlaps true, covers true\n") != std::string::npos);
  }
  SECTION("JUnit: a failure for denied, system-out for approved, an error for invalid input") {
    std::string out = run(e, denied, OutputFormat::kJunit).json;
    CHECK(out.find("    <testcase classname=\"verdict.change\" name=\"C-1\" file=\"changes/c.json\" line=\"1\">\n"
                   "      <failure type=\"denied\" message=\"denied (deny), risk 0/100 low\">C-1\n") == 0);
    CHECK(out.find("</failure>\n    </testcase>\n") != std::string::npos);
    out = run(e, approved, OutputFormat::kJunit).json;
    CHECK(out.find("<system-out>C-1 raise pool\n") != std::string::npos);
    out = run(e, R"({"kind": "change", "id": "C-2", "targets": ["wiki"], "start": "2026-03-03T10:00:00"})", OutputFormat::kJunit).json;
    CHECK(out.find("<error type=\"invalid_input\" message=\"input field start: &apos;2026-03-03T10:00:00&apos; is not a timestamp") !=
          std::string::npos);
    CHECK(out.find("  error: input field end: the change has no end time") != std::string::npos);
  }
  SECTION("GitHub: the decision at the file and line, one annotation per finding, errors alone") {
    std::string out = run(e, denied, OutputFormat::kGithub).json;
    CHECK(out.find("::error file=changes/c.json,line=1,title=verdict change C-1::denied (deny), risk 0/100 low%0AC-1%0A") == 0);
    CHECK(out.find("\n::error file=changes/c.json,line=1,title=deny%3A blackout::wiki freeze (blackout window freeze)\n") != std::string::npos);
    out = run(e, approved, OutputFormat::kGithub).json;
    CHECK(out.find("::notice file=changes/c.json,line=1,title=verdict change C-1 raise pool::approved (cab_review)") == 0);
    out = run(e, R"({"kind": "change", "id": "C-2", "targets": ["wiki"]})", OutputFormat::kGithub).json;
    CHECK(out == "::error file=changes/c.json,line=1,title=verdict change%3A invalid input::input field start: the change has no start time; "
                 "windows and conflicts need it\n"
                 "::error file=changes/c.json,line=1,title=verdict change%3A invalid input::input field end: the change has no end time; "
                 "windows and conflicts need it\n");
  }
}

TEST_CASE("control characters of the input never reach text, JUnit or GitHub bodies raw", "[change][decision]") {
  Engine e;
  bundle(e);
  std::string input = change_text(R"(["wiki"])", R"(, "title": "red \u001b[31m alert")");
  std::string text = run(e, input, OutputFormat::kText).json;
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("C-1 red \\x1b[31m alert\n") != std::string::npos);
  std::string junit = run(e, input, OutputFormat::kJunit).json;
  CHECK(junit.find('\x1b') == std::string::npos);
  std::string github = run(e, input, OutputFormat::kGithub).json;
  CHECK(github.find("%0AC-1 red \\x1b[31m alert%0A") != std::string::npos);
}

TEST_CASE("the kind check: a command for ChangeRisk refuses another kind and an ambiguous choice", "[change][kind]") {
  Engine e;
  REQUIRE(e.load_data(kCmdb, "cmdb.json").ok());
  REQUIRE(e.load_policies(slurp("policies/triage/default.json"), "triage.json").ok());
  EvalReport r = run(e, change_text(R"(["wiki"])"), OutputFormat::kText);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kWrongKind);
  CHECK(r.errors[0].message == "policy \"default-triage\" (TriageRouting) is a TriageRouting policy; this needs a ChangeRisk policy");
  CHECK(r.decisions == 0);
  REQUIRE(e.load_policies(policy_text(kBundleSpec, "a"), "a.json").ok());
  r = run(e, change_text(R"(["wiki"])"), OutputFormat::kJson);
  CHECK(r.errors.empty());
  CHECK(r.decisions == 1);
  REQUIRE(e.load_policies(policy_text(kBundleSpec, "b"), "b.json").ok());
  r = run(e, change_text(R"(["wiki"])"), OutputFormat::kJson);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kAmbiguous);
  CHECK(r.errors[0].message == "several ChangeRisk policies are loaded: name the one to use (-e NAME): \"a\" (ChangeRisk), \"b\" (ChangeRisk)");
}
