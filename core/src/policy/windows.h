// Time windows shared by the kinds: weekly recurring ranges in a UTC offset (TriageRouting's
// windows, ChangeRisk's maintenance and blackout windows) and explicit ranges of timestamps.
//
//   {"timezone": "+01:00", "times": [{"days": ["sat", "sun"], "start": "01:00", "end": "05:00"}]}
//   {"ranges": [{"start": "2025-12-20T00:00:00Z", "end": "2026-01-04T00:00:00Z"}]}
//
// A weekly range is [start, end) in minutes of the local day; end < start wraps past
// midnight and the part after midnight belongs to the day the range starts on. Explicit
// ranges are [start, end) in nanoseconds; they are kept sorted and merged.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "policy/policy.h"

namespace verdict::policy {

struct TimeRange {
  uint8_t days = 0x7f;  // bit 0 = Sunday
  int start = 0;        // minutes after midnight
  int end = 24 * 60;    // exclusive; end < start wraps past midnight
};

struct TimeWindow {
  int offset = 0;                                  // minutes east of UTC (weekly ranges)
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
};

bool parse_hhmm(const std::string& s, int& out);
int day_bit(const std::string& d);  // 0 = Sunday; -1 when not a day name

// Reads the UTC offset at obj[key] ("+01:00", "UTC") into `out` when present; a bad one is an
// error at its position and leaves `out` as it was.
void load_offset(PolicyBuilder& b, const nlohmann::ordered_json& obj, const std::string& pointer, const char* key, int& out);
// Reads a weekly window object {"timezone": ..., "times": [...]} (TriageRouting and
// AlertDedup windows); `out.offset` starts as `default_offset`.
void load_weekly_window(PolicyBuilder& b, const nlohmann::ordered_json& v, const std::string& pointer, int default_offset,
                        TimeWindow& out);
// Reads `times` (weekly ranges) of a window object at `pointer` into `out`; errors go to `b`.
void load_times(PolicyBuilder& b, const nlohmann::ordered_json& times, const std::string& pointer, std::vector<TimeRange>& out);
// Reads `ranges` (explicit RFC 3339 start/end with a zone; end after start) into `out`,
// sorted and merged; overlapping ranges are merged with a warning.
void load_ranges(PolicyBuilder& b, const nlohmann::ordered_json& ranges, const std::string& pointer,
                 std::vector<std::pair<int64_t, int64_t>>& out);

}  // namespace verdict::policy
