#include "alertmanager/time_intervals.h"

#include <cctype>

#include "policy/json_source.h"
#include "policy/windows.h"
#include "time/zone.h"

namespace verdict::alertmanager {

using json = nlohmann::ordered_json;

namespace {

const char* const kWeekdays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int weekday(const std::string& s) {
  for (int i = 0; i < 7; ++i)
    if (s == kWeekdays[i]) return i;
  return -1;
}

// Alertmanager's validTime: ^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)
bool valid_time(const std::string& s, int& minutes) {
  if (s == "24:00") {
    minutes = 24 * 60;
    return true;
  }
  if (s.size() != 5 || s[2] != ':') return false;
  for (int i : {0, 1, 3, 4})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || s[3] > '5') return false;
  minutes = h * 60 + m;
  return true;
}

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

bool convert_time_interval(const json& interval, json& window, std::vector<IntervalProblem>& problems) {
  const size_t before = problems.size();
  std::string name = interval.is_object() && interval.contains("name") ? text_of(interval["name"]) : std::string();
  const std::string who = "time interval \"" + name + "\": ";
  // Where: time_intervals/RANGE/KEY/ITEM (-1 and "": not that deep); at the key when `at_key`.
  auto problem = [&](int range, const std::string& key, int item, std::string message, bool at_key = false) {
    std::string p;
    if (range >= 0) p = policy::pointer_join(policy::pointer_join(p, "time_intervals"), static_cast<size_t>(range));
    if (!key.empty()) p = policy::pointer_join(p, key);
    if (item >= 0) p = policy::pointer_join(p, static_cast<size_t>(item));
    const bool refused = message.find("Alertmanager refuses") != std::string::npos;
    problems.push_back({std::move(p), at_key, who + message, refused});
  };
  if (!interval.is_object() || name.empty()) {
    problems.push_back({"", false, "a time interval without a name is not converted (Alertmanager refuses it)", true});
    return false;
  }
  for (auto it = interval.begin(); it != interval.end(); ++it)
    if (it.key() != "name" && it.key() != "time_intervals")
      problem(-1, it.key(), -1, it.key() + " is not a key of a time interval (Alertmanager refuses it)", true);
  auto ranges = interval.find("time_intervals");
  if (ranges == interval.end() || !ranges->is_array() || ranges->empty()) {
    problem(-1, "time_intervals", -1, "no time_intervals: it is never active; not converted");
    return false;
  }
  json times = json::array();
  std::string location;  // of the first range that names one; every range must agree
  bool location_set = false;
  for (size_t ri = 0; ri < ranges->size(); ++ri) {
    const json& tr = (*ranges)[ri];
    const int r = static_cast<int>(ri);
    if (!tr.is_object()) {
      if (!tr.is_null()) {  // an empty range (`- {}`, or `-` alone) is always active
        problem(r, "", -1, "a time range is a map of times, weekdays, ... (Alertmanager refuses it)");
        continue;
      }
    }
    if (tr.is_object())
      for (auto it = tr.begin(); it != tr.end(); ++it) {
        const std::string& k = it.key();
        if (k != "times" && k != "weekdays" && k != "location" && k != "days_of_month" && k != "months" && k != "years") {
          problem(r, k, -1, k + " is not a key of a time range (Alertmanager refuses it)", true);
        }
      }
    {
      // Alertmanager reads each range in its own location (UTC when none); a verdict window
      // has one zone, so the ranges of one interval must agree.
      std::string loc = tr.is_object() && tr.contains("location") ? text_of(tr["location"]) : "UTC";
      if (loc == "Local") {
        problem(r, "location", -1, "location Local (the Alertmanager host's zone) is not converted: name the zone, like Europe/Berlin");
      } else if (!datetime::Zone::named(loc) && loc != "UTC") {
        problem(r, "location", -1, "location " + loc + " is not a time zone of the tz database " +
                                       std::string(datetime::tzdata_version()) + " (Alertmanager refuses it)");
      } else if (location_set && loc != location) {
        problem(r, "location", -1, "location " + loc + " differs from " + location +
                                       " of an earlier range of the interval; a verdict window has one zone: split the interval");
      } else {
        location = loc;
        location_set = true;
      }
    }
    json calendar = json::object();
    for (const char* key : {"days_of_month", "months", "years"}) {
      if (!tr.is_object() || !tr.contains(key)) continue;
      const json& list = tr[key];
      if (!list.is_array() || list.empty()) {
        problem(r, key, -1, std::string(key) + " is an empty list, which no day matches; not converted");
        continue;
      }
      json items = json::array();
      for (size_t k = 0; k < list.size(); ++k) {
        policy::DayRange dr;
        std::string why = policy::calendar_range(list[k], key, dr);
        if (!why.empty()) problem(r, key, static_cast<int>(k), why + " (Alertmanager refuses it)");
        else items.push_back(text_of(list[k]));
      }
      calendar[key] = std::move(items);
    }
    json days = json::array();
    bool has_days = tr.is_object() && tr.contains("weekdays");
    if (has_days) {
      const json& wds = tr["weekdays"];
      if (!wds.is_array() || wds.empty()) {
        problem(r, "weekdays", -1, "weekdays is an empty list, which no day matches; not converted");
      } else {
        for (size_t wi = 0; wi < wds.size(); ++wi) {
          std::string w = lower(text_of(wds[wi]));
          size_t colon = w.find(':');
          int a = weekday(colon == std::string::npos ? w : w.substr(0, colon));
          int b = colon == std::string::npos ? a : weekday(w.substr(colon + 1));
          if (a < 0 || b < 0 || (colon != std::string::npos && w.find(':', colon + 1) != std::string::npos)) {
            problem(r, "weekdays", static_cast<int>(wi), "weekday " + text_of(wds[wi]) + " not understood (Alertmanager refuses it)");
              continue;
          }
          if (a > b) {
            problem(r, "weekdays", static_cast<int>(wi), "weekday range " + text_of(wds[wi]) +
                                                             ": the start day is after the end day (Alertmanager refuses it)");
              continue;
          }
          for (int d = a; d <= b; ++d) days.push_back(std::string(kWeekdays[d]).substr(0, 3));
        }
      }
    }
    json base = json::object();
    if (!days.empty()) base["days"] = days;
    for (auto it = calendar.begin(); it != calendar.end(); ++it) base[it.key()] = it.value();
    if (tr.is_object() && tr.contains("times")) {
      const json& ts = tr["times"];
      if (!ts.is_array() || ts.empty()) {
        problem(r, "times", -1, "times is an empty list, which no time matches; not converted");
      } else {
        for (size_t ti = 0; ti < ts.size(); ++ti) {
          const json& t = ts[ti];
          std::string start = t.is_object() && t.contains("start_time") ? text_of(t["start_time"]) : std::string();
          std::string end = t.is_object() && t.contains("end_time") ? text_of(t["end_time"]) : std::string();
          int s = 0, e = 0;
          std::string why;
          if (start.empty() || end.empty()) why = "both start_time and end_time must be given";
          else if (!valid_time(start, s)) why = "start_time " + start + " is not HH:MM";
          else if (!valid_time(end, e)) why = "end_time " + end + " is not HH:MM (up to 24:00)";
          else if (s >= e) why = "start_time " + start + " is not before end_time " + end;
          if (!why.empty()) {
            problem(r, "times", static_cast<int>(ti), why + " (Alertmanager refuses it)");
              continue;
          }
          json entry = base;
          entry["start"] = start;
          entry["end"] = end;
          times.push_back(std::move(entry));
        }
      }
    } else {
      times.push_back(base);  // every time of the day(s)
    }
  }
  if (problems.size() != before) return false;
  window = json::object();
  window["timezone"] = location_set ? location : "UTC";
  window["times"] = std::move(times);
  return true;
}

}  // namespace verdict::alertmanager
