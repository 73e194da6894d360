// ServiceNow Table API records in the three sysparm_display_value modes (docs/servicenow.md;
// core/src/document/servicenow.*), the instance's settings, the CMDB from cmdb_ci and
// cmdb_rel_ci exports, and the date patterns of time/time.h. The samples are
// samples/servicenow/ (see samples/README.md).
#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmdb/cmdb.h"
#include "document/change.h"
#include "document/servicenow.h"
#include "document/shapes.h"
#include "time/time.h"
#include "time/pattern.h"
#include "verdict/documents.h"
#include "verdict/engine.h"

using verdict::Document;
using verdict::DocumentReader;
using verdict::Engine;
using verdict::Value;
namespace sn = verdict::servicenow;
namespace dt = verdict::datetime;

namespace {

std::string sample(const std::string& rel) {
  std::ifstream f(std::string(VERDICT_SOURCE_DIR) + "/" + rel, std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Document read_ok(const std::string& text) {
  DocumentReader reader;
  auto doc = reader.read(text);
  REQUIRE(doc.ok());
  return std::move(doc).value();
}

int64_t at(const char* rfc3339) { return *dt::parse_rfc3339(rfc3339); }

// The first record of a Table API answer read as a change, with its problems.
verdict::shapes::Change change_of(const std::string& file, const sn::Config* config, std::vector<std::string>& problems) {
  Document doc = read_ok(sample(file));
  verdict::shapes::Change c;
  std::vector<verdict::shapes::FieldProblem> p;
  verdict::shapes::ChangeOptions o;
  o.servicenow = config;
  verdict::shapes::map_change(doc.root().get("result").at(0), c, p, o);
  for (const auto& x : p) problems.push_back(x.field + ": " + x.message);
  return c;
}

}  // namespace

TEST_CASE("date patterns read ServiceNow's date formats", "[time][servicenow]") {
  std::string why;
  CHECK(dt::parse_local_pattern("27-03-2026 10:00:00", "dd-MM-yyyy HH:mm:ss", &why) == at("2026-03-27T10:00:00Z"));
  CHECK(dt::parse_local_pattern("03/27/2026 02:05:09 PM", "MM/dd/yyyy hh:mm:ss a", &why) == at("2026-03-27T14:05:09Z"));
  CHECK(dt::parse_local_pattern("03/27/2026 12:05:09 AM", "MM/dd/yyyy hh:mm:ss a", &why) == at("2026-03-27T00:05:09Z"));
  CHECK(dt::parse_local_pattern("27.03.2026 10:00", "dd.MM.yyyy HH:mm", &why) == at("2026-03-27T10:00:00Z"));
  CHECK(dt::parse_local_pattern("2026-03-27T10:00:00", "yyyy-MM-dd'T'HH:mm:ss", &why) == at("2026-03-27T10:00:00Z"));
  // Errors say what and where.
  CHECK_FALSE(dt::parse_local_pattern("2026-03-27 10:00:00", "dd-MM-yyyy HH:mm:ss", &why).has_value());
  CHECK(why.find("at character 3") != std::string::npos);
  CHECK_FALSE(dt::parse_local_pattern("31-02-2026 10:00:00", "dd-MM-yyyy HH:mm:ss", &why).has_value());
  CHECK(why.find("the day 31 is not in month 2") == 0);
  CHECK_FALSE(dt::parse_local_pattern("27-03-2026 10:00:00 extra", "dd-MM-yyyy HH:mm:ss", &why).has_value());
  CHECK(why.find("unexpected") == 0);
  CHECK_FALSE(dt::valid_local_pattern("dd-MM-yyyy", &why));
  CHECK(why.find("needs a year") != std::string::npos);
  CHECK_FALSE(dt::valid_local_pattern("dd-MM-yyyy HH:mm:ss z", &why));
  CHECK(why.find("'z' at character 21") == 0);
  CHECK_FALSE(dt::valid_local_pattern("MM/dd/yyyy hh:mm:ss", &why));
  CHECK(why.find("AM/PM") != std::string::npos);
}

TEST_CASE("the mode of a ServiceNow record is read from its fields", "[servicenow]") {
  auto mode = [](const char* file) { return sn::record_mode(read_ok(sample(file)).root().get("result").at(0)); };
  CHECK(mode("samples/servicenow/change-false.json") == sn::Mode::kValue);
  CHECK(mode("samples/servicenow/change-true.json") == sn::Mode::kDisplay);
  CHECK(mode("samples/servicenow/change-all.json") == sn::Mode::kAll);
  Document d = read_ok(R"({"a":"x","ref":{"link":"l","value":"abc"},"all":{"display_value":"D","value":"v"},
                          "shown":{"display_value":"Name","link":"https://x/api/now/table/t/abc"},
                          "empty":{"display_value":"","value":""},"cls":"Change Request","n":null})");
  Value r = d.root();
  CHECK(sn::value_of(r.get("ref")) == "abc");
  CHECK(sn::value_of(r.get("all")) == "v");
  CHECK(sn::display_of(r.get("all")) == "D");
  CHECK(sn::value_of(r.get("shown")) == "Name");
  CHECK(sn::absent(r.get("empty")));
  CHECK(sn::absent(r.get("n")));
  CHECK(sn::absent(r.get("missing")));
  CHECK_FALSE(sn::absent(r.get("ref")));
  CHECK(sn::table_of(r.get("cls")) == "change_request");
  CHECK(sn::table_of(r.get("a")) == "x");
}

TEST_CASE("a change reads the same from all three sysparm_display_value modes", "[servicenow][change]") {
  // Before: in `all` mode the start came from display_value (the API user's local time,
  // 02:00 in Los Angeles) read as UTC; a `true` record was not recognised as a change.
  sn::Config amsterdam;
  REQUIRE(sn::read_config(read_ok(sample("samples/servicenow/instance.json")).root().get("servicenow"), amsterdam).empty());
  for (const char* file : {"samples/servicenow/change-false.json", "samples/servicenow/change-all.json",
                           "samples/servicenow/change-true.json"}) {
    INFO(file);
    std::vector<std::string> problems;
    verdict::shapes::Change c = change_of(file, &amsterdam, problems);
    CHECK(problems.empty());
    CHECK(c.source == "servicenow");
    CHECK(c.id == "CHG0030045");
    CHECK(c.start == at("2026-03-27T09:00:00Z"));
    CHECK(c.end == at("2026-03-27T10:00:00Z"));
    CHECK(c.type == "normal");
    CHECK(c.risk == "moderate");
    CHECK(c.impact == "medium");
    CHECK(c.status == "scheduled");
    CHECK(c.services.empty());  // the empty reference is absent, not an error
    REQUIRE(c.targets.size() == 1);
  }
  // The `all` record's dates are its values, whatever the configured display zone.
  std::vector<std::string> problems;
  CHECK(change_of("samples/servicenow/change-all.json", nullptr, problems).start == at("2026-03-27T09:00:00Z"));
  // A `true` record's dates are in the configured zone and format: without them they do not read.
  verdict::shapes::Change unconfigured = change_of("samples/servicenow/change-true.json", nullptr, problems);
  CHECK_FALSE(unconfigured.has_start);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].find("start_date: '27-03-2026 10:00:00' is not a timestamp") == 0);
}

TEST_CASE("the ServiceNow settings are checked when they load", "[servicenow][engine]") {
  Engine e;
  auto errors_of = [&](const std::string& text) {
    auto r = e.load_data(text, "instance.json");
    return r.errors.empty() ? std::string() : r.errors[0].source + ": " + r.errors[0].message;
  };
  CHECK(errors_of(R"({"servicenow":{"timezone":"Europe/Amsterdm"}})").find("instance.json: servicenow.timezone") == 0);
  CHECK(errors_of(R"({"servicenow":{"date_format":"dd-MM-yyyy"}})").find("servicenow.date_format") != std::string::npos);
  CHECK(errors_of(R"({"servicenow":{"team":[]}})").find("servicenow.team") != std::string::npos);
  CHECK(errors_of(R"({"servicenow":{"timezone":"UTC","dateformat":"x"}})").find("unknown key \"dateformat\"") != std::string::npos);
  CHECK(errors_of(sample("samples/servicenow/instance.json")).empty());
  // Once: the same settings again are fine, other ones are an error.
  CHECK(errors_of(sample("samples/servicenow/instance.json")).empty());
  CHECK(errors_of(R"({"servicenow":{"timezone":"UTC"}})").find("differ from those loaded before") != std::string::npos);
}

TEST_CASE("a ServiceNow CI's team comes from support_group, then assignment_group, then owned_by", "[servicenow][cmdb]") {
  // Before: owned_by (a person) came first.
  auto owners = [](const sn::Config& config) {
    verdict::CmdbIndex index;
    index.set_servicenow(config);
    REQUIRE(index.add(read_ok(sample("samples/servicenow/cmdb_ci-all.json")), "cmdb_ci.json").ok());
    index.finalize();
    std::vector<std::string> out;
    for (const char* name : {"payments-db", "payments-api", "checkout-web"}) out.push_back(index.find(name)->owner);
    return out;
  };
  CHECK(owners(sn::Config()) == std::vector<std::string>{"Database", "Software", "Beth Anglin"});
  sn::Config people_first;
  people_first.team_fields = {"owned_by", "support_group"};
  CHECK(owners(people_first) == std::vector<std::string>{"Fred Luddy", "Fred Luddy", "Beth Anglin"});
}

TEST_CASE("cmdb_rel_ci loads as its own file and joins the cmdb_ci export by sys_id", "[servicenow][cmdb][engine]") {
  Engine e;
  // The export names its relationship types by sys_id only: instance.json maps them.
  REQUIRE(e.load_data(sample("samples/servicenow/instance.json"), "instance.json").ok());
  auto rel = e.load_data(sample("samples/servicenow/cmdb_rel_ci.json"), "cmdb_rel_ci.json");
  INFO(rel.json);
  CHECK(rel.ok());
  CHECK(rel.json.find("relationship type") == std::string::npos);  // only the CIs not loaded yet
  CHECK(rel.loaded.size() == 1);
  REQUIRE(e.load_data(sample("samples/servicenow/cmdb_ci.json"), "cmdb_ci.json").ok());
  REQUIRE(e.load_policies(R"P({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"r"},
    "spec":{"input":"change","rules":[{"name":"n","when":"true",
      "set":{"owner":"cmdb.owner(change.targets[0])","hit":"cmdb.blast_radius(change.targets[0]).map(c, c.name)"}}]}})P",
                          "r.json").ok());
  // A `false` change names its CI by sys_id: resolved through the cmdb_ci export.
  verdict::EvalOptions o;
  auto r = e.evaluate(sample("samples/servicenow/change-false.json"), o);
  INFO(r.json);
  REQUIRE(r.ok());
  CHECK(r.json.find("\"owner\":\"287ebd7da9fe198100f92cc8d1d2154e\"") != std::string::npos);
  CHECK(r.json.find("\"hit\":[\"payments-api\",\"checkout-web\"]") != std::string::npos);
}

TEST_CASE("a literal zone name in an expression is checked when the policy loads", "[servicenow][checker]") {
  Engine e;
  auto r = e.lint(R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"r"},
"spec":{"input":"change","rules":[{"name":"n","when":"change.start.hour('Europe/Berln') < 9"}]}})",
                  "z.json");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("'Europe/Berln' is not a time zone") != std::string::npos);
  CHECK(r.errors[0].line == 2);
  CHECK(r.errors[0].column > 60);
  auto good = e.lint(R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"r"},
"spec":{"input":"change","rules":[{"name":"n","when":"change.start.hour('Europe/Berlin') < 9 && change.start.hour('+01:00') < 8"}]}})",
                     "z.json");
  CHECK(good.errors.empty());
}

TEST_CASE("records of every mode are detected as their kind", "[servicenow][documents]") {
  for (const char* file : {"samples/servicenow/change-all.json", "samples/servicenow/change-true.json"}) {
    INFO(file);
    CHECK(verdict::detect_kind(read_ok(sample(file)).root().get("result").at(0)) == verdict::DocumentKind::kChange);
  }
  CHECK(verdict::detect_kind(read_ok(sample("samples/servicenow/incident-all.json")).root().get("result").at(0)) ==
        verdict::DocumentKind::kIncident);
}

TEST_CASE("a cmdb_rel_ci type is read by its display value or through relation_types, an unknown one is skipped and told",
          "[servicenow][cmdb]") {
  const char* kExport = R"({"result": [
    {"sys_id": "app", "name": "app", "sys_class_name": "cmdb_ci_appl"},
    {"sys_id": "db", "name": "db", "sys_class_name": "cmdb_ci_db_instance"},
    {"sys_id": "host", "name": "host", "sys_class_name": "cmdb_ci_server"},
    {"sys_id": "lb", "name": "lb", "sys_class_name": "cmdb_ci_lb"},
    {"sys_id": "r1", "parent": "app", "child": "db", "sys_class_name": "cmdb_rel_ci",
     "type": {"display_value": "Depends on::Used by", "value": "1a9cb166f1571100a92eb60da2bce5c5"}},
    {"sys_id": "r2", "parent": "host", "child": "db", "sys_class_name": "cmdb_rel_ci", "type": "Hosts::Hosted on"},
    {"sys_id": "r3", "parent": "lb", "child": "app", "sys_class_name": "cmdb_rel_ci",
     "type": {"link": "https://dev12345.service-now.com/api/now/table/cmdb_rel_type/cb5592603751200032ff8c00dfbe5d17",
              "value": "cb5592603751200032ff8c00dfbe5d17"}},
    {"sys_id": "r4", "parent": "app", "child": "host", "sys_class_name": "cmdb_rel_ci",
     "type": "60bc4e22c0a8010e01f074cbe6bd73c3"}
  ]})";
  auto index_with = [&](const sn::Config& config) {
    auto index = std::make_unique<verdict::CmdbIndex>();
    index->set_servicenow(config);
    (void)index->add(read_ok(kExport), "rel.json");
    index->finalize();
    return index;
  };
  auto deps = [](const verdict::CmdbIndex& index, const char* id) {
    std::vector<std::string> out;
    for (uint32_t i : index.find(id)->depends_on) out.push_back(index.items()[i].id);
    return out;
  };
  SECTION("without a map, the two sys_id-only types are skipped, each told with its position") {
    auto index = index_with(sn::Config());
    REQUIRE(index->problems().size() == 2);
    CHECK(index->problems()[0].message ==
          "entry 6: a cmdb_rel_ci record \"r3\": relationship type \"cb5592603751200032ff8c00dfbe5d17\" is a sys_id "
          "without a name: export with sysparm_display_value=all, or name it in the settings' "
          "servicenow.relation_types; the relationship is skipped");
    CHECK(index->problems()[1].message.find("entry 7: a cmdb_rel_ci record \"r4\": relationship type "
                                            "\"60bc4e22c0a8010e01f074cbe6bd73c3\" is a sys_id") == 0);
    CHECK(index->problems()[1].source == "rel.json");
    CHECK(deps(*index, "app") == std::vector<std::string>{"db"});  // r1 by its display value
    CHECK(deps(*index, "db") == std::vector<std::string>{"host"});  // r2: "Hosts::Hosted on" reversed
    CHECK(deps(*index, "lb").empty());
  }
  SECTION("with the instance's map, each sys_id reads as the type it names, in that type's direction") {
    sn::Config config;
    REQUIRE(sn::read_config(read_ok(R"({"relation_types": {
      "60bc4e22c0a8010e01f074cbe6bd73c3": "Runs on::Runs",
      "cb5592603751200032ff8c00dfbe5d17": "Used by::Depends on"}})").root(), config).empty());
    auto index = index_with(config);
    CHECK(index->problems().empty());
    CHECK(deps(*index, "app") == std::vector<std::string>{"db", "lb", "host"});
  }
  SECTION("a type that is neither a name nor a sys_id, or none at all, is skipped and told") {
    std::string why;
    CHECK(!sn::relation_type(read_ok(R"({"type": "Depends on"})").root().get("type"), sn::Config(), &why));
    CHECK(why == "relationship type \"Depends on\" is not a type's name (\"<parent>::<child>\", like "
                 "\"Depends on::Used by\") or a sys_id");
    CHECK(!sn::relation_type(read_ok(R"({"type": {"display_value": "", "value": ""}})").root().get("type"), sn::Config(), &why));
    CHECK(why.find("no relationship type") == 0);
  }
  SECTION("the map is checked when it loads") {
    sn::Config config;
    CHECK(sn::read_config(read_ok(R"({"relation_types": {"abc": "Depends on::Used by"}})").root(), config) ==
          "servicenow.relation_types: \"abc\": expected a cmdb_rel_type sys_id (32 hex digits) mapped to the type's "
          "name, like \"Depends on::Used by\", not \"Depends on::Used by\"");
    CHECK(sn::read_config(read_ok(R"({"relation_types": {"60bc4e22c0a8010e01f074cbe6bd73c3": "Runs on"}})").root(),
                          config)
              .find("servicenow.relation_types: \"60bc4e22c0a8010e01f074cbe6bd73c3\"") == 0);
    CHECK(sn::read_config(read_ok(R"({"relation_types": ["x"]})").root(), config).find("servicenow.relation_types: an object") == 0);
  }
}

TEST_CASE("a ServiceNow incident's dates are read in its mode, display values in the instance's zone across DST",
          "[servicenow][incident]") {
  namespace inc = verdict::shapes::incident;
  sn::Config amsterdam;
  REQUIRE(sn::read_config(read_ok(R"({"timezone": "Europe/Amsterdam", "date_format": "dd-MM-yyyy HH:mm:ss"})").root(),
                          amsterdam)
              .empty());
  verdict::shapes::Record r(verdict::shapes::incident_schema());
  auto created = [&](const std::string& record, const sn::Config* config, std::vector<std::string>* problems) {
    Document doc = read_ok(record);
    verdict::shapes::map_incident(doc.root(), r, config, problems);
    return std::string(r.text(inc::kCreated)) + "|" + std::string(r.text(inc::kUpdated));
  };
  // sysparm_display_value=true: references without values, dates in the user's zone and format.
  auto display = [](const char* opened, const char* updated) {
    return std::string(R"({"number": "INC0010040", "sys_class_name": "Incident", "short_description": "x",
      "assignment_group": {"display_value": "DBA", "link": "https://dev12345.service-now.com/api/now/table/sys_user_group/g"},
      "opened_at": ")") + opened + R"(", "sys_updated_on": ")" + updated + R"("})";
  };
  std::vector<std::string> problems;
  // 2026-03-29 in Amsterdam: 02:00 CET -> 03:00 CEST. 01:30 is CET (+01:00), 03:30 is CEST (+02:00).
  CHECK(created(display("29-03-2026 01:30:00", "29-03-2026 03:30:00"), &amsterdam, &problems) ==
        "2026-03-29T00:30:00Z|2026-03-29T01:30:00Z");
  // 2026-10-25: 03:00 CEST -> 02:00 CET. 01:30 is CEST (+02:00), 03:30 is CET (+01:00).
  CHECK(created(display("25-10-2026 01:30:00", "25-10-2026 03:30:00"), &amsterdam, &problems) ==
        "2026-10-24T23:30:00Z|2026-10-25T02:30:00Z");
  CHECK(problems.empty());
  CHECK(r.from(inc::kCreated) == "opened_at");
  // Without the instance's zone, a display date is an error that says so, never read as UTC.
  CHECK(created(display("29-03-2026 01:30:00", "29-03-2026 03:30:00"), nullptr, &problems) == "|");
  REQUIRE(problems.size() == 2);
  CHECK(problems[0] ==
        "input field opened_at: '29-03-2026 01:30:00' is not a date: a display value is in the instance's time zone, "
        "and none is configured: give it once as servicenow.timezone in a data file (docs/servicenow.md); it is not "
        "read as UTC");
  CHECK(problems[1].find("input field sys_updated_on: '29-03-2026 03:30:00'") == 0);
  problems.clear();
  // sysparm_display_value=all: the value (UTC), never the display string; with or without settings.
  const std::string all = R"({"number": {"display_value": "INC1", "value": "INC1"},
    "sys_class_name": {"display_value": "Incident", "value": "incident"}, "short_description": "x",
    "opened_at": {"display_value": "29-03-2026 03:30:00", "value": "2026-03-29 01:30:00"}})";
  CHECK(created(all, &amsterdam, &problems) == "2026-03-29T01:30:00Z|");
  CHECK(created(all, nullptr, &problems) == "2026-03-29T01:30:00Z|");
  // false (raw values): UTC; sys_created_on when opened_at is absent.
  CHECK(created(R"({"number": "INC2", "sys_class_name": "incident", "short_description": "x",
    "sys_created_on": "2026-03-29 01:30:00"})", &amsterdam, &problems) == "2026-03-29T01:30:00Z|");
  CHECK(r.from(inc::kCreated) == "sys_created_on");
  CHECK(problems.empty());
}

TEST_CASE("a triaged ServiceNow incident with a display date and no instance zone is an input error",
          "[servicenow][incident][engine]") {
  const std::string incident = R"({"number": "INC0010041", "sys_class_name": "Incident", "short_description": "Disk full",
    "opened_at": "29-03-2026 03:30:00"})";
  const char* policy = R"P({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"r"},
    "spec":{"input":"incident","rules":[{"name":"n","when":"true","set":{"created":"incident.created"}}]}})P";
  Engine without;
  REQUIRE(without.load_policies(policy, "r.json").ok());
  verdict::EvalOptions o;
  auto bad = without.evaluate(incident, o);
  INFO(bad.json);
  CHECK(!bad.ok());
  CHECK(bad.json.find("input field opened_at: '29-03-2026 03:30:00' is not a date") != std::string::npos);
  Engine with;
  REQUIRE(with.load_data(sample("samples/servicenow/instance.json"), "instance.json").ok());
  REQUIRE(with.load_policies(policy, "r.json").ok());
  auto good = with.evaluate(incident, o);
  INFO(good.json);
  REQUIRE(good.ok());
  CHECK(good.json.find("\"created\":\"2026-03-29T01:30:00Z\"") != std::string::npos);
}
