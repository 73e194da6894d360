#include "time/zone.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <vector>

namespace verdict::datetime {
namespace {

// A POSIX TZ date rule "Mm.w.d/time": day `wday` (0 = Sunday) of week `week` (5 = last) of
// `month`, at `time` seconds of local time (may be negative or past 24h).
struct Rule {
  int month, week, wday, time;
};

// A zone: `count` transitions from `first` in the tables, `initial` (seconds east of UTC)
// before them, and after the last one the POSIX rule: `std_offset` all year, or, when
// `has_dst`, `dst_offset` from `start` (in standard time) to `end` (in daylight time).
struct ZoneRecord {
  int32_t first, count, initial, std_offset, dst_offset, has_dst;
  Rule start, end;
};

struct ZoneName {
  const char* name;
  int32_t zone;
};

// The generated tables: kTzdataVersion, kFirstTransitionBase, kTransitionSteps, kOffsets,
// kTransitionOffsets, kZones, kZoneNames (sorted by name).
#include "time/tz_data.inc"

constexpr size_t kZoneNameCount = sizeof kZoneNames / sizeof kZoneNames[0];

// Transition instants in seconds, summed from their steps once (thread-safe static init).
const std::vector<int64_t>& transition_times() {
  static const std::vector<int64_t> times = [] {
    std::vector<int64_t> t;
    for (const ZoneRecord& z : kZones) {
      int64_t at = kFirstTransitionBase;
      for (int32_t i = 0; i < z.count; ++i) {
        at += kTransitionSteps[z.first + i];
        t.push_back(at);
      }
    }
    return t;
  }();
  return times;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t to_seconds(int64_t nanos) { return floor_div(nanos, kNanosPerSecond); }


// The civil year of `secs` (seconds since the epoch, local).
int64_t civil_year(int64_t secs) {
  int64_t days = floor_div(secs, 86400);
  // Inverse of days_from_civil for the year only.
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (m <= 2);
}

// Local seconds (as if UTC) of the rule's wall-clock instant in `year`.
int64_t rule_local(int64_t year, const Rule& r) {
  int64_t first = days_from_civil(year, static_cast<unsigned>(r.month), 1);
  int64_t first_wday = ((first + 4) % 7 + 7) % 7;
  int64_t day = first + ((r.wday - first_wday) % 7 + 7) % 7 + (r.week - 1) * 7;
  if (r.week == 5) {
    int64_t next = r.month == 12 ? days_from_civil(year + 1, 1, 1) : days_from_civil(year, static_cast<unsigned>(r.month + 1), 1);
    while (day >= next) day -= 7;
  }
  return day * 86400 + r.time;
}

struct RuleTransition {
  int64_t at;  // UTC seconds
  int32_t offset;
};

// The rule's two transitions in `year`, sorted.
void rule_transitions(const ZoneRecord& z, int64_t year, RuleTransition out[2]) {
  RuleTransition a{rule_local(year, z.start) - z.std_offset, z.dst_offset};
  RuleTransition b{rule_local(year, z.end) - z.dst_offset, z.std_offset};
  if (b.at < a.at) std::swap(a, b);
  out[0] = a;
  out[1] = b;
}

int32_t rule_offset(const ZoneRecord& z, int64_t secs, int32_t before) {
  if (!z.has_dst) return z.std_offset;
  int64_t y = civil_year(secs);
  int32_t cur = before;
  for (int64_t yy = y - 1; yy <= y + 1; ++yy) {
    RuleTransition t[2];
    rule_transitions(z, yy, t);
    for (const RuleTransition& r : t)
      if (r.at <= secs) cur = r.offset;
  }
  return cur;
}

int32_t zone_offset(const ZoneRecord& z, int64_t secs) {
  if (z.count == 0) return z.has_dst ? rule_offset(z, secs, z.initial) : z.initial;
  const int64_t* begin = transition_times().data() + z.first;
  const int64_t* end = begin + z.count;
  // The last transition at or before secs.
  const int64_t* it = std::upper_bound(begin, end, secs);
  if (it == begin) return z.initial;
  size_t i = static_cast<size_t>(it - begin) - 1;
  int32_t off = kOffsets[kTransitionOffsets[static_cast<size_t>(z.first) + i]];
  if (it == end) return rule_offset(z, secs, off);
  return off;
}

int64_t zone_next(const ZoneRecord& z, int64_t secs) {
  const int64_t* begin = transition_times().data() + z.first;
  const int64_t* end = begin + z.count;
  const int64_t* it = std::upper_bound(begin, end, secs);
  if (it != end) return *it;
  if (!z.has_dst) return INT64_MAX;
  // After the table: the rule's next transition that changes the offset.
  int64_t y = civil_year(secs);
  int32_t cur = zone_offset(z, secs);
  for (int64_t yy = y - 1; yy <= y + 2; ++yy) {
    RuleTransition t[2];
    rule_transitions(z, yy, t);
    for (const RuleTransition& r : t) {
      if (r.at > secs && r.offset != cur) return r.at;
    }
  }
  return INT64_MAX;
}

int64_t seconds_to_nanos(int64_t secs) {
  // Clamp to the range of int64 nanoseconds.
  if (secs > INT64_MAX / kNanosPerSecond) return INT64_MAX;
  if (secs < INT64_MIN / kNanosPerSecond) return INT64_MIN;
  return secs * kNanosPerSecond;
}

}  // namespace

Zone Zone::fixed(int offset_seconds) {
  Zone z;
  z.offset_ = offset_seconds;
  return z;
}

std::optional<Zone> Zone::named(std::string_view name) {
  const ZoneName* begin = kZoneNames;
  const ZoneName* end = kZoneNames + kZoneNameCount;
  const ZoneName* it = std::lower_bound(begin, end, name, [](const ZoneName& n, std::string_view v) { return std::string_view(n.name) < v; });
  if (it == end || std::string_view(it->name) != name) return std::nullopt;
  Zone z;
  z.name_ = static_cast<int32_t>(it - begin);
  return z;
}

std::optional<Zone> Zone::parse(std::string_view s, std::string* why) {
  if (auto off = parse_utc_offset(s)) return fixed(*off * 60);
  if (auto z = named(s)) return z;
  if (why) {
    if (!s.empty() && (s[0] == '+' || s[0] == '-' || s.rfind("UTC", 0) == 0 || s.rfind("GMT", 0) == 0))
      *why = "invalid UTC offset \"" + std::string(s) + "\" (expected +HH:MM, -HH:MM, +HHMM or UTC, at most 14 hours)";
    else
      *why = "unknown time zone \"" + std::string(s) + "\" (an IANA name like Europe/Berlin, as the tz database " +
             std::string(kTzdataVersion) + " spells it, or a UTC offset like +01:00)";
  }
  return std::nullopt;
}

std::string Zone::name() const {
  if (name_ >= 0) return kZoneNames[name_].name;
  if (offset_ == 0) return "UTC";
  int m = offset_ < 0 ? -offset_ : offset_;
  char buf[16];
  if (m % 60)
    std::snprintf(buf, sizeof buf, "%c%02d:%02d:%02d", offset_ < 0 ? '-' : '+', m / 3600, m / 60 % 60, m % 60);
  else
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_ < 0 ? '-' : '+', m / 3600, m / 60 % 60);
  return buf;
}

int Zone::offset_at(int64_t nanos) const {
  if (name_ < 0) return offset_;
  return zone_offset(kZones[kZoneNames[name_].zone], to_seconds(nanos));
}

int64_t Zone::next_transition(int64_t nanos) const {
  if (name_ < 0) return INT64_MAX;
  int64_t next = zone_next(kZones[kZoneNames[name_].zone], to_seconds(nanos));
  return next == INT64_MAX ? INT64_MAX : seconds_to_nanos(next);
}

int64_t Zone::from_local(int64_t local_nanos) const {
  if (name_ < 0) return local_nanos - static_cast<int64_t>(offset_) * kNanosPerSecond;
  const ZoneRecord& z = kZones[kZoneNames[name_].zone];
  const int64_t secs = to_seconds(local_nanos);
  const int64_t frac = local_nanos - secs * kNanosPerSecond;
  // The offsets a day before and after: a zone changes its offset at most once in two days.
  const int32_t a = zone_offset(z, secs - 86400), b = zone_offset(z, secs + 86400);
  const int64_t ta = secs - a, tb = secs - b;
  const bool va = zone_offset(z, ta) == a, vb = zone_offset(z, tb) == b;
  int64_t t;
  if (va && vb) t = std::min(ta, tb);  // repeated (fall back): the first occurrence
  else if (va) t = ta;
  else if (vb) t = tb;
  else t = ta;  // in the gap (spring forward): read with the offset before it, i.e. shifted by the gap
  int64_t ns = seconds_to_nanos(t);
  if (ns == INT64_MAX || ns == INT64_MIN) return ns;
  return ns + frac;
}

CivilTime civil_in(int64_t nanos, const Zone& zone) { return civil_from_nanos_at(nanos, zone.offset_at(nanos)); }

std::string_view tzdata_version() { return kTzdataVersion; }

std::vector<std::string_view> zone_names() {
  std::vector<std::string_view> out;
  out.reserve(kZoneNameCount);
  for (const ZoneName& n : kZoneNames) out.emplace_back(n.name);
  return out;
}

}  // namespace verdict::datetime
