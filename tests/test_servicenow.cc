// ServiceNow Table API records in the three sysparm_display_value modes (docs/servicenow.md;
// core/src/document/servicenow.*), the instance's settings, the CMDB from cmdb_ci and
// cmdb_rel_ci exports, and the date patterns of time/time.h. The samples are
// samples/servicenow/ (see samples/README.md).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmdb/cmdb.h"
#include "document/change.h"
#include "document/servicenow.h"
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
  auto rel = e.load_data(sample("samples/servicenow/cmdb_rel_ci.json"), "cmdb_rel_ci.json");
  INFO(rel.json);
  CHECK(rel.ok());
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
