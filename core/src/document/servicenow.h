// ServiceNow Table API records in each of the three `sysparm_display_value` modes (docs/servicenow.md):
//
//   false (the default)  raw values: "impact": "2", "start_date": "2026-03-27 08:00:00" (UTC),
//                        references {"link": ".../sys_user_group/<sys_id>", "value": "<sys_id>"}
//   true                 display strings only: "impact": "2 - Medium", "sys_class_name": "Change Request",
//                        dates in the API user's time zone and date format, references
//                        {"display_value": "Database", "link": "..."}
//   all                  every field {"display_value": ..., "value": ...} (references add "link")
//
// One reading of a field, used by every shape that reads ServiceNow (document/change.cc,
// document/incident.cc, cmdb/): the stored value for codes, sys_ids and dates; the display
// string for names. An empty reference {"display_value": "", "value": ""} is absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "time/zone.h"
#include "verdict/document.h"

namespace verdict::servicenow {

// The instance's settings, configured once in a data file (`{"servicenow": {...}}`): the zone
// and format of dates written as display values, and where a CI's team comes from.
struct Config {
  datetime::Zone timezone;                   // of display-value dates (UTC when not configured)
  bool has_timezone = false;
  std::string date_format = "yyyy-MM-dd HH:mm:ss";  // of display-value dates (time/time.h patterns)
  std::vector<std::string> team_fields = {"support_group", "assignment_group", "owned_by"};
  // cmdb_rel_type sys_ids to their names ("Depends on::Used by"), sorted by sys_id: for
  // relationships exported without display values.
  std::vector<std::pair<std::string, std::string>> relation_types;
  bool operator==(const Config& o) const {
    return timezone == o.timezone && has_timezone == o.has_timezone && date_format == o.date_format &&
           team_fields == o.team_fields && relation_types == o.relation_types;
  }
};

// Reads the object of the `servicenow` key; "" or what is wrong (naming the key).
std::string read_config(Value v, Config& out);

enum class Mode { kValue, kDisplay, kAll };  // sysparm_display_value=false, true, all

// The mode a record was exported in, from its own fields: `all` when a field is a
// {"display_value", "value"} object; `true` when a field is a reference without its value
// ({"display_value", "link"}) or sys_class_name is a label ("Change Request") rather than a
// table name; else `false`.
Mode record_mode(Value record);

// The stored value: a string as it is, the "value" of an object; for a display-only
// reference its display_value. Empty when absent.
std::string_view value_of(Value v);
// The display string: a string as it is, an object's display_value, else its value.
std::string_view display_of(Value v);
// Missing, null, "", or a reference with neither a display value nor a value.
bool absent(Value v);

// The table name of sys_class_name in any mode: "change_request" from "change_request",
// {"value": "change_request", ...} or the label "Change Request"; "" when unknown.
std::string table_of(Value sys_class_name);

// The name ("Depends on::Used by") of a cmdb_rel_ci record's `type`: its display value (a
// reference object's, or a plain string of the form "<parent>::<child>"), else its sys_id (the
// reference's value, its link's tail, or a bare 32-hex-digit string) looked up in
// `config.relation_types`. nullopt and `why` for a missing type, a sys_id not in the map, or a
// string that is neither a name nor a sys_id.
std::optional<std::string> relation_type(Value type, const Config& config, std::string* why);

// A date field in the record's mode: a raw value ("yyyy-MM-dd HH:mm:ss", UTC; or in
// `raw_zone` for plain strings of a `false` record, the policy's servicenow_timezone), or a
// display value in the configured zone and format. RFC 3339 with a zone is read as it is. A
// display value is read only in the settings' `timezone`: without one it is an error that
// says so, never read as UTC (nor in `raw_zone`).
std::optional<int64_t> date_of(Value v, Mode mode, const Config& config, const datetime::Zone& raw_zone, std::string* why);

}  // namespace verdict::servicenow
