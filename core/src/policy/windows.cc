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
  datetime::CivilTime c = datetime::civil_from_nanos(t, w.offset);
  int minute = c.hour * 60 + c.minute;
  for (const TimeRange& r : w.times) {
    if (r.start <= r.end) {
      if ((r.days >> c.weekday & 1) && minute >= r.start && minute < r.end) return true;
    } else {
      // Wraps past midnight: the part after midnight belongs to the day the range starts on.
      int yesterday = (c.weekday + 6) % 7;
      if ((r.days >> c.weekday & 1) && minute >= r.start) return true;
      if ((r.days >> yesterday & 1) && minute < r.end) return true;
    }
  }
  return false;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Calls fn(p) for `a` and every instant in (a, b) where membership may change: minute
// boundaries (weekly ranges change only there, since offsets are whole minutes) and range
// ends. Stops when fn returns false. Returns false when it stopped early.
template <typename Fn>
bool for_change_points(const TimeWindow& w, int64_t a, int64_t b, Fn fn) {
  if (!fn(a)) return false;
  for (const auto& [s, e] : w.ranges) {
    if (s > a && s < b && !fn(s)) return false;
    if (e > a && e < b && !fn(e)) return false;
  }
  if (!w.times.empty()) {
    for (int64_t m = (floor_div(a, kMinute) + 1) * kMinute; m < b; m += kMinute)
      if (!fn(m)) return false;
  }
  return true;
}

}  // namespace

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

void load_offset(PolicyBuilder& b, const json& obj, const std::string& pointer, const char* key, int& out) {
  const json* tz = b.get(obj, pointer, key, false, json::value_t::string);
  if (!tz) return;
  auto off = datetime::parse_utc_offset(tz->get<std::string>());
  if (!off) b.fail(pointer_join(pointer, key), ErrorCode::kInvalidPolicy, "a timezone is a UTC offset like \"+01:00\" or \"UTC\"");
  else out = *off;
}

void load_weekly_window(PolicyBuilder& b, const json& v, const std::string& p, int default_offset, TimeWindow& out) {
  out.offset = default_offset;
  if (!v.is_object()) {
    b.fail(p, ErrorCode::kInvalidPolicy, "a window is {\"timezone\": ..., \"times\": [...]}");
    return;
  }
  b.only_keys(v, p, {"timezone", "times", "description"});
  load_offset(b, v, p, "timezone", out.offset);
  if (const json* times = b.get(v, p, "times", true, json::value_t::array)) load_times(b, *times, pointer_join(p, "times"), out.times);
}

void load_times(PolicyBuilder& b, const json& times, const std::string& pointer, std::vector<TimeRange>& out) {
  for (size_t i = 0; i < times.size(); ++i) {
    const json& t = times[i];
    std::string tp = pointer_join(pointer, i);
    if (!t.is_object()) {
      b.fail(tp, ErrorCode::kInvalidPolicy, "a time range is {\"days\": [...], \"start\": \"HH:MM\", \"end\": \"HH:MM\"}");
      continue;
    }
    b.only_keys(t, tp, {"days", "start", "end"});
    TimeRange r;
    if (const json* days = b.get(t, tp, "days", false, json::value_t::array)) {
      r.days = 0;
      for (size_t k = 0; k < days->size(); ++k) {
        int bit = (*days)[k].is_string() ? day_bit((*days)[k].get<std::string>()) : -1;
        if (bit < 0) b.fail(pointer_join(pointer_join(tp, "days"), k), ErrorCode::kInvalidPolicy, "a day is mon, tue, wed, thu, fri, sat or sun");
        else r.days = static_cast<uint8_t>(r.days | (1u << bit));
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
