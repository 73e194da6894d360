// The CMDB index (core/src/cmdb/cmdb.h): the three input shapes, reference
// resolution, problems, and the blast-radius walk.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "cmdb/cmdb.h"
#include "verdict/document.h"

using verdict::CmdbIndex;
using verdict::Document;
using verdict::DocumentReader;
using verdict::ErrorCode;

namespace {

Document read_ok(std::string_view json) {
  DocumentReader reader;
  auto doc = reader.read(json);
  INFO(json);
  if (!doc.ok()) FAIL("read failed: " << doc.error().to_string());
  return std::move(doc).value();
}

// Adds one document and expects no problem.
void add_ok(CmdbIndex& index, std::string_view json, std::string_view source = "test.json") {
  verdict::Status st = index.add(read_ok(json), source);
  INFO(json);
  if (!st.ok()) FAIL("add failed: " << st.error().to_string());
}

// The ids of a list of item indexes.
std::vector<std::string> ids(const CmdbIndex& index, const std::vector<uint32_t>& items) {
  std::vector<std::string> out;
  for (uint32_t i : items) out.push_back(index.items()[i].id);
  return out;
}

// "id@depth" for each reached item, in the order given.
std::vector<std::string> reached(const CmdbIndex& index, std::string_view start, uint32_t max_depth = 16) {
  int64_t s = index.index_of(start);
  REQUIRE(s >= 0);
  std::vector<std::string> out;
  for (const auto& r : index.blast_radius(static_cast<uint32_t>(s), max_depth))
    out.push_back(index.items()[r.item].id + "@" + std::to_string(r.depth));
  return out;
}

const CmdbIndex::Item& must_find(const CmdbIndex& index, std::string_view id) {
  const CmdbIndex::Item* item = index.find(id);
  INFO("looking for " << id);
  REQUIRE(item != nullptr);
  return *item;
}

size_t count_code(const CmdbIndex& index, ErrorCode code) {
  size_t n = 0;
  for (const auto& p : index.problems())
    if (p.code == code) ++n;
  return n;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

using Strings = std::vector<std::string>;

}  // namespace

// ---------------------------------------------------------------------------
// Shapes

TEST_CASE("a native CMDB document indexes each item with its fields and dependencies", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"({"kind": "cmdb", "items": [
    {"id": "svc-pay", "name": "payments", "class": "business_service", "tier": 1, "owner": "team-pay",
     "environment": "production", "service": "payments", "depends_on": ["app-api"]},
    {"id": "app-api", "name": "payments-api", "class": "application", "tier": "tier-2", "owner": "team-pay",
     "depends_on": ["db-1", "host-1"]},
    {"id": "db-1", "name": "payments-db", "class": "database", "tier": "Tier 3"},
    {"id": "host-1", "name": "k8s-node-1", "class": "host", "tier": "4"}
  ]})");
  index.finalize();
  REQUIRE(index.size() == 4);
  CHECK(index.problems().empty());

  const auto& svc = must_find(index, "svc-pay");
  CHECK(svc.name == "payments");
  CHECK(svc.ci_class == "business_service");
  CHECK(svc.owner == "team-pay");
  CHECK(svc.environment == "production");
  CHECK(svc.service == "payments");
  CHECK(svc.tier == 1);
  CHECK(svc.doc.get("id").as_string() == "svc-pay");
  CHECK(ids(index, svc.depends_on) == Strings{"app-api"});

  const auto& api = must_find(index, "app-api");
  CHECK(api.tier == 2);
  CHECK(api.service.empty());
  CHECK(ids(index, api.depends_on) == Strings{"db-1", "host-1"});  // declaration order
  CHECK(must_find(index, "db-1").tier == 3);
  CHECK(must_find(index, "host-1").tier == 4);
}

TEST_CASE("a bare array of native items and a single item object are native documents too", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"([{"id": "a", "depends_on": ["b"]}, {"id": "b"}])", "array.json");
  add_ok(index, R"({"kind": "ci", "id": "c", "name": "gamma", "depends_on": ["a"]})", "single.json");
  index.finalize();
  REQUIRE(index.size() == 3);
  CHECK(index.problems().empty());
  CHECK(ids(index, must_find(index, "c").depends_on) == Strings{"a"});
  CHECK(ids(index, must_find(index, "b").dependents) == Strings{"a"});
  CHECK(must_find(index, "gamma").id == "c");
}

TEST_CASE("tiers are read from integers and from text such as \"1\", \"tier-1\" and \"Tier 1\"", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"([
    {"id": "i", "tier": 1}, {"id": "d", "tier": 2.0}, {"id": "s", "tier": "3"}, {"id": "h", "tier": "tier-1"},
    {"id": "w", "tier": "Tier 2"}, {"id": "u", "tier": "tier_4"}, {"id": "t", "tier": "T3"},
    {"id": "none"}, {"id": "junk", "tier": "gold"}, {"id": "zero", "tier": 0}, {"id": "neg", "tier": -1}
  ])");
  index.finalize();
  CHECK(must_find(index, "i").tier == 1);
  CHECK(must_find(index, "d").tier == 2);
  CHECK(must_find(index, "s").tier == 3);
  CHECK(must_find(index, "h").tier == 1);
  CHECK(must_find(index, "w").tier == 2);
  CHECK(must_find(index, "u").tier == 4);
  CHECK(must_find(index, "t").tier == 3);
  CHECK(must_find(index, "none").tier == 0);
  CHECK(must_find(index, "junk").tier == 0);
  CHECK(must_find(index, "zero").tier == 0);
  CHECK(must_find(index, "neg").tier == 0);
}

TEST_CASE("a ServiceNow export with plain string references indexes cmdb_ci and cmdb_rel_ci records", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"({"records": [
    {"sys_id": "a1", "name": "payments-api", "sys_class_name": "cmdb_ci_appl", "owned_by": "Dana",
     "environment": "Production", "business_criticality": "1 - most critical"},
    {"sys_id": "b2", "name": "payments-db", "sys_class_name": "cmdb_ci_db_instance", "support_group": "Database",
     "business_criticality": "3 - less critical"},
    {"sys_id": "r1", "sys_class_name": "cmdb_rel_ci", "parent": "a1", "child": "b2", "type": "Depends on::Used by"}
  ]})", "snow.json");
  index.finalize();
  REQUIRE(index.size() == 2);  // the relationship is an edge, not an item
  CHECK(index.problems().empty());
  const auto& api = must_find(index, "a1");
  CHECK(api.name == "payments-api");
  CHECK(api.ci_class == "cmdb_ci_appl");
  CHECK(api.owner == "Dana");
  CHECK(api.environment == "Production");
  CHECK(api.tier == 1);
  const auto& db = must_find(index, "b2");
  CHECK(db.owner == "Database");  // support_group when there is no owned_by
  CHECK(db.tier == 3);
  CHECK(ids(index, api.depends_on) == Strings{"b2"});
  CHECK(ids(index, db.dependents) == Strings{"a1"});
  CHECK(&must_find(index, "payments-db") == &db);
}

TEST_CASE("ServiceNow references given as value/display_value objects resolve by sys_id, owner is the display name",
          "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"({"result": [
    {"sys_id": {"value": "a1", "display_value": "a1"}, "name": "payments-api", "sys_class_name": "cmdb_ci_appl",
     "owned_by": {"value": "6816f79cc0a8016401c5a33be04be441", "display_value": "Dana Scully"},
     "support_group": {"value": "g1", "display_value": "Payments"},
     "business_criticality": {"value": "2", "display_value": "2 - somewhat critical"}},
    {"sys_id": "b2", "name": "payments-db", "sys_class_name": "cmdb_ci_db_instance",
     "owned_by": {"value": "u9", "display_value": ""}, "support_group": {"value": "g2", "display_value": "DBA"}},
    {"sys_id": "r1", "sys_class_name": "cmdb_rel_ci",
     "parent": {"value": "a1", "display_value": "payments-api"},
     "child": {"value": "b2", "display_value": "payments-db"},
     "type": {"value": "1a9cb166f1571100a92eb60da2bce5c5", "display_value": "Depends on::Used by"}}
  ]})");
  index.finalize();
  CHECK(index.problems().empty());
  const auto& api = must_find(index, "a1");
  CHECK(api.owner == "Payments");  // the team (support_group) before the person (owned_by), by display name
  CHECK(api.tier == 2);
  CHECK(must_find(index, "b2").owner == "DBA");  // owned_by has no display name; support_group has
  CHECK(ids(index, api.depends_on) == Strings{"b2"});
}

TEST_CASE("ServiceNow \"Depends on::Used by\": the parent depends on the child, \"Used by::Depends on\" reverses it",
          "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"({"records": [
    {"sys_id": "app", "name": "app", "sys_class_name": "cmdb_ci_appl"},
    {"sys_id": "db", "name": "db", "sys_class_name": "cmdb_ci_db_instance"},
    {"sys_id": "host", "name": "host", "sys_class_name": "cmdb_ci_server"},
    {"sys_id": "lb", "name": "lb", "sys_class_name": "cmdb_ci_lb"},
    {"sys_class_name": "cmdb_rel_ci", "parent": "app", "child": "db", "type": "Depends on::Used by"},
    {"sys_class_name": "cmdb_rel_ci", "parent": "host", "child": "db", "type": "Hosts::Hosted on"},
    {"sys_class_name": "cmdb_rel_ci", "parent": "lb", "child": "app", "type": "Used by::Depends on"}
  ]})");
  index.finalize();
  CHECK(index.problems().empty());
  CHECK(ids(index, must_find(index, "app").depends_on) == Strings{"db", "lb"});
  CHECK(ids(index, must_find(index, "db").depends_on) == Strings{"host"});
  CHECK(must_find(index, "host").depends_on.empty());
  CHECK(ids(index, must_find(index, "db").dependents) == Strings{"app"});
  CHECK(ids(index, must_find(index, "lb").dependents) == Strings{"app"});
}

TEST_CASE("ServiceNow relationships may come in a document of their own, before or after their CIs", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"({"records": [{"sys_class_name": "cmdb_rel_ci", "parent": "p", "child": "c",
                                 "type": "Depends on::Used by"}]})", "rels.json");
  add_ok(index, R"({"records": [{"sys_id": "p", "name": "parent"}, {"sys_id": "c", "name": "child"}]})", "cis.json");
  index.finalize();
  CHECK(index.problems().empty());
  CHECK(ids(index, must_find(index, "p").depends_on) == Strings{"c"});
}

TEST_CASE("Backstage entities get ids kind:namespace/name and refs use the default kind and namespace", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
    "metadata": {"name": "payments-api", "labels": {"tier": "tier-1"}},
    "spec": {"type": "service", "lifecycle": "production", "owner": "team-payments", "system": "payments",
             "dependsOn": ["resource:default/payments-db", "component:ledger", "fraud-check"]}})", "api.yaml");
  add_ok(index, R"([
    {"apiVersion": "backstage.io/v1alpha1", "kind": "Resource",
     "metadata": {"name": "payments-db", "namespace": "default"},
     "spec": {"type": "database", "owner": "team-dba", "tier": 2}},
    {"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "ledger"},
     "spec": {"type": "service", "owner": "team-ledger", "lifecycle": "experimental"}},
    {"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "fraud-check",
     "annotations": {"verdict.dev/tier": "3"}}, "spec": {"type": "service"}},
    {"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": {"name": "team-payments"}, "spec": {}}
  ])", "catalog.json");
  index.finalize();
  CHECK(index.problems().empty());
  REQUIRE(index.size() == 4);  // the Group is an owner, not a configuration item

  const auto& api = must_find(index, "component:default/payments-api");
  CHECK(api.name == "payments-api");
  CHECK(api.ci_class == "service");
  CHECK(api.owner == "team-payments");
  CHECK(api.environment == "production");
  CHECK(api.tier == 1);  // metadata.labels.tier
  CHECK(ids(index, api.depends_on) ==
        Strings{"resource:default/payments-db", "component:default/ledger", "component:default/fraud-check"});

  const auto& db = must_find(index, "resource:default/payments-db");
  CHECK(db.ci_class == "database");
  CHECK(db.tier == 2);  // spec.tier
  CHECK(ids(index, db.dependents) == Strings{"component:default/payments-api"});
  CHECK(must_find(index, "component:default/fraud-check").tier == 3);  // an annotation ending in /tier
  CHECK(must_find(index, "component:default/ledger").environment == "experimental");
  CHECK(must_find(index, "payments-db").id == "resource:default/payments-db");  // by name
}

TEST_CASE("Backstage dependencyOf declares the reverse edge and a kind without spec.type is the class", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"([
    {"apiVersion": "backstage.io/v1alpha1", "kind": "System", "metadata": {"name": "payments", "namespace": "fin"}},
    {"apiVersion": "backstage.io/v1alpha1", "kind": "Resource", "metadata": {"name": "queue", "namespace": "fin"},
     "spec": {"dependencyOf": ["system:fin/payments"]}}
  ])");
  index.finalize();
  CHECK(index.problems().empty());
  const auto& sys = must_find(index, "system:fin/payments");
  CHECK(sys.ci_class == "system");
  CHECK(ids(index, sys.depends_on) == Strings{"resource:fin/queue"});
}

// ---------------------------------------------------------------------------
// Problems

TEST_CASE("a duplicate id is a kDuplicateKey problem naming both sources, the first item wins", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"([{"id": "db", "name": "first", "tier": 1}, {"id": "app", "depends_on": ["db"]}])", "one.json");
  verdict::Status st = index.add(read_ok(R"([{"id": "db", "name": "second", "tier": 4}, {"id": "cache"}])"), "two.json");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kDuplicateKey);
  CHECK(st.error().source == "two.json");
  CHECK(contains(st.error().message, "\"db\""));
  CHECK(contains(st.error().message, "one.json"));
  CHECK(contains(st.error().message, "two.json"));
  index.finalize();

  REQUIRE(index.problems().size() == 1);
  CHECK(index.problems()[0].code == ErrorCode::kDuplicateKey);
  CHECK(index.size() == 3);  // the rest of the second document is indexed
  CHECK(must_find(index, "db").name == "first");
  CHECK(must_find(index, "db").tier == 1);
  CHECK(index.find("second") == nullptr);
  CHECK(index.find("cache") != nullptr);
  CHECK(ids(index, must_find(index, "db").dependents) == Strings{"app"});
}

TEST_CASE("an unresolved reference is a kNotFound problem naming the reference and the item", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"([{"id": "app", "depends_on": ["db", "ghost-db"]}, {"id": "db"}])", "cmdb.json");
  index.finalize();
  REQUIRE(index.problems().size() == 1);
  const auto& p = index.problems()[0];
  CHECK(p.code == ErrorCode::kNotFound);
  CHECK(p.source == "cmdb.json");
  CHECK(contains(p.message, "\"ghost-db\""));
  CHECK(contains(p.message, "\"app\""));
  // The item is still indexed with the dependencies that do resolve.
  CHECK(ids(index, must_find(index, "app").depends_on) == Strings{"db"});
}

TEST_CASE("a ServiceNow relationship to a missing CI is a kNotFound problem", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"({"records": [{"sys_id": "a1", "name": "app"},
    {"sys_id": "r9", "sys_class_name": "cmdb_rel_ci", "parent": "a1", "child": {"value": "zz", "display_value": "gone"},
     "type": "Depends on::Used by"}]})");
  index.finalize();
  REQUIRE(count_code(index, ErrorCode::kNotFound) == 1);
  const auto& p = index.problems()[0];
  CHECK(contains(p.message, "\"zz\""));
  CHECK(contains(p.message, "\"a1\""));
  CHECK(contains(p.message, "\"r9\""));
  CHECK(must_find(index, "a1").depends_on.empty());
}

TEST_CASE("a self-dependency is reported and ignored", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"([{"id": "loop", "depends_on": ["loop", "other"]}, {"id": "other"}])");
  index.finalize();
  REQUIRE(index.problems().size() == 1);
  CHECK(index.problems()[0].code == ErrorCode::kInvalidArgument);
  CHECK(contains(index.problems()[0].message, "\"loop\""));
  const auto& loop = must_find(index, "loop");
  CHECK(ids(index, loop.depends_on) == Strings{"other"});
  CHECK(loop.dependents.empty());
  CHECK(reached(index, "loop").empty());
}

TEST_CASE("repeated dependencies are kept once", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"([{"id": "a", "depends_on": ["b", "b", "beta", "c"]}, {"id": "b", "name": "beta"}, {"id": "c"}])");
  add_ok(index, R"({"records": [{"sys_class_name": "cmdb_rel_ci", "parent": "a", "child": "c", "type": "Runs on::Runs"}]})");
  index.finalize();
  CHECK(index.problems().empty());
  CHECK(ids(index, must_find(index, "a").depends_on) == Strings{"b", "c"});
  CHECK(ids(index, must_find(index, "b").dependents) == Strings{"a"});
  CHECK(ids(index, must_find(index, "c").dependents) == Strings{"a"});
}

TEST_CASE("malformed entries are problems and do not stop the rest of the document", "[cmdb]") {
  CmdbIndex index;
  verdict::Status st = index.add(
      read_ok(R"({"items": [{"id": "ok-1"}, 42, {"name": "no id"}, {"kind": "incident", "id": "INC-1"},
                            {"sys_class_name": "cmdb_rel_ci", "type": "Depends on::Used by"}, {"id": "ok-2"}]})"),
      "mixed.json");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kWrongType);
  CHECK(st.error().source == "mixed.json");
  CHECK(contains(st.error().message, "entry 1"));
  index.finalize();
  CHECK(index.problems().size() == 4);
  CHECK(count_code(index, ErrorCode::kWrongType) == 4);
  CHECK(index.size() == 2);
  CHECK(index.find("ok-1") != nullptr);
  CHECK(index.find("ok-2") != nullptr);
  CHECK(index.find("INC-1") == nullptr);
}

TEST_CASE("a document of another shape, or a top-level scalar, is a problem", "[cmdb]") {
  CmdbIndex index;
  verdict::Status st = index.add(read_ok(R"({"hello": "world"})"), "odd.json");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kWrongType);
  st = index.add(Document(), "empty");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kEmptyInput);
  index.finalize();
  CHECK(index.size() == 0);
}

TEST_CASE("add() after finalize() is an error and indexes nothing", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"([{"id": "a"}])");
  index.finalize();
  verdict::Status st = index.add(read_ok(R"([{"id": "b"}])"), "late.json");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kInvalidArgument);
  CHECK(index.size() == 1);
  CHECK(index.find("b") == nullptr);
}

// ---------------------------------------------------------------------------
// Lookups and walks

TEST_CASE("find() and index_of() look up by id first, then by exact name", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"([{"id": "ci-1", "name": "payments-db"}, {"id": "payments-db", "name": "other"},
                   {"id": "ci-3", "name": "Ledger"}, {"id": "ci-4", "name": "Ledger"}])");
  index.finalize();
  CHECK(must_find(index, "ci-1").name == "payments-db");
  CHECK(must_find(index, "payments-db").id == "payments-db");  // an id beats a name
  CHECK(must_find(index, "other").id == "payments-db");
  CHECK(must_find(index, "Ledger").id == "ci-3");              // the first of a shared name
  CHECK(index.find("ledger") == nullptr);                      // case-sensitive
  CHECK(index.find("") == nullptr);
  CHECK(index.index_of("ci-3") == 2);
  CHECK(index.index_of("nope") == -1);
}

TEST_CASE("dependents are filled by finalize()", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"([{"id": "a", "depends_on": ["c"]}, {"id": "b", "depends_on": ["c"]}, {"id": "c"}])");
  CHECK(must_find(index, "c").dependents.empty());
  CHECK(must_find(index, "a").depends_on.empty());
  index.finalize();
  CHECK(ids(index, must_find(index, "c").dependents) == Strings{"a", "b"});
  CHECK(ids(index, must_find(index, "a").depends_on) == Strings{"c"});
}

TEST_CASE("blast_radius lists transitive dependents ordered by depth, then id, without the start", "[cmdb]") {
  CmdbIndex index;
  // db <- {zeta, alpha}; alpha <- {mid}; zeta <- {beta}; mid <- {top}
  add_ok(index, R"([
    {"id": "db"},
    {"id": "zeta", "depends_on": ["db"]}, {"id": "alpha", "depends_on": ["db"]},
    {"id": "mid", "depends_on": ["alpha"]}, {"id": "beta", "depends_on": ["zeta"]},
    {"id": "top", "depends_on": ["mid", "beta"]}, {"id": "unrelated"}
  ])");
  index.finalize();
  CHECK(reached(index, "db") == Strings{"alpha@1", "zeta@1", "beta@2", "mid@2", "top@3"});
  CHECK(reached(index, "alpha") == Strings{"mid@1", "top@2"});
  CHECK(reached(index, "top").empty());
  CHECK(reached(index, "unrelated").empty());
  CHECK(index.blast_radius(static_cast<uint32_t>(index.size())).empty());  // out of range
}

TEST_CASE("blast_radius stops at max_depth", "[cmdb]") {
  CmdbIndex index;
  add_ok(index, R"([{"id": "n0"}, {"id": "n1", "depends_on": ["n0"]}, {"id": "n2", "depends_on": ["n1"]},
                   {"id": "n3", "depends_on": ["n2"]}, {"id": "n4", "depends_on": ["n3"]}])");
  index.finalize();
  CHECK(reached(index, "n0", 2) == Strings{"n1@1", "n2@2"});
  CHECK(reached(index, "n0", 1) == Strings{"n1@1"});
  CHECK(reached(index, "n0", 0).empty());
  CHECK(reached(index, "n0").size() == 4);
}

TEST_CASE("blast_radius terminates on cycles and lists each item once at its smallest depth", "[cmdb]") {
  CmdbIndex index;
  // a -> b -> c -> a (a cycle), and d -> c, d -> a: d is reached at depth 1 from a.
  add_ok(index, R"([{"id": "a", "depends_on": ["b"]}, {"id": "b", "depends_on": ["c"]},
                   {"id": "c", "depends_on": ["a"]}, {"id": "d", "depends_on": ["c", "a"]}])");
  index.finalize();
  CHECK(reached(index, "a") == Strings{"c@1", "d@1", "b@2"});
  CHECK(reached(index, "c") == Strings{"b@1", "d@1", "a@2"});
  // Repeated queries give the same answer (the visit marks are per query).
  CHECK(reached(index, "a") == Strings{"c@1", "d@1", "b@2"});
}

TEST_CASE("a generated CMDB of 100,000 items and 300,000 edges indexes every item and edge", "[cmdb]") {
  constexpr uint32_t kItems = 100000;
  constexpr uint32_t kOffsets[] = {1, 1000, 33333};  // distinct, never the item itself
  std::string json;
  json.reserve(size_t{kItems} * 80);
  json += R"({"kind":"cmdb","items":[)";
  char id[16];
  for (uint32_t i = 0; i < kItems; ++i) {
    if (i) json += ',';
    std::snprintf(id, sizeof id, "ci-%06u", i);
    json += R"({"id":")";
    json += id;
    json += R"(","class":"host","tier":)";
    json += std::to_string(i % 4 + 1);
    json += R"(,"depends_on":[)";
    for (size_t k = 0; k < 3; ++k) {
      std::snprintf(id, sizeof id, "ci-%06u", (i + kOffsets[k]) % kItems);
      json += k ? ",\"" : "\"";
      json += id;
      json += '"';
    }
    json += "]}";
  }
  json += "]}";

  CmdbIndex index;
  add_ok(index, json, "generated.json");
  index.finalize();
  REQUIRE(index.size() == kItems);
  CHECK(index.problems().empty());
  size_t deps = 0;
  size_t dependents = 0;
  bool every_item_has_three = true;
  for (const auto& item : index.items()) {
    deps += item.depends_on.size();
    dependents += item.dependents.size();
    every_item_has_three = every_item_has_three && item.dependents.size() == 3;
  }
  CHECK(deps == 300000);
  CHECK(dependents == 300000);
  CHECK(every_item_has_three);
  CHECK(ids(index, must_find(index, "ci-000000").dependents) == Strings{"ci-066667", "ci-099000", "ci-099999"});
  CHECK(reached(index, "ci-000000", 1) == Strings{"ci-066667@1", "ci-099000@1", "ci-099999@1"});
  CHECK(reached(index, "ci-050000", 2).size() == 3 + 6);
}

TEST_CASE("blast_radius may be called from many threads at once after finalize()", "[cmdb]") {
  // A chain n0 <- n1 <- ... <- n199 plus a fan: every query has a known answer.
  std::string json = "[";
  constexpr int kChain = 200;
  for (int i = 0; i < kChain; ++i) {
    if (i) json += ",";
    json += "{\"id\":\"n" + std::to_string(i) + "\"";
    if (i) json += ",\"depends_on\":[\"n" + std::to_string(i - 1) + "\"]";
    json += "}";
  }
  json += "]";
  CmdbIndex index;
  add_ok(index, json);
  index.finalize();

  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&index, &wrong, t] {
      for (int q = 0; q < 500; ++q) {
        const uint32_t start = static_cast<uint32_t>((q * 7 + t * 13) % kChain);
        const uint32_t depth = static_cast<uint32_t>(q % 20 + 1);
        auto r = index.blast_radius(start, depth);
        const size_t expect = std::min<size_t>(depth, kChain - 1 - start);
        if (r.size() != expect) ++wrong;
        for (size_t k = 0; k < r.size(); ++k)
          if (r[k].depth != k + 1 || r[k].item != start + k + 1) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong.load() == 0);
}

TEST_CASE("the shipped CMDB samples index in all three shapes without problems", "[cmdb]") {
  auto slurp = [](const std::string& name) {
    std::ifstream f(std::string(VERDICT_SOURCE_DIR) + "/samples/" + name, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  auto edges = [](const CmdbIndex& index) {
    size_t n = 0;
    for (const auto& item : index.items()) n += item.depends_on.size();
    return n;
  };

  SECTION("native cmdb.json: 295 CIs, 593 edges, one cycle") {
    CmdbIndex index;
    add_ok(index, slurp("cmdb.json"), "cmdb.json");
    index.finalize();
    CHECK(index.problems().empty());
    CHECK(index.size() == 295);
    CHECK(edges(index) == 593);
    CHECK(must_find(index, "payments-api").depends_on.size() == 10);
    CHECK(must_find(index, "payments-api").tier == 1);
    CHECK(reached(index, "intranet-wiki") == Strings{"docs-indexer@1"});
    CHECK(reached(index, "docs-indexer") == Strings{"intranet-wiki@1"});
  }
  SECTION("ServiceNow cmdb-servicenow.json: 40 CIs, 57 relationships") {
    CmdbIndex index;
    add_ok(index, slurp("cmdb-servicenow.json"), "cmdb-servicenow.json");
    index.finalize();
    CHECK(index.problems().empty());
    CHECK(index.size() == 40);
    CHECK(edges(index) == 57);
    const auto& api = must_find(index, "payments-api");
    CHECK(api.id.size() == 32);  // the sys_id
    CHECK(api.tier == 1);        // business_criticality
  }
  SECTION("Backstage cmdb-backstage.ndjson: 30 entities, one document a line") {
    CmdbIndex index;
    std::istringstream lines(slurp("cmdb-backstage.ndjson"));
    std::string line;
    while (std::getline(lines, line))
      if (!line.empty()) add_ok(index, line, "cmdb-backstage.ndjson");
    index.finalize();
    CHECK(index.problems().empty());
    CHECK(index.size() == 30);
    CHECK(must_find(index, "component:default/payments-api").tier == 1);  // metadata.labels.tier
  }
}
