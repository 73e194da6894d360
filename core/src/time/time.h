// Timestamps and durations: RFC 3339 parsing and formatting, duration literals.
// Times are int64 nanoseconds since the Unix epoch (UTC); durations int64 nanoseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace verdict::datetime {

constexpr int64_t kNanosPerSecond = 1000000000LL;

// "2026-03-01T12:00:00Z", "2026-03-01T13:00:00.5+01:00": RFC 3339 (lowercase t and z, or a
// space for T, as RFC 3339 allows), and the ISO 8601 forms senders write: an offset without
// a colon ("+0000", PagerDuty, `date +%FT%T%z`), fractional seconds of any length (digits
// past nanoseconds are dropped) after '.' or ','. A zone (Z or an offset) is required: a
// time without one is ambiguous and rejected. `why` says what is wrong and at which
// character of the string.
std::optional<int64_t> parse_rfc3339(std::string_view s, std::string* why = nullptr);
// Always UTC with "Z"; fractional seconds only when non-zero (trailing zeros trimmed).
std::string format_rfc3339(int64_t nanos);

// "90s", "15m", "4h", "7d", "1w", "500ms", "1h30m", "-5m". Units: ns us ms s m h d w.
std::optional<int64_t> parse_duration(std::string_view s, std::string* why = nullptr);
// Go-style: "1h30m0s" -> we print "1h30m", "90s" -> "1m30s", "0s", "500ms", "-5m".
std::string format_duration(int64_t nanos);

// A UTC offset like "+01:00", "-05:30", "+0100", "Z", "UTC", "UTC+2"; minutes east of UTC.
std::optional<int> parse_utc_offset(std::string_view s);

// Civil time fields of `nanos` shifted by `offset_minutes`.
struct CivilTime {
  int64_t year;
  int month, day, hour, minute, second, weekday;  // weekday: 0 = Sunday
};
CivilTime civil_from_nanos(int64_t nanos, int offset_minutes);
// The same with the offset in seconds (tz database offsets before 1972 are not whole minutes).
CivilTime civil_from_nanos_at(int64_t nanos, int offset_seconds);

// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, day 1-31).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

}  // namespace verdict::datetime
