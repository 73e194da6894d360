// The ChangeRisk kind through verdict::Engine (docs/change.md; core/src/policy/change_risk.cc,
// core/src/change/change.cc, core/src/policy/windows.cc): windows, the canonical change of
// each shape, the change data (schedule, windows, budget status), conflicts, the score,
// classes, gates, approvals, bad input and big input.
//
// Every policy and CMDB is small and written here; every expectation is computed by hand.
// Dates: 2026-03-01 is a Sunday, so 03-02 is a Monday ... 03-06 a Friday, 03-07 a Saturday.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kinds/change/change_data.h"
#include "time/time.h"
#include "policy/windows.h"
#include "verdict/document.h"
#include "verdict/engine.h"

using verdict::Engine;
using verdict::EvalOptions;
using verdict::EvalReport;
using verdict::LoadReport;
using json = nlohmann::ordered_json;

namespace {

int64_t t(const char* rfc3339) {
  auto v = verdict::datetime::parse_rfc3339(rfc3339);
  REQUIRE(v.has_value());
  return *v;
}

std::string policy(const std::string& spec, const std::string& name = "risk") {
  return "{\"apiVersion\": \"verdict/v1\", \"kind\": \"ChangeRisk\", \"metadata\": {\"name\": \"" + name + "\"}, \"spec\": " + spec + "}";
}

// A minimal spec: no factors, one class.
const std::string kClasses = R"("classes": [{"name": "low", "below": 30, "outcome": "peer_review"}, {"name": "high", "outcome": "cab_review"}])";

// db-1 <- api-1 <- web-1 (web-1 depends on api-1, which depends on db-1); tiers 2, 1, 1.
const char* kCmdb = R"({"kind": "cmdb", "items": [
  {"id": "db-1", "class": "database", "tier": 2, "service": "api"},
  {"id": "api-1", "class": "service", "tier": 1, "service": "api", "depends_on": ["db-1"]},
  {"id": "web-1", "class": "service", "tier": 1, "service": "web", "depends_on": ["api-1"]},
  {"id": "wiki", "class": "service", "tier": 4, "service": "wiki"}
]})";

std::string change_json(const std::string& extra, const char* targets = R"(["db-1"])", const char* start = "2026-03-03T10:00:00Z",
                        const char* end = "2026-03-03T11:00:00Z") {
  return std::string(R"({"kind": "change", "id": "C-1", "type": "normal", "targets": )") + targets + R"(, "start": ")" + start +
         R"(", "end": ")" + end + R"(", "rollback_plan": "revert", "test_evidence": "ci")" + extra + "}";
}

json decide(Engine& e, const std::string& input, bool explain = false, EvalReport* out = nullptr) {
  EvalOptions o;
  o.now = "2026-03-02T00:00:00Z";
  o.explain = explain;
  EvalReport r = e.evaluate(input, o);
  if (out) *out = r;
  json d = json::parse(r.json);
  return d;
}

}  // namespace

TEST_CASE("time windows: weekly ranges, wrap past midnight, explicit ranges, overlap and cover", "[change][windows]") {
  using verdict::policy::TimeRange;
  using verdict::policy::TimeWindow;
  TimeWindow w;  // Sunday 01:00-05:00 at +01:00, and Friday 22:00 to 02:00 (wraps)
  w.zone = verdict::datetime::Zone::fixed(3600);
  auto range = [](unsigned days, int start, int end) {
    TimeRange r;
    r.days = static_cast<uint8_t>(days);
    r.start = start;
    r.end = end;
    return r;
  };
  w.times.push_back(range(1u << 0, 60, 300));
  w.times.push_back(range(1u << 5, 22 * 60, 2 * 60));
  // 2026-03-01 (Sunday) 01:00 +01:00 is 00:00Z.
  CHECK(w.contains(t("2026-03-01T00:00:00Z")));
  CHECK_FALSE(w.contains(t("2026-02-28T23:59:59Z")));
  CHECK(w.contains(t("2026-03-01T03:59:59Z")));
  CHECK_FALSE(w.contains(t("2026-03-01T04:00:00Z")));  // end is exclusive
  // Friday 2026-03-06 22:00 +01:00 = 21:00Z; the wrapped part runs to Saturday 02:00 +01:00.
  CHECK(w.contains(t("2026-03-06T21:00:00Z")));
  CHECK(w.contains(t("2026-03-07T00:59:00Z")));
  CHECK_FALSE(w.contains(t("2026-03-07T01:00:00Z")));
  CHECK_FALSE(w.contains(t("2026-03-06T00:30:00Z")));  // Thursday night is not Friday's range
  // covers: inside one occurrence; across the wrap; not across a gap.
  CHECK(w.covers(t("2026-03-01T00:30:00Z"), t("2026-03-01T04:00:00Z")));
  CHECK_FALSE(w.covers(t("2026-03-01T00:30:00Z"), t("2026-03-01T04:00:01Z")));
  CHECK(w.covers(t("2026-03-06T21:00:00Z"), t("2026-03-07T01:00:00Z")));
  CHECK_FALSE(w.covers(t("2026-03-06T20:59:00Z"), t("2026-03-07T00:00:00Z")));
  // overlaps: one shared instant is enough; touching ends are not.
  CHECK(w.overlaps(t("2026-02-28T23:00:00Z"), t("2026-03-01T00:00:01Z")));
  CHECK_FALSE(w.overlaps(t("2026-02-28T23:00:00Z"), t("2026-03-01T00:00:00Z")));
  CHECK(w.overlaps(t("2026-02-20T00:00:00Z"), t("2027-06-01T00:00:00Z")));  // over 400 days: a weekly range recurs

  TimeWindow r;  // explicit ranges, half-open
  r.ranges = {{t("2026-03-10T00:00:00Z"), t("2026-03-12T00:00:00Z")}, {t("2026-03-12T00:00:00Z"), t("2026-03-13T00:00:00Z")}};
  CHECK(r.covers(t("2026-03-11T00:00:00Z"), t("2026-03-12T12:00:00Z")));  // adjacent ranges cover together
  CHECK_FALSE(r.covers(t("2026-03-11T00:00:00Z"), t("2026-03-13T00:00:01Z")));
  CHECK(r.overlaps(t("2026-03-12T23:00:00Z"), t("2026-03-20T00:00:00Z")));
  CHECK_FALSE(r.overlaps(t("2026-03-13T00:00:00Z"), t("2026-03-20T00:00:00Z")));
  CHECK_FALSE(r.covers(t("2025-01-01T00:00:00Z"), t("2027-01-01T00:00:00Z")));
}

TEST_CASE("time windows: a property check of covers/overlaps against minute-by-minute sampling", "[change][windows]") {
  using verdict::policy::TimeRange;
  using verdict::policy::TimeWindow;
  std::mt19937 rng(7);
  const int64_t minute = 60LL * 1000000000LL;
  // Fixed offsets, and IANA zones in the weeks of their 2026 DST transitions (Berlin's
  // spring forward is in the week from 2026-03-23, New York's fall back in the one from
  // 2026-10-26): the change points then include the transitions.
  const char* const zones[] = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Africa/Casablanca"};
  const char* const weeks[] = {"2026-03-02T00:00:00Z", "2026-03-23T00:00:00Z", "2026-10-26T00:00:00Z", "2026-10-02T00:00:00Z"};
  for (int iter = 0; iter < 600; ++iter) {
    TimeWindow w;
    if (iter < 300) w.zone = verdict::datetime::Zone::fixed((static_cast<int>(rng() % 25) * 30 - 360) * 60);
    else w.zone = *verdict::datetime::Zone::named(zones[rng() % 4]);
    const int64_t base = t(weeks[iter < 300 ? 0 : rng() % 4]);
    int n = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) {
      TimeRange r;
      r.days = static_cast<uint8_t>(1 + rng() % 127);
      r.start = static_cast<int>(rng() % 1440);
      r.end = static_cast<int>(rng() % 1440);
      if (r.end == r.start) r.end = (r.start + 60) % 1440;
      w.times.push_back(r);
    }
    if (rng() % 2) {
      int64_t s = base + static_cast<int64_t>(rng() % (7 * 1440)) * minute;
      w.ranges.push_back({s, s + static_cast<int64_t>(1 + rng() % 600) * minute});
    }
    int64_t a = base + static_cast<int64_t>(rng() % (7 * 1440)) * minute + static_cast<int64_t>(rng() % 60) * 1000000000LL;
    int64_t b = a + static_cast<int64_t>(1 + rng() % 3000) * minute;
    bool all = true, any = false;
    for (int64_t p = a; p < b; p += 1000000000LL * 30) {  // every 30 s
      bool in = w.contains(p);
      all = all && in;
      any = any || in;
    }
    INFO("iteration " << iter);
    CHECK(w.covers(a, b) == all);
    CHECK(w.overlaps(a, b) == any);
  }
}

TEST_CASE("canonical change: ServiceNow change_request and pipeline shapes", "[change]") {
  verdict::DocumentReader reader;
  SECTION("ServiceNow: number, state, close code, risk and impact codes, dates in UTC") {
    auto doc = reader.read(R"({"sys_class_name": "change_request", "number": "CHG0001", "short_description": "Patch",
      "type": "Emergency", "risk": "2", "impact": "1", "state": "3", "close_code": "unsuccessful",
      "cmdb_ci": {"display_value": "db-1", "value": "abc"}, "business_service": "api",
      "assigned_to": {"display_value": "Ana"}, "assignment_group": {"display_value": "dba-team"},
      "start_date": "2026-03-03 10:00:00", "end_date": "2026-03-03 11:00:00", "backout_plan": "restore", "test_plan": "none"})");
    REQUIRE(doc.ok());
    verdict::shapes::Change c;
    std::vector<verdict::shapes::FieldProblem> problems;
    verdict::shapes::map_change(doc.value().root(), c, problems);
    CHECK(problems.empty());
    CHECK(c.source == "servicenow");
    CHECK(c.id == "CHG0001");
    CHECK(c.type == "emergency");
    CHECK(c.risk == "high");
    CHECK(c.impact == "high");
    CHECK(c.status == "closed");
    CHECK(c.outcome == "failed");
    CHECK(c.lifecycle() == verdict::shapes::Lifecycle::kDone);
    CHECK(c.failed());
    CHECK(c.targets == std::vector<std::string>{"db-1"});
    CHECK(c.services == std::vector<std::string>{"api"});
    CHECK(c.assignee == "Ana");
    CHECK(c.team == "dba-team");
    CHECK(c.start == t("2026-03-03T10:00:00Z"));
    // Another offset for display values.
    verdict::shapes::ChangeOptions o;
    o.servicenow_zone = verdict::datetime::Zone::fixed(-300 * 60);
    verdict::shapes::map_change(doc.value().root(), c, problems, o);
    CHECK(c.start == t("2026-03-03T15:00:00Z"));
    // An IANA zone: the wall clock in Berlin, with the hour skipped on 2026-03-29 read after
    // the gap and the hour repeated on 2026-10-25 read as its first pass (docs/language.md).
    o.servicenow_zone = *verdict::datetime::Zone::named("Europe/Berlin");
    verdict::shapes::map_change(reader.read(R"({"sys_class_name": "change_request", "number": "CHG2", "start_date": "2026-03-29 02:30:00",
      "end_date": "2026-10-25 02:30:00"})").value().root(), c, problems, o);
    CHECK(c.start == t("2026-03-29T03:30:00+02:00"));
    CHECK(c.end == t("2026-10-25T02:30:00+02:00"));
    verdict::shapes::map_change(reader.read(R"({"sys_class_name": "change_request", "number": "CHG3", "start_date": "2026-07-01 09:00:00",
      "end_date": "2026-12-01 09:00:00"})").value().root(), c, problems, o);
    CHECK(c.start == t("2026-07-01T07:00:00Z"));
    CHECK(c.end == t("2026-12-01T08:00:00Z"));
  }
  SECTION("pipeline: id from repository and commit, size from the diff, test evidence from passing checks") {
    auto doc = reader.read(R"({"repository": "github.com/x/api", "commit": "0123456789abcdef", "author": "dev",
      "changed_services": ["api-1"], "deploy_window": {"start": "2026-03-03T10:00:00Z", "end": "2026-03-03T10:30:00Z"},
      "diff": {"files": 3, "additions": 10, "deletions": 5}, "checks": {"unit": "passed", "lint": "passed"},
      "approvals": [{"user": "rev", "role": "code-owner"}], "canary": true})");
    REQUIRE(doc.ok());
    verdict::shapes::Change c;
    std::vector<verdict::shapes::FieldProblem> problems;
    verdict::shapes::map_change(doc.value().root(), c, problems);
    CHECK(problems.empty());
    CHECK(c.source == "pipeline");
    CHECK(c.id == "github.com/x/api@0123456789ab");
    CHECK(c.type == "normal");
    CHECK(c.targets == std::vector<std::string>{"api-1"});
    CHECK(c.assignee == "dev");
    CHECK(c.files == 3);
    CHECK(c.lines == 15);
    CHECK(c.test_evidence == "checks passed: unit lint");
    REQUIRE(c.approvals.size() == 1);
    CHECK(c.approvals[0].role == "code-owner");
  }
  SECTION("problems are named by field: no zone, wrong types, end before start") {
    auto doc = reader.read(R"({"kind": "change", "targets": ["a", 5], "start": "2026-03-03T10:00:00", "end": "2026-03-03T09:00:00Z",
      "canary": "maybe", "size": {"files": -1}})");
    REQUIRE(doc.ok());
    verdict::shapes::Change c;
    std::vector<verdict::shapes::FieldProblem> problems;
    verdict::shapes::map_change(doc.value().root(), c, problems);
    std::vector<std::string> fields;
    for (const auto& p : problems) fields.push_back(p.field);
    CHECK(fields == std::vector<std::string>{"targets[1]", "start", "canary", "size.files"});
    CHECK(problems[1].message.find("zone") != std::string::npos);
    CHECK(c.targets == std::vector<std::string>{"a"});
  }
}

TEST_CASE("change data: overlap queries agree with a brute-force scan over 100,000 scheduled changes", "[change][big]") {
  std::mt19937 rng(11);
  const int64_t minute = 60LL * 1000000000LL;
  const int64_t base = t("2026-01-01T00:00:00Z");
  std::string ndjson;
  struct S {
    int64_t a, b;
    int target;
    bool cancelled;
  };
  std::vector<S> all;
  for (int i = 0; i < 100000; ++i) {
    S s{base + static_cast<int64_t>(rng() % (90 * 1440)) * minute, 0, static_cast<int>(rng() % 500), rng() % 10 == 0};
    s.b = s.a + static_cast<int64_t>(1 + rng() % (rng() % 50 == 0 ? 4000 : 240)) * minute;
    all.push_back(s);
    ndjson += R"({"kind":"change","id":"S-)" + std::to_string(i) + R"(","targets":["item-)" + std::to_string(s.target) +
              R"("],"start":")" + verdict::datetime::format_rfc3339(s.a) + R"(","end":")" + verdict::datetime::format_rfc3339(s.b) + "\"" +
              (s.cancelled ? R"(,"status":"cancelled")" : "") + "}\n";
  }
  verdict::DocumentReader reader;
  verdict::change::ChangeData data;
  std::vector<verdict::Error> errors, warnings;
  size_t taken = 0;
  reader.read_ndjson(ndjson, [&](const verdict::StreamItem& item) {
    REQUIRE(item.document);
    taken += data.add(item.document->root(), {}, "schedule", errors, warnings);
    return true;
  });
  data.finalize();
  CHECK(taken == 100000);
  CHECK(errors.empty());
  CHECK(warnings.empty());
  for (int q = 0; q < 300; ++q) {
    int target = static_cast<int>(rng() % 500);
    int64_t a = base + static_cast<int64_t>(rng() % (90 * 1440)) * minute;
    int64_t b = a + static_cast<int64_t>(1 + rng() % 600) * minute;
    std::vector<uint32_t> got;
    data.overlapping_on_target("item-" + std::to_string(target), a, b, got);
    std::sort(got.begin(), got.end());
    std::vector<uint32_t> want;
    for (uint32_t i = 0; i < all.size(); ++i)
      if (all[i].target == target && !all[i].cancelled && all[i].a < b && a < all[i].b) want.push_back(i);
    CHECK(got == want);
  }
}

TEST_CASE("ChangeRisk through the engine: findings, conflicts, score, classes, approvals", "[change]") {
  Engine e;
  REQUIRE(e.load_data(kCmdb, "cmdb.json").ok());
  const std::string spec = std::string(R"({
    "factors": [
      {"name": "tier", "when": "min(blast.targets.map(t, t.tier)) == 1", "points": 40},
      {"name": "size", "points": "change.size.lines == null ? 0 : change.size.lines / 10"},
      {"name": "dependents", "when": "blast.count > 0", "points": "blast.count * 5"}
    ],
    )") + kClasses + R"(,
    "approvals": {"peer_review": [{"count": 2, "from": ["sre"]}]},
    "gates": [{"name": "no tests", "when": "!change.has_test_evidence", "action": "deny", "message": "no test evidence"}],
    "windows": {"freeze": {"type": "blackout", "ranges": [{"start": "2026-03-20T00:00:00Z", "end": "2026-03-21T00:00:00Z"}], "scope": {"services": ["web"]}}}
  })";
  REQUIRE(e.load_policies(policy(spec), "p.json").ok());

  SECTION("blast radius: dependents with depths and the tiers among them") {
    json d = decide(e, change_json(""));
    const json& b = d["decision"]["blast_radius"];
    CHECK(b["count"] == 2);
    CHECK(b["max_depth"] == 2);
    CHECK(b["min_tier"] == 1);
    CHECK(b["items"] == json::parse(R"([{"id":"api-1","class":"service","tier":1,"service":"api","depth":1,"via":"db-1"},
                                        {"id":"web-1","class":"service","tier":1,"service":"web","depth":2,"via":"db-1"}])"));
    CHECK(b["services"] == json::parse(R"(["api", "web"])"));
    CHECK(d["decision"]["risk"]["score"] == 10);  // dependents 2 * 5; db-1 is tier 2
    CHECK(d["decision"]["risk"]["class"] == "low");
  }
  SECTION("a score is the clamped sum; classes by 'below'; computed points") {
    json d = decide(e, change_json(R"(, "size": {"files": 1, "lines": 300})", R"(["api-1"])"));
    // tier 40 + size 30 + dependents 5 = 75
    CHECK(d["decision"]["risk"]["score"] == 75);
    CHECK(d["decision"]["risk"]["class"] == "high");
    CHECK(d["decision"]["outcome"] == "cab_review");
    d = decide(e, change_json(R"(, "size": {"files": 1, "lines": 3000})", R"(["api-1"])"));
    CHECK(d["decision"]["risk"]["score"] == 100);
  }
  SECTION("a related item inside a blackout: web-1 (service web) depends on db-1 transitively") {
    json d = decide(e, change_json("", R"(["db-1"])", "2026-03-20T10:00:00Z", "2026-03-20T11:00:00Z"));
    REQUIRE(d["decision"]["findings"].size() == 1);
    CHECK(d["decision"]["findings"][0]["type"] == "related_blackout");
    CHECK(d["decision"]["findings"][0]["item"] == "web-1");
    CHECK(d["decision"]["outcome"] == "cab_review");  // the default action of related_blackout
    d = decide(e, change_json("", R"(["web-1"])", "2026-03-20T10:00:00Z", "2026-03-20T11:00:00Z"));
    CHECK(d["decision"]["findings"][0]["type"] == "blackout");
    CHECK(d["decision"]["status"] == "denied");
  }
  SECTION("approvals: two distinct SREs; the same person twice counts once") {
    json d = decide(e, change_json(R"(, "approvals": [{"user": "a", "role": "sre"}, {"user": "a", "role": "sre"}])", R"(["wiki"])"));
    CHECK(d["decision"]["status"] == "needs_approval");
    CHECK(d["decision"]["approvals"]["required"][0]["missing"] == 1);
    EvalReport r;
    d = decide(e, change_json(R"(, "approvals": [{"user": "a", "role": "sre"}, {"user": "b", "role": "SRE"}])", R"(["wiki"])"), false, &r);
    CHECK(d["decision"]["status"] == "approved");
    CHECK(r.worst == verdict::DecisionClass::kAllowed);
  }
  SECTION("exit classes: approved, needs approval, denied") {
    EvalReport r;
    decide(e, change_json("", R"(["wiki"])"), false, &r);
    CHECK(r.worst == verdict::DecisionClass::kReview);
    decide(e, R"({"kind": "change", "targets": ["wiki"], "start": "2026-03-03T10:00:00Z", "end": "2026-03-03T11:00:00Z"})", false, &r);
    CHECK(r.worst == verdict::DecisionClass::kDenied);
    decide(e, R"({"kind": "change", "targets": ["wiki"], "start": "2026-03-03T10:00:00"})", false, &r);
    CHECK(r.worst == verdict::DecisionClass::kError);
    REQUIRE(!r.errors.empty());
    CHECK(r.errors[0].message.find("input field start") != std::string::npos);
  }
  SECTION("explain: every factor with its points and the values it read, the context") {
    json d = decide(e, change_json("", R"(["wiki"])"), true);
    const json& x = d["explain"];
    REQUIRE(x["factors"].size() == 3);
    CHECK(x["factors"][0]["name"] == "tier");
    CHECK(x["factors"][0]["applies"] == false);
    CHECK(x["factors"][0]["values"].contains("blast.targets"));
    CHECK(x["gates"][0]["applies"] == false);
    CHECK(x["context"]["windows"]["freeze"]["overlaps"] == false);
  }
}

TEST_CASE("ChangeRisk data files: schedule, windows and budget status, with errors placed", "[change][bad-input]") {
  Engine e;
  REQUIRE(e.load_data(kCmdb, "cmdb.json").ok());
  REQUIRE(e.load_policies(policy("{" + kClasses + "}"), "p.json").ok());
  SECTION("an inverted window range in a data file is an error at its line and column; nothing is loaded") {
    std::string text = "{\"kind\": \"change_windows\", \"windows\": {\n  \"w\": {\"type\": \"blackout\", \"ranges\": [{\"start\": \"2026-03-05T00:00:00Z\",\n    \"end\": \"2026-03-04T00:00:00Z\"}]}}}";
    LoadReport r = e.load_data(text, "windows.json");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].line == 3);
    CHECK(r.errors[0].column == 12);
    CHECK(r.errors[0].message.find("inverted") != std::string::npos);
  }
  SECTION("overlapping ranges of one window are merged with a warning") {
    LoadReport r = e.load_data(R"({"kind": "change_windows", "windows": {"w": {"type": "blackout", "ranges": [
      {"start": "2026-03-05T00:00:00Z", "end": "2026-03-07T00:00:00Z"}, {"start": "2026-03-06T00:00:00Z", "end": "2026-03-08T00:00:00Z"}]}}})",
                               "windows.json");
    CHECK(r.ok());
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].message.find("merged") != std::string::npos);
    json d = decide(e, change_json("", R"(["wiki"])", "2026-03-07T12:00:00Z", "2026-03-07T13:00:00Z"));
    CHECK(d["decision"]["findings"][0]["type"] == "blackout");
  }
  SECTION("a window without times or ranges, an empty scope and an unknown action are errors") {
    LoadReport r = e.load_data(R"({"kind": "change_windows", "windows": {"w": {"type": "blackout", "scope": {}, "action": "maybe"}}})", "w.json");
    CHECK(r.errors.size() == 3);
  }
  SECTION("an error-budget status of another version is refused; an SLO without a service is a warning") {
    CHECK_FALSE(e.load_data(R"({"kind": "error_budget_status", "version": 2, "slos": []})", "b.json").ok());
    LoadReport r = e.load_data(R"({"kind": "error_budget_status", "version": 1, "slos": [{"slo": "x"}, {"slo": "y", "service": "api", "status": "exhausted", "budget_remaining": -0.5, "burn_state": "page", "freeze": false, "actions": []}]})", "b.json");
    CHECK(r.ok());
    CHECK(r.warnings.size() == 1);
    json d = decide(e, change_json("", R"(["api-1"])"));
    CHECK(d["decision"]["findings"][0]["type"] == "budget_exhausted");
    CHECK(d["decision"]["status"] == "denied");
  }
  SECTION("a scheduled change without a zone is kept with a warning and cannot conflict") {
    LoadReport r = e.load_data(R"({"kind": "change", "id": "S-1", "targets": ["wiki"], "start": "2026-03-03T10:00:00", "end": "2026-03-03T11:00:00Z"})", "s.json");
    CHECK(r.ok());
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].message.find("S-1") != std::string::npos);
    json d = decide(e, change_json("", R"(["wiki"])"));
    CHECK(d["decision"]["findings"].empty());
  }
  SECTION("window names are unique across data files; a data window named like a policy window still decides") {
    const char* w = R"({"kind": "change_window", "name": "freeze", "type": "blackout", "ranges": [{"start": "2026-03-03T00:00:00Z", "end": "2026-03-04T00:00:00Z"}]})";
    REQUIRE(e.load_data(w, "a.json").ok());
    LoadReport again = e.load_data(w, "b.json");
    REQUIRE(again.errors.size() == 1);
    CHECK(again.errors[0].message == "a change window named \"freeze\" is already loaded from a.json");
    Engine e2;
    REQUIRE(e2.load_policies(policy(std::string(R"({"windows": {"freeze": {"type": "window", "times": [{"days": ["sun"]}]}}, )") + kClasses + "}"), "p.json").ok());
    REQUIRE(e2.load_data(kCmdb, "cmdb.json").ok());
    REQUIRE(e2.load_data(w, "a.json").ok());
    json d = decide(e2, change_json("", R"(["wiki"])"));
    CHECK(d["ok"] == true);
    CHECK(d["decision"]["findings"][0]["type"] == "blackout");
    CHECK(d["decision"]["findings"][0]["name"] == "freeze");
  }
  SECTION("a mixed NDJSON file: CMDB items and scheduled changes, each line where it belongs") {
    LoadReport r = e.load_data(
        "{\"kind\": \"ci\", \"id\": \"cache-1\", \"class\": \"cache\", \"tier\": 2}\n"
        "{\"kind\": \"change\", \"id\": \"S-2\", \"targets\": [\"cache-1\"], \"start\": \"2026-03-03T10:30:00Z\", \"end\": \"2026-03-03T12:00:00Z\"}\n",
        "mixed.ndjson");
    CHECK(r.ok());
    json d = decide(e, change_json("", R"(["cache-1"])"));
    CHECK(d["decision"]["blast_radius"]["targets"][0]["found"] == true);
    CHECK(d["decision"]["findings"][0]["type"] == "same_item");
    CHECK(d["decision"]["findings"][0]["change"] == "S-2");
  }
}

TEST_CASE("ChangeRisk: CMDB cycles, a change with several targets, and policy errors", "[change][bad-input]") {
  SECTION("cycles in the CMDB: every item is reached once, at its smallest depth") {
    Engine e;
    REQUIRE(e.load_data(R"({"kind": "cmdb", "items": [
      {"id": "a", "tier": 3, "depends_on": ["c"]}, {"id": "b", "tier": 2, "depends_on": ["a"]}, {"id": "c", "tier": 1, "depends_on": ["b"]}]})",
                        "cycle.json").ok());
    REQUIRE(e.load_policies(policy("{" + kClasses + "}"), "p.json").ok());
    json d = decide(e, change_json("", R"(["a"])"));
    const json& b = d["decision"]["blast_radius"];
    CHECK(b["count"] == 2);
    CHECK(b["items"][0]["id"] == "b");
    CHECK(b["items"][0]["depth"] == 1);
    CHECK(b["items"][1]["id"] == "c");
    CHECK(b["items"][1]["depth"] == 2);
  }
  SECTION("policy errors are placed: classes out of order, an unknown finding type, a bad action, an unknown class") {
    Engine e;
    std::string text = policy(R"({
  "classes": [{"name": "a", "below": 50, "outcome": "peer_review"}, {"name": "b", "below": 40, "outcome": "deny"}, {"name": "c", "outcome": "maybe"}],
  "auto_approve": {"when": "true", "max_class": "zz"},
  "findings": {"same_itme": "deny"}
})");
    LoadReport r = e.load_policies(text, "p.json");
    std::vector<std::string> messages;
    for (const auto& err : r.errors) messages.push_back(err.message);
    REQUIRE(r.errors.size() == 4);
    CHECK(messages[0].find("must grow") != std::string::npos);
    CHECK(messages[1].find("an action is") != std::string::npos);
    CHECK(messages[2].find("no class of that name") != std::string::npos);
    CHECK(messages[3].find("same_itme") != std::string::npos);
    CHECK(r.errors[3].line == 4);
  }
  SECTION("points that are not a number are an error placed in the policy; the decision still completes") {
    Engine e;
    std::string text = policy(std::string(R"({"factors": [{"name": "bad", "points": "change.title"}], )") + kClasses + "}");
    REQUIRE(e.load_policies(text, "p.json").ok());
    EvalReport r;
    json d = decide(e, change_json(R"(, "title": "x")", R"(["x"])"), false, &r);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].message.find("points must be a number") != std::string::npos);
    CHECK(r.errors[0].source == "p.json");
    CHECK(d["decision"]["risk"]["score"] == 0);
  }
}
