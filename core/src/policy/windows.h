// Time windows shared by the kinds: weekly recurring ranges in a time zone (TriageRouting's
// windows, ChangeRisk's maintenance and blackout windows, AlertDedup's windows) and explicit
// ranges of timestamps.
//
//   {"timezone": "Europe/Berlin", "times": [{"days": ["sat", "sun"], "start": "01:00", "end": "05:00"}]}
//   {"ranges": [{"start": "2025-12-20T00:00:00Z", "end": "2026-01-04T00:00:00Z"}]}
//
// A weekly range is [start, end) in minutes of the local day; end < start wraps past
// midnight and the part after midnight belongs to the day the range starts on. The zone is
// a UTC offset or an IANA name (time/zone.h); an instant is in a weekly range when its
// wall-clock time in the zone is, so across daylight-saving transitions a range keeps its
// wall-clock hours: on the day clocks spring forward, the skipped hour is in no range (a
// range 02:00-03:00 is empty that day, 01:00-04:00 lasts two hours); on the day they fall
// back, a range over the repeated hour holds both passes of it (01:00-04:00 lasts four
// hours). This is Alertmanager's reading of time_intervals with a location. Explicit ranges
// are [start, end) in nanoseconds; they are kept sorted and merged.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "policy/policy.h"
#include "time/zone.h"

namespace verdict::policy {

// An inclusive range of days of the month (negative: from the month's end, -1 = the last
// day) or of years.
struct DayRange {
  int begin = 0, end = 0;
};

struct TimeRange {
  uint8_t days = 0x7f;  // bit 0 = Sunday
  int start = 0;        // minutes after midnight
  int end = 24 * 60;    // exclusive; end < start wraps past midnight
  // Calendar constraints on the day the range starts on (Alertmanager's days_of_month,
  // months, years); empty or all bits: any.
  std::vector<DayRange> days_of_month;
  uint16_t months = 0xfff;  // bit 0 = January
  std::vector<DayRange> years;
  bool on_date(int64_t year, int month, int day, int weekday) const;
};

struct TimeWindow {
  datetime::Zone zone;                             // of the weekly ranges (UTC unless given)
  std::vector<TimeRange> times;                    // weekly recurring
  std::vector<std::pair<int64_t, int64_t>> ranges; // explicit [start, end), sorted, merged

  bool empty() const { return times.empty() && ranges.empty(); }
  // Whether the instant `t` is inside the window.
  bool contains(int64_t t) const;
  // Whether [a, b) shares an instant with the window (a point interval a == b: contains(a)).
  bool overlaps(int64_t a, int64_t b) const;
  // Whether every instant of [a, b) is inside the window. Intervals longer than 400 days are
  // never covered by weekly ranges alone (they are checked minute by minute).
  bool covers(int64_t a, int64_t b) const;
  // An instant after `t` at or before the first at which contains() changes (a range's
  // start or end, a local midnight, a transition of the zone); within 8 days, or INT64_MAX
  // for a window of explicit ranges that are all over by `t`.
  int64_t next_change(int64_t t) const;
};

bool parse_hhmm(const std::string& s, int& out);
int day_bit(const std::string& d);  // 0 = Sunday; -1 when not a day name

// Reads the time zone at obj[key] (a UTC offset "+01:00", "UTC", or an IANA name
// "Europe/Berlin") into `out` when present; a bad one (an unknown name) is an error at its
// position and leaves `out` as it was.
void load_zone(PolicyBuilder& b, const nlohmann::ordered_json& obj, const std::string& pointer, const char* key,
               datetime::Zone& out);
// Reads a weekly window object {"timezone": ..., "times": [...]} (TriageRouting and
// AlertDedup windows); `out.zone` starts as `default_zone`.
void load_weekly_window(PolicyBuilder& b, const nlohmann::ordered_json& v, const std::string& pointer,
                        const datetime::Zone& default_zone, TimeWindow& out);
// One item of a range's days_of_month, months or years (`key`): N, "N" or "A:B" (inclusive;
// month names, any case, full or three letters, for months). Returns "" or what is wrong.
std::string calendar_range(const nlohmann::ordered_json& item, const char* key, DayRange& out);
// Reads `times` (weekly ranges) of a window object at `pointer` into `out`; errors go to `b`.
void load_times(PolicyBuilder& b, const nlohmann::ordered_json& times, const std::string& pointer, std::vector<TimeRange>& out);
// Reads `ranges` (explicit RFC 3339 start/end with a zone; end after start) into `out`,
// sorted and merged; overlapping ranges are merged with a warning.
void load_ranges(PolicyBuilder& b, const nlohmann::ordered_json& ranges, const std::string& pointer,
                 std::vector<std::pair<int64_t, int64_t>>& out);

}  // namespace verdict::policy
