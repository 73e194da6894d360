// ServiceNow fields in the three sysparm_display_value modes (document/servicenow.h).
#include "document/servicenow.h"

#include <algorithm>
#include <cctype>

#include "time/time.h"
#include "time/pattern.h"

namespace verdict::servicenow {

namespace {

bool is_table_name(std::string_view s) {
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return !s.empty();
}

std::string lower_snake(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

// "2026-03-27 08:00:00" in `zone`, else RFC 3339 with its own zone.
std::optional<int64_t> raw_date(std::string_view s, const datetime::Zone& zone, std::string* why) {
  if (s.size() == 19 && s[10] == ' ') {
    auto t = datetime::parse_rfc3339(std::string(s.substr(0, 10)) + "T" + std::string(s.substr(11)) + "Z", why);
    if (t) t = zone.from_local(*t);
    return t;
  }
  return datetime::parse_rfc3339(s, why);
}

// A sys_id: 32 hexadecimal digits.
bool is_sys_id(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A relationship type's name as ServiceNow writes it: "<parent descriptor>::<child descriptor>".
bool is_relation_name(std::string_view s) {
  size_t sep = s.find("::");
  return sep != std::string_view::npos && !trim_space(s.substr(0, sep)).empty() &&
         !trim_space(s.substr(sep + 2)).empty();
}

}  // namespace

std::string read_config(Value v, Config& out) {
  if (!v.is_object()) return "servicenow: expected {\"timezone\": ..., \"date_format\": ..., \"team\": [...]}, not " + v.to_json();
  std::string err;
  v.for_each_member([&](std::string_view k, Value x) {
    if (k == "timezone") {
      std::string why;
      auto z = x.is_string() ? datetime::Zone::parse(x.as_string(), &why) : std::nullopt;
      if (!z) {
        err = "servicenow.timezone: a UTC offset like \"+01:00\" or an IANA name like \"Europe/Amsterdam\"" +
              (why.empty() ? std::string() : ": " + why);
        return false;
      }
      out.timezone = *z;
      out.has_timezone = true;
    } else if (k == "date_format") {
      std::string why;
      if (!x.is_string() || !datetime::valid_local_pattern(x.as_string(), &why)) {
        err = "servicenow.date_format: a date format like \"dd-MM-yyyy HH:mm:ss\"" + (why.empty() ? std::string() : ": " + why);
        return false;
      }
      out.date_format = std::string(x.as_string());
    } else if (k == "team") {
      std::vector<std::string> fields;
      bool ok = x.is_array() && x.size() > 0;
      x.for_each_item([&](Value f) {
        ok = ok && f.is_string() && !f.as_string().empty();
        if (ok) fields.emplace_back(f.as_string());
        return ok;
      });
      if (!ok) {
        err = "servicenow.team: a list of the fields a CI's team is read from, first found wins (like [\"support_group\", "
              "\"assignment_group\", \"owned_by\"])";
        return false;
      }
      out.team_fields = std::move(fields);
    } else if (k == "relation_types") {
      std::vector<std::pair<std::string, std::string>> types;
      bool ok = x.is_object();
      x.for_each_member([&](std::string_view id, Value name) {
        ok = is_sys_id(id) && name.is_string() && is_relation_name(name.as_string());
        if (!ok) {
          err = "servicenow.relation_types: \"" + std::string(id) + "\": expected a cmdb_rel_type sys_id (32 hex digits) "
                "mapped to the type's name, like \"Depends on::Used by\", not " + name.to_json();
          return false;
        }
        types.emplace_back(std::string(id), std::string(name.as_string()));
        return true;
      });
      if (!ok) {
        if (err.empty())
          err = "servicenow.relation_types: an object of cmdb_rel_type sys_ids and their names, like "
                "{\"1a9cb166f1571100a92eb60da2bce5c5\": \"Depends on::Used by\"}";
        return false;
      }
      std::sort(types.begin(), types.end());
      for (size_t i = 1; i < types.size(); ++i)
        if (types[i].first == types[i - 1].first) {
          err = "servicenow.relation_types: \"" + types[i].first + "\" is given twice";
          return false;
        }
      out.relation_types = std::move(types);
    } else {
      err = "servicenow: unknown key \"" + std::string(k) + "\" (known: timezone, date_format, team, relation_types)";
      return false;
    }
    return true;
  });
  return err;
}

Mode record_mode(Value record) {
  Mode mode = Mode::kValue;
  record.for_each_member([&](std::string_view k, Value v) {
    if (v.is_object() && v.get("display_value").exists()) {
      if (v.get("value").exists()) {
        mode = Mode::kAll;
        return false;
      }
      if (v.get("link").exists()) mode = Mode::kDisplay;
    } else if (k == "sys_class_name" && v.is_string() && !v.as_string().empty() && !is_table_name(v.as_string())) {
      mode = Mode::kDisplay;
    }
    return true;
  });
  return mode;
}

std::string_view value_of(Value v) {
  if (v.is_string()) return v.as_string();
  if (v.is_object()) {
    Value raw = v.get("value");
    if (raw.exists()) return raw.as_string();
    return v.get("display_value").as_string();
  }
  return {};
}

std::string_view display_of(Value v) {
  if (v.is_string()) return v.as_string();
  if (v.is_object()) {
    std::string_view d = v.get("display_value").as_string();
    if (!d.empty()) return d;
    return v.get("value").as_string();
  }
  return {};
}

bool absent(Value v) {
  if (!v.exists() || v.is_null()) return true;
  if (v.is_string()) return v.as_string().empty();
  if (v.is_object()) return display_of(v).empty() && v.get("link").as_string().empty();
  return false;
}

std::string table_of(Value v) {
  std::string_view raw = value_of(v);
  if (is_table_name(raw)) return std::string(raw);
  std::string_view label = display_of(v);
  if (label.empty()) return {};
  // The labels of the tables a triage or change record comes from.
  static const std::pair<const char*, const char*> kLabels[] = {
      {"incident", "incident"},         {"change request", "change_request"}, {"problem", "problem"},
      {"catalog task", "sc_task"},      {"requested item", "sc_req_item"},   {"change task", "change_task"},
      {"configuration item", "cmdb_ci"}, {"ci relationship", "cmdb_rel_ci"},
  };
  std::string l = lower_snake(label);
  for (const auto& [name, table] : kLabels)
    if (l == lower_snake(name)) return table;
  return l;  // another label, as a table-like name ("Business Service" -> "business_service")
}

std::optional<std::string> relation_type(Value type, const Config& config, std::string* why) {
  std::string_view name, id;
  if (type.is_object()) {
    name = trim_space(type.get("display_value").as_string());
    id = trim_space(type.get("value").as_string());
    if (id.empty()) {
      std::string_view link = type.get("link").as_string();
      size_t slash = link.rfind('/');
      id = slash == std::string_view::npos ? link : link.substr(slash + 1);
    }
  } else if (type.is_string()) {
    std::string_view s = trim_space(type.as_string());
    (is_sys_id(s) ? id : name) = s;
  }
  if (!name.empty()) {
    if (is_relation_name(name)) return std::string(name);
    if (why)
      *why = "relationship type \"" + std::string(name) +
             "\" is not a type's name (\"<parent>::<child>\", like \"Depends on::Used by\") or a sys_id";
    return std::nullopt;
  }
  if (id.empty()) {
    if (why) *why = "no relationship type (\"type\": \"Depends on::Used by\", or its sys_id)";
    return std::nullopt;
  }
  auto it = std::lower_bound(config.relation_types.begin(), config.relation_types.end(), id,
                             [](const std::pair<std::string, std::string>& e, std::string_view k) { return e.first < k; });
  if (it != config.relation_types.end() && it->first == id) return it->second;
  if (why)
    *why = "relationship type \"" + std::string(id) +
           "\" is a sys_id without a name: export with sysparm_display_value=all, or name it in the settings' "
           "servicenow.relation_types";
  return std::nullopt;
}

std::optional<int64_t> date_of(Value v, Mode mode, const Config& config, const datetime::Zone& raw_zone, std::string* why) {
  if (v.is_object()) {
    Value raw = v.get("value");
    if (raw.exists()) return raw_date(raw.as_string(), datetime::Zone(), why);  // `all`: the value is UTC
    v = v.get("display_value");
    mode = Mode::kDisplay;
  }
  std::string_view s = v.as_string();
  auto in_display_zone = [&](int64_t local) -> std::optional<int64_t> {
    if (config.has_timezone) return config.timezone.from_local(local);
    if (why)
      *why = "a display value is in the instance's time zone, and none is configured: give it once as "
             "servicenow.timezone in a data file (docs/servicenow.md); it is not read as UTC";
    return std::nullopt;
  };
  if (mode == Mode::kDisplay) {
    // An RFC 3339 time (with its zone) is unambiguous in any mode.
    if (s.size() > 19 && s[10] == 'T') return datetime::parse_rfc3339(s, why);
    if (!config.has_timezone) return in_display_zone(0);  // the error: no zone, whatever the format
    auto local = datetime::parse_local_pattern(s, config.date_format, why);
    if (!local) return std::nullopt;
    return in_display_zone(*local);
  }
  auto t = raw_date(s, raw_zone, why);
  if (!t && config.date_format != Config().date_format) {
    // A `true` export that shows no sign of its mode (no sys_class_name, references as plain
    // names): a date in the configured display format is read as one.
    std::string ignored;
    if (auto local = datetime::parse_local_pattern(s, config.date_format, &ignored)) return in_display_zone(*local);
  }
  return t;
}

}  // namespace verdict::servicenow
