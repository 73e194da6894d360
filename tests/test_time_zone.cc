// IANA time zones (core/src/time/zone.h): the table generated from tzdata, DST transitions,
// wall-clock times that do not exist or repeat, and agreement with the C library's own
// reading of /usr/share/zoneinfo.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <string>

#include "time/time.h"
#include "time/zone.h"
#include "policy/windows.h"

using verdict::datetime::civil_in;
using verdict::datetime::kNanosPerSecond;
using verdict::datetime::parse_rfc3339;
using verdict::datetime::Zone;

namespace {

int64_t at(const char* rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  REQUIRE(t);
  return *t;
}

Zone zone(const char* name) {
  auto z = Zone::named(name);
  REQUIRE(z);
  return *z;
}

// Local wall-clock nanoseconds (as if UTC) of "YYYY-MM-DDTHH:MM:SS".
int64_t local(const std::string& wall) { return at((wall + "Z").c_str()); }

// The C library's offset of `zone_name` at `secs`, read from /usr/share/zoneinfo.
long libc_offset(const std::string& zone_name, int64_t secs) {
  time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  localtime_r(&t, &tm);
  (void)zone_name;
  return tm.tm_gmtoff;
}

struct TzScope {
  explicit TzScope(const std::string& name) {
    setenv("TZ", (":" + name).c_str(), 1);
    tzset();
  }
  ~TzScope() {
    unsetenv("TZ");
    tzset();
  }
};

}  // namespace

TEST_CASE("Europe/Berlin changes offset at both 2026 transitions", "[zone]") {
  Zone berlin = zone("Europe/Berlin");
  // Spring forward: 2026-03-29 02:00 CET -> 03:00 CEST, at 01:00Z.
  CHECK(berlin.offset_at(at("2026-03-29T00:59:59Z")) == 3600);
  CHECK(berlin.offset_at(at("2026-03-29T01:00:00Z")) == 7200);
  // Fall back: 2026-10-25 03:00 CEST -> 02:00 CET, at 01:00Z.
  CHECK(berlin.offset_at(at("2026-10-25T00:59:59.999Z")) == 7200);
  CHECK(berlin.offset_at(at("2026-10-25T01:00:00Z")) == 3600);
  CHECK(berlin.next_transition(at("2026-01-01T00:00:00Z")) == at("2026-03-29T01:00:00Z"));
  CHECK(berlin.next_transition(at("2026-03-29T01:00:00Z")) == at("2026-10-25T01:00:00Z"));
  // Far past the table: the POSIX rule of the TZif footer.
  CHECK(berlin.offset_at(at("2100-07-01T00:00:00Z")) == 7200);
  CHECK(berlin.next_transition(at("2100-01-01T00:00:00Z")) == at("2100-03-28T01:00:00Z"));
  auto c = civil_in(at("2026-03-29T01:00:00Z"), berlin);
  CHECK((c.hour == 3 && c.minute == 0 && c.weekday == 0));
  CHECK(zone("UTC").next_transition(0) == INT64_MAX);
  CHECK(Zone::fixed(3600).next_transition(0) == INT64_MAX);
}

TEST_CASE("America/New_York changes offset at both 2026 transitions", "[zone]") {
  Zone ny = zone("America/New_York");
  CHECK(ny.offset_at(at("2026-03-08T06:59:59Z")) == -5 * 3600);
  CHECK(ny.offset_at(at("2026-03-08T07:00:00Z")) == -4 * 3600);
  CHECK(ny.offset_at(at("2026-11-01T05:59:59Z")) == -4 * 3600);
  CHECK(ny.offset_at(at("2026-11-01T06:00:00Z")) == -5 * 3600);
  // A link resolves to its zone.
  CHECK(zone("US/Eastern").offset_at(at("2026-07-01T00:00:00Z")) == -4 * 3600);
  CHECK(zone("US/Eastern").name() == "US/Eastern");
}

TEST_CASE("a wall-clock time in a spring-forward gap is read after the gap", "[zone]") {
  Zone berlin = zone("Europe/Berlin");
  // 02:30 does not exist on 2026-03-29 in Berlin: it is 03:30 CEST.
  CHECK(berlin.from_local(local("2026-03-29T02:30:00")) == at("2026-03-29T03:30:00+02:00"));
  CHECK(berlin.from_local(local("2026-03-29T02:00:00")) == at("2026-03-29T03:00:00+02:00"));
  CHECK(berlin.from_local(local("2026-03-29T01:59:59")) == at("2026-03-29T01:59:59+01:00"));
  CHECK(berlin.from_local(local("2026-03-29T03:00:00")) == at("2026-03-29T03:00:00+02:00"));
  Zone ny = zone("America/New_York");
  CHECK(ny.from_local(local("2026-03-08T02:30:00")) == at("2026-03-08T03:30:00-04:00"));
}

TEST_CASE("a repeated wall-clock time of a fall-back transition is its first occurrence", "[zone]") {
  Zone berlin = zone("Europe/Berlin");
  CHECK(berlin.from_local(local("2026-10-25T02:30:00")) == at("2026-10-25T02:30:00+02:00"));
  CHECK(berlin.from_local(local("2026-10-25T02:59:59")) == at("2026-10-25T02:59:59+02:00"));
  CHECK(berlin.from_local(local("2026-10-25T03:00:00")) == at("2026-10-25T03:00:00+01:00"));
  CHECK(berlin.from_local(local("2026-10-25T01:59:00")) == at("2026-10-25T01:59:00+02:00"));
  Zone ny = zone("America/New_York");
  CHECK(ny.from_local(local("2026-11-01T01:30:00")) == at("2026-11-01T01:30:00-04:00"));
  // Fractions of a second are kept.
  CHECK(berlin.from_local(local("2026-06-01T12:00:00") + 5) == at("2026-06-01T12:00:00+02:00") + 5);
}

TEST_CASE("zone names are exact and offsets parse as fixed zones", "[zone]") {
  CHECK_FALSE(Zone::named("europe/berlin"));
  CHECK_FALSE(Zone::named("Europe/Berlinn"));
  CHECK_FALSE(Zone::named(""));
  std::string why;
  CHECK_FALSE(Zone::parse("Mars/Olympus_Mons", &why));
  CHECK(why.find("unknown time zone \"Mars/Olympus_Mons\"") != std::string::npos);
  CHECK(why.find(std::string(verdict::datetime::tzdata_version())) != std::string::npos);
  CHECK_FALSE(Zone::parse("+25:00", &why));
  CHECK(why.find("invalid UTC offset") != std::string::npos);
  auto fixed = Zone::parse("+0530");
  REQUIRE(fixed);
  CHECK(fixed->is_fixed());
  CHECK(fixed->offset_at(0) == 5 * 3600 + 30 * 60);
  CHECK(fixed->name() == "+05:30");
  CHECK(Zone::parse("UTC")->is_fixed());
  CHECK(Zone::parse("Etc/UTC")->name() == "Etc/UTC");
  CHECK(Zone::parse("Europe/Berlin")->name() == "Europe/Berlin");
  CHECK(verdict::datetime::zone_names().size() > 500);
  CHECK(verdict::datetime::tzdata_version().size() >= 5);
}

TEST_CASE("every zone agrees with the C library at its transitions and through the years", "[zone]") {
  // The C library reads the TZif files directly; the compiled-in table must say the same,
  // from 1902 (the table's first year) through the POSIX rules of the far future.
  const int64_t from = at("1902-01-01T00:00:00Z") / kNanosPerSecond;
  const int64_t to = at("2090-01-01T00:00:00Z") / kNanosPerSecond;
  size_t checked = 0, transitions = 0;
  for (std::string_view name_view : verdict::datetime::zone_names()) {
    std::string name(name_view);
    if (name.rfind("posix", 0) == 0 || name.rfind("right", 0) == 0) continue;
    Zone z = zone(name.c_str());
    TzScope scope(name);
    auto check = [&](int64_t secs) {
      ++checked;
      int ours = z.offset_at(secs * kNanosPerSecond);
      long theirs = libc_offset(name, secs);
      if (ours != theirs) {
        INFO(name << " at " << verdict::datetime::format_rfc3339(secs * kNanosPerSecond));
        CHECK(ours == theirs);
        return false;
      }
      return true;
    };
    // Every transition we know, and the second before it.
    int64_t t = from * kNanosPerSecond;
    bool ok = true;
    while (ok) {
      int64_t next = z.next_transition(t);
      if (next == INT64_MAX || next / kNanosPerSecond > to) break;
      CHECK(next > t);
      ++transitions;
      ok = check(next / kNanosPerSecond) && check(next / kNanosPerSecond - 1) && z.offset_at(next) != z.offset_at(next - 1);
      t = next;
    }
    // And every 61 days between, so a transition we missed shows up.
    for (int64_t s = from; ok && s < to; s += 61 * 86400 + 3607) ok = check(s);
  }
  CHECK(transitions > 10000);
  CHECK(checked > 500000);
}

TEST_CASE("a window's calendar constraints: days of the month from either end, months, years, in its zone", "[zone][windows]") {
  using verdict::policy::DayRange;
  using verdict::policy::TimeRange;
  using verdict::policy::TimeWindow;
  TimeWindow w;  // the last three days of March and of June/July, 2026-2027, 22:00-02:00 Berlin time
  w.zone = zone("Europe/Berlin");
  TimeRange r;
  r.start = 22 * 60;
  r.end = 2 * 60;
  r.days_of_month = {DayRange{-3, -1}};
  r.months = (1u << 2) | (1u << 5) | (1u << 6);
  r.years = {DayRange{2026, 2027}};
  w.times.push_back(r);
  // 2026-03-29 22:30 CEST (20:30Z) is the third-last day of March; 2026-03-28 is not.
  CHECK(w.contains(at("2026-03-29T20:30:00Z")));
  CHECK_FALSE(w.contains(at("2026-03-28T20:30:00Z")));
  // After midnight the range belongs to the day it started on: 2026-04-01 01:00 CEST is
  // March 31's range; 2026-03-29 01:00 CET is March 28's, which is not in it.
  CHECK(w.contains(at("2026-03-31T23:00:00Z")));
  CHECK_FALSE(w.contains(at("2026-03-29T00:00:00Z")));
  // June has 30 days: -3 is June 28; July has 31: -3 is July 29.
  CHECK(w.contains(at("2026-06-28T20:30:00Z")));
  CHECK_FALSE(w.contains(at("2026-06-27T20:30:00Z")));
  CHECK(w.contains(at("2026-07-29T20:30:00Z")));
  CHECK_FALSE(w.contains(at("2026-07-28T20:30:00Z")));
  // Not in April, not in 2028.
  CHECK_FALSE(w.contains(at("2026-04-29T20:30:00Z")));
  CHECK_FALSE(w.contains(at("2028-03-30T20:30:00Z")));
  CHECK(w.contains(at("2027-03-30T20:30:00Z")));
  // Alertmanager: a range starting after the month's last day does not apply to the month.
  TimeRange late;
  late.days_of_month = {DayRange{31, 31}};
  CHECK_FALSE(late.on_date(2026, 6, 30, 2));
  CHECK(late.on_date(2026, 7, 31, 5));
  // The next change of membership, across the 2026-03-29 transition: from 2026-03-29 21:00Z
  // (23:00 CEST, inside) the range ends at 02:00 CEST on 2026-03-30, 00:00Z.
  int64_t t = at("2026-03-29T21:00:00Z");
  int64_t next = w.next_change(t);
  CHECK(next > t);
  CHECK(next <= at("2026-03-30T00:00:00Z"));
  for (int64_t p = t; p < at("2026-03-30T00:00:00Z"); p = w.next_change(p)) CHECK(w.contains(p));
  CHECK_FALSE(w.contains(at("2026-03-30T00:00:00Z")));
}

TEST_CASE("timestamps: RFC 3339 and the ISO 8601 forms senders write, anything else an error with its position", "[time]") {
  struct Ok {
    const char* text;
    const char* utc;
  };
  const Ok ok[] = {
      {"2015-07-17T08:42:58.315+0000", "2015-07-17T08:42:58.315Z"},  // PagerDuty's documented form
      {"2026-03-29T03:00:00+0200", "2026-03-29T01:00:00Z"},          // date +%FT%T%z
      {"2026-03-29T03:00:00-0530", "2026-03-29T08:30:00Z"},
      {"2026-03-29t01:00:00z", "2026-03-29T01:00:00Z"},              // RFC 3339 allows lowercase
      {"2026-03-29 01:00:00Z", "2026-03-29T01:00:00Z"},
      {"2026-03-29T01:00:00.1Z", "2026-03-29T01:00:00.1Z"},
      {"2026-03-29T01:00:00.123456789123Z", "2026-03-29T01:00:00.123456789Z"},  // digits past ns dropped
      {"2026-03-29T01:00:00,5+01:00", "2026-03-29T00:00:00.5Z"},     // ISO 8601 decimal comma
  };
  for (const Ok& c : ok) {
    INFO(c.text);
    std::string why;
    auto t = parse_rfc3339(c.text, &why);
    REQUIRE(t);
    CHECK(verdict::datetime::format_rfc3339(*t) == c.utc);
  }
  struct Bad {
    const char* text;
    const char* message;  // start of the message, then "(at character N"
    int at;
  };
  const Bad bad[] = {
      {"2026-03-29T01:00:00", "the timestamp has no zone", 20},
      {"2026-03-29T01:00", "the timestamp ends early", 17},
      {"2026-03-29T01:00:00+01", "invalid UTC offset", 20},
      {"2026-03-29T01:00:00+1:00", "invalid UTC offset", 20},
      {"2026-03-29T01:00:00+0100x", "unexpected characters after the timestamp", 25},
      {"2026-03-29T01:00:00.Z", "expected digits after the decimal point", 21},
      {"2026/03/29T01:00:00Z", "expected '-'", 5},
      {"2026-13-29T01:00:00Z", "month out of range", 6},
      {"2026-03-29X01:00:00Z", "expected 'T'", 11},
      {"2026-03-29T01:00:00+2400", "UTC offset out of range", 20},
      {"17/Jul/2015:08:42:58 +0000", "expected a digit", 3},
  };
  for (const Bad& c : bad) {
    INFO(c.text);
    std::string why;
    CHECK_FALSE(parse_rfc3339(c.text, &why));
    CHECK_THAT(why, Catch::StartsWith(c.message));
    CHECK_THAT(why, Catch::Contains("(at character " + std::to_string(c.at) + " of '"));
  }
}
