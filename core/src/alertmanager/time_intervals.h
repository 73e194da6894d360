// Alertmanager's time intervals (timeinterval/timeinterval.go in Alertmanager 0.25: the
// `time_intervals` and `mute_time_intervals` of a configuration) as verdict windows
// (policy/windows.h), for `verdict import alertmanager`.
//
// An interval is a list of ranges; an instant is in the interval when it is in one of them,
// and in a range when every constraint the range has holds. `weekdays` ("monday",
// "monday:friday", any case) and `times` ([start_time, end_time), "HH:MM", end up to
// "24:00") become weekly ranges, `days_of_month` ("1:7", "-1"), `months` ("january:march",
// "12") and `years` ("2026:2027") their calendar constraints, and `location` (an IANA name)
// the window's timezone (the wall clock in that zone, across DST, as Alertmanager reads
// it). Ranges of one interval in different locations, location Local, and anything
// Alertmanager itself refuses (a bad time, day or zone, a start after its end, an empty
// list, an unknown key) are problems: the interval is then not converted at all, so nothing
// is silently dropped or widened.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace verdict::alertmanager {

struct IntervalProblem {
  std::string pointer;  // JSON pointer inside the interval object ("/time_intervals/1/months")
  bool at_key = false;  // the problem is the key itself (not converted), not its value
  std::string message;  // names the interval: time interval "NAME": ...
  bool refused = false;  // Alertmanager refuses the configuration (amtool check-config fails)
};

// Converts one interval object {"name": ..., "time_intervals": [...]} (YAML scalars given as
// strings) into `window` = {"timezone": "UTC" or the location, "times": [...]}. Returns false, with the
// problems, when the interval cannot be converted exactly.
bool convert_time_interval(const nlohmann::ordered_json& interval, nlohmann::ordered_json& window,
                           std::vector<IntervalProblem>& problems);

}  // namespace verdict::alertmanager
