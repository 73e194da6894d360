// Timestamps and durations: RFC 3339 parsing and formatting, duration literals.
// Times are int64 nanoseconds since the Unix epoch (UTC); durations int64 nanoseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace verdict::datetime {

constexpr int64_t kNanosPerSecond = 1000000000LL;

// "2026-03-01T12:00:00Z", "2026-03-01T13:00:00.5+01:00". A zone (Z or an offset) is
// required: a time without one is ambiguous and rejected.
std::optional<int64_t> parse_rfc3339(std::string_view s, std::string* why = nullptr);
// Always UTC with "Z"; fractional seconds only when non-zero (trailing zeros trimmed).
std::string format_rfc3339(int64_t nanos);

// "90s", "15m", "4h", "7d", "1w", "500ms", "1h30m", "-5m". Units: ns us ms s m h d w.
std::optional<int64_t> parse_duration(std::string_view s, std::string* why = nullptr);
// Go-style: "1h30m0s" -> we print "1h30m", "90s" -> "1m30s", "0s", "500ms", "-5m".
std::string format_duration(int64_t nanos);

// A UTC offset like "+01:00", "-05:30", "Z", "UTC", "UTC+2"; minutes east of UTC.
std::optional<int> parse_utc_offset(std::string_view s);

// Civil time fields of `nanos` shifted by `offset_minutes`.
struct CivilTime {
  int64_t year;
  int month, day, hour, minute, second, weekday;  // weekday: 0 = Sunday
};
CivilTime civil_from_nanos(int64_t nanos, int offset_minutes);

}  // namespace verdict::datetime
