// Wall-clock times written after a date pattern (ServiceNow's display-value dates,
// docs/servicenow.md). Part of the one date/time module: the result goes to Zone::from_local.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace verdict::datetime {

// A wall-clock time written after a date pattern, as ServiceNow's date formats are given
// ("yyyy-MM-dd HH:mm:ss", "dd-MM-yyyy HH:mm:ss", "MM/dd/yyyy hh:mm:ss a", "dd.MM.yyyy HH:mm"):
// yyyy year, MM month, dd day, HH hour 0-23, hh hour 1-12 with a (AM/PM), mm minute,
// ss second; any other character stands for itself (letters must be quoted with '...').
// Returns the local time as nanoseconds since the epoch as if it were UTC (give it to
// Zone::from_local), or nullopt with `why` (what is wrong, at which character).
std::optional<int64_t> parse_local_pattern(std::string_view s, std::string_view pattern, std::string* why = nullptr);
// Whether `pattern` is one parse_local_pattern() reads (with a year, month, day, hour and minute).
bool valid_local_pattern(std::string_view pattern, std::string* why = nullptr);

}  // namespace verdict::datetime
