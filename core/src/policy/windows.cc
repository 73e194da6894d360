#include "policy/windows.h"

#include <algorithm>
#include <cctype>

#include "time/time.h"

namespace verdict::policy {

using json = nlohmann::ordered_json;

namespace {

constexpr int64_t kMinute = 60 * datetime::kNanosPerSecond;
constexpr int64_t kMaxSteppedSpan = 400LL * 24 * 60 * kMinute;

bool weekly_contains(const TimeWindow& w, int64_t t) {
  const int offset = w.zone.offset_at(t);
  datetime::CivilTime c = datetime::civil_from_nanos_at(t, offset);
  int minute = c.hour * 60 + c.minute;
  for (const TimeRange& r : w.times) {
    if (r.start <= r.end) {
      if (minute >= r.start && minute < r.end && r.on_date(c.year, c.month, c.day, c.weekday)) return true;
    } else {
      // Wraps past midnight: the part after midnight belongs to the day the range starts on.
      if (minute >= r.start && r.on_date(c.year, c.month, c.day, c.weekday)) return true;
      if (minute < r.end) {
        datetime::CivilTime y = datetime::civil_from_nanos_at(t - 1440 * kMinute, offset);
        if (r.on_date(y.year, y.month, y.day, y.weekday)) return true;
      }
    }
  }
  return false;
}

int days_in_month(int64_t year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Calls fn(p) for `a` and every instant in (a, b) where membership may change: local minute
// boundaries (weekly ranges change only there), the zone's transitions and range ends. Stops
// when fn returns false. Returns false when it stopped early.
template <typename Fn>
bool for_change_points(const TimeWindow& w, int64_t a, int64_t b, Fn fn) {
  if (!fn(a)) return false;
  for (const auto& [s, e] : w.ranges) {
    if (s > a && s < b && !fn(s)) return false;
    if (e > a && e < b && !fn(e)) return false;
  }
  if (!w.times.empty()) {
    // The offset holds until the zone's next transition; minutes are local minutes (an
    // offset of the tz database's early years may have seconds).
    int64_t p = a;
    int64_t transition = w.zone.next_transition(p);
    int64_t off = static_cast<int64_t>(w.zone.offset_at(p)) * datetime::kNanosPerSecond;
    while (true) {
      int64_t next = (floor_div(p + off, kMinute) + 1) * kMinute - off;
      if (transition <= next) {
        next = transition;
        off = static_cast<int64_t>(w.zone.offset_at(next)) * datetime::kNanosPerSecond;
        transition = w.zone.next_transition(next);
      }
      if (next >= b) break;
      if (!fn(next)) return false;
      p = next;
    }
  }
  return true;
}

}  // namespace

bool TimeRange::on_date(int64_t year, int month, int day, int weekday) const {
  if (!(days >> weekday & 1) || !(months >> (month - 1) & 1)) return false;
  if (!years.empty()) {
    bool in = false;
    for (const DayRange& y : years) in = in || (year >= y.begin && year <= y.end);
    if (!in) return false;
  }
  if (!days_of_month.empty()) {
    // Alertmanager's reading: negative days count from the month's end; a range that starts
    // after the month's last day does not apply to the month.
    const int n = days_in_month(year, month);
    bool in = false;
    for (const DayRange& d : days_of_month) {
      int b = d.begin < 0 ? n + d.begin + 1 : d.begin;
      int e = d.end < 0 ? n + d.end + 1 : d.end;
      if (b > n) continue;
      in = in || (day >= b && day <= e);
    }
    if (!in) return false;
  }
  return true;
}

bool TimeWindow::contains(int64_t t) const {
  for (const auto& [s, e] : ranges) {
    if (t < s) break;
    if (t < e) return true;
  }
  return !times.empty() && weekly_contains(*this, t);
}

bool TimeWindow::overlaps(int64_t a, int64_t b) const {
  if (b <= a) return contains(a);
  if (!times.empty() && b - a > kMaxSteppedSpan) return true;  // a weekly range recurs within any 400 days
  for (const auto& [s, e] : ranges)
    if (s < b && a < e) return true;
  if (times.empty()) return false;
  bool hit = false;
  for_change_points(*this, a, b, [&](int64_t p) {
    hit = weekly_contains(*this, p);
    return !hit;
  });
  return hit;
}

bool TimeWindow::covers(int64_t a, int64_t b) const {
  if (b <= a) return contains(a);
  if (!times.empty() && b - a > kMaxSteppedSpan) {
    // Only explicit ranges can cover such a span.
    TimeWindow r;
    r.ranges = ranges;
    return r.covers(a, b);
  }
  return for_change_points(*this, a, b, [&](int64_t p) { return contains(p); });
}

int64_t TimeWindow::next_change(int64_t t) const {
  constexpr int64_t kDay = 1440 * kMinute;
  int64_t best = INT64_MAX;
  auto consider = [&](int64_t c) {
    if (c > t && c < best) best = c;
  };
  for (const auto& [s, e] : ranges) {
    consider(s);
    consider(e);
  }
  if (times.empty()) return best;
  consider(zone.next_transition(t));
  // Local midnights and range edges of the next days, each at both offsets it may have
  // (around a transition a wall-clock time can be two instants, or none).
  const int64_t off = static_cast<int64_t>(zone.offset_at(t)) * datetime::kNanosPerSecond;
  const int64_t midnight = floor_div(t + off, kDay) * kDay;  // local
  auto consider_local = [&](int64_t local) {
    consider(local - static_cast<int64_t>(zone.offset_at(local - kDay)) * datetime::kNanosPerSecond);
    consider(local - static_cast<int64_t>(zone.offset_at(local + kDay)) * datetime::kNanosPerSecond);
  };
  for (int d = 0; d <= 8; ++d) {
    int64_t base = midnight + d * kDay;
    consider_local(base);
    for (const TimeRange& r : times)
      for (int m : {r.start, r.end}) consider_local(base + m * kMinute);
  }
  return best;
}

bool parse_hhmm(const std::string& s, int& out) {
  auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  if (s.size() != 5 || s[2] != ':' || !digit(s[0]) || !digit(s[1]) || !digit(s[3]) || !digit(s[4])) return false;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return false;
  out = h * 60 + m;
  return true;
}

int day_bit(const std::string& d) {
  static const char* const kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  static const char* const kFull[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  std::string low;
  for (char c : d) low.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (int i = 0; i < 7; ++i)
    if (low == kDays[i] || low == kFull[i]) return i;
  return -1;
}

void load_zone(PolicyBuilder& b, const json& obj, const std::string& pointer, const char* key, datetime::Zone& out) {
  const json* tz = b.get(obj, pointer, key, false, json::value_t::string);
  if (!tz) return;
  std::string why;
  auto zone = datetime::Zone::parse(tz->get<std::string>(), &why);
  if (!zone) b.fail(pointer_join(pointer, key), ErrorCode::kInvalidPolicy, "a timezone is a UTC offset like \"+01:00\" or an IANA name like \"Europe/Berlin\": " + why);
  else out = *zone;
}

void load_weekly_window(PolicyBuilder& b, const json& v, const std::string& p, const datetime::Zone& default_zone,
                        TimeWindow& out) {
  out.zone = default_zone;
  if (!v.is_object()) {
    b.fail(p, ErrorCode::kInvalidPolicy, "a window is {\"timezone\": ..., \"times\": [...]}");
    return;
  }
  b.only_keys(v, p, {"timezone", "times", "description"});
  load_zone(b, v, p, "timezone", out.zone);
  if (const json* times = b.get(v, p, "times", true, json::value_t::array)) load_times(b, *times, pointer_join(p, "times"), out.times);
}

namespace {

int month_number(const std::string& s) {
  static const char* const kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                                        "july",    "august",   "september", "october", "november", "december"};
  std::string low;
  for (char c : s) low.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (int i = 0; i < 12; ++i)
    if (low == kMonths[i] || low == std::string(kMonths[i]).substr(0, 3)) return i + 1;
  return 0;
}

bool parse_int(const std::string& s, int& out) {
  if (s.empty() || s.size() > 6) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  int v = 0;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = s[0] == '-' ? -v : v;
  return true;
}

}  // namespace

std::string calendar_range(const json& item, const char* key, DayRange& out) {
  const std::string what = key;
  std::string text = item.is_number_integer() ? std::to_string(item.get<int64_t>()) : item.is_string() ? item.get<std::string>() : "";
  if (text.empty()) return what + " items are numbers or \"A:B\" ranges";
  size_t colon = text.find(':', 1);
  std::string a = colon == std::string::npos ? text : text.substr(0, colon);
  std::string z = colon == std::string::npos ? text : text.substr(colon + 1);
  auto one = [&](const std::string& s, int& v) {
    if (what == "months" && (v = month_number(s)) != 0) return true;
    return parse_int(s, v);
  };
  if (!one(a, out.begin) || !one(z, out.end)) return "'" + text + "' is not a " + (what == "months" ? "month (1-12 or a name)" : what == "years" ? "year" : "day of the month") + " or a range A:B of them";
  if (what == "months") {
    if (out.begin < 1 || out.begin > 12 || out.end < 1 || out.end > 12) return "'" + text + "': months are 1 to 12";
    if (out.begin > out.end) return "'" + text + "': the range is inverted (start after end)";
  } else if (what == "years") {
    if (out.begin < 1 || out.end < 1) return "'" + text + "': years are positive";
    if (out.begin > out.end) return "'" + text + "': the range is inverted (start after end)";
  } else {
    for (int v : {out.begin, out.end})
      if (v == 0 || v < -31 || v > 31) return "'" + text + "': days of the month are 1 to 31, or -1 (the last) to -31";
    // Alertmanager: both of one sign must be in order; a positive start and negative end is allowed.
    if ((out.begin > 0) == (out.end > 0) && out.begin > out.end) return "'" + text + "': the range is inverted (start after end)";
    if (out.begin < 0 && out.end > 0) return "'" + text + "': a range from a day counted from the end to a day counted from the start is not allowed";
  }
  return "";
}

void load_times(PolicyBuilder& b, const json& times, const std::string& pointer, std::vector<TimeRange>& out) {
  for (size_t i = 0; i < times.size(); ++i) {
    const json& t = times[i];
    std::string tp = pointer_join(pointer, i);
    if (!t.is_object()) {
      b.fail(tp, ErrorCode::kInvalidPolicy, "a time range is {\"days\": [...], \"start\": \"HH:MM\", \"end\": \"HH:MM\"}");
      continue;
    }
    b.only_keys(t, tp, {"days", "start", "end", "days_of_month", "months", "years"});
    TimeRange r;
    if (const json* days = b.get(t, tp, "days", false, json::value_t::array)) {
      r.days = 0;
      for (size_t k = 0; k < days->size(); ++k) {
        int bit = (*days)[k].is_string() ? day_bit((*days)[k].get<std::string>()) : -1;
        if (bit < 0) b.fail(pointer_join(pointer_join(tp, "days"), k), ErrorCode::kInvalidPolicy, "a day is mon, tue, wed, thu, fri, sat or sun");
        else r.days = static_cast<uint8_t>(r.days | (1u << bit));
      }
    }
    for (const char* key : {"days_of_month", "months", "years"}) {
      const json* list = b.get(t, tp, key, false, json::value_t::array);
      if (!list) continue;
      std::string lp = pointer_join(tp, key);
      if (list->empty()) b.fail(lp, ErrorCode::kInvalidPolicy, std::string(key) + " is empty, so no day would match: leave it out for any");
      if (std::string(key) == "months") r.months = 0;
      for (size_t k = 0; k < list->size(); ++k) {
        DayRange dr;
        std::string why = calendar_range((*list)[k], key, dr);
        if (!why.empty()) {
          b.fail(pointer_join(lp, k), ErrorCode::kInvalidPolicy, why);
          continue;
        }
        if (std::string(key) == "days_of_month") r.days_of_month.push_back(dr);
        else if (std::string(key) == "years") r.years.push_back(dr);
        else
          for (int m = dr.begin; m <= dr.end; ++m) r.months = static_cast<uint16_t>(r.months | (1u << (m - 1)));
      }
    }
    if (const json* s = b.get(t, tp, "start", false, json::value_t::string))
      if (!parse_hhmm(s->get<std::string>(), r.start)) b.fail(pointer_join(tp, "start"), ErrorCode::kInvalidPolicy, "a time is HH:MM (00:00 to 24:00)");
    if (const json* e = b.get(t, tp, "end", false, json::value_t::string))
      if (!parse_hhmm(e->get<std::string>(), r.end)) b.fail(pointer_join(tp, "end"), ErrorCode::kInvalidPolicy, "a time is HH:MM (00:00 to 24:00)");
    if (r.start == r.end) b.fail(tp, ErrorCode::kInvalidPolicy, "the range is empty: start and end are equal");
    out.push_back(r);
  }
}

void load_ranges(PolicyBuilder& b, const json& ranges, const std::string& pointer, std::vector<std::pair<int64_t, int64_t>>& out) {
  std::vector<std::pair<std::pair<int64_t, int64_t>, size_t>> read;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const json& r = ranges[i];
    std::string rp = pointer_join(pointer, i);
    if (!r.is_object()) {
      b.fail(rp, ErrorCode::kInvalidPolicy, "a range is {\"start\": RFC 3339, \"end\": RFC 3339}");
      continue;
    }
    b.only_keys(r, rp, {"start", "end", "description"});
    int64_t se[2] = {0, 0};
    bool ok = true;
    const char* keys[2] = {"start", "end"};
    for (int k = 0; k < 2; ++k) {
      const json* v = b.get(r, rp, keys[k], true, json::value_t::string);
      if (!v) {
        ok = false;
        continue;
      }
      std::string why;
      auto t = datetime::parse_rfc3339(v->get<std::string>(), &why);
      if (!t) {
        b.fail(pointer_join(rp, keys[k]), ErrorCode::kInvalidPolicy, "invalid timestamp: " + why);
        ok = false;
      } else {
        se[k] = *t;
      }
    }
    if (!ok) continue;
    if (se[1] <= se[0]) {
      b.fail(pointer_join(rp, "end"), ErrorCode::kInvalidPolicy, "the range is inverted or empty: end is not after start");
      continue;
    }
    read.push_back({{se[0], se[1]}, i});
  }
  std::sort(read.begin(), read.end());
  for (size_t i = 0; i < read.size(); ++i) {
    const auto& [r, idx] = read[i];
    if (!out.empty() && r.first < out.back().second) {
      b.warnings.push_back(b.error(pointer_join(pointer, idx), ErrorCode::kInvalidPolicy,
                                   "this range overlaps another range of the same window; they are merged"));
      out.back().second = std::max(out.back().second, r.second);
    } else {
      out.push_back(r);
    }
  }
}

}  // namespace verdict::policy
