#include "kinds/alerts/alert.h"

#include <climits>

#include "time/time.h"

namespace verdict::alerts {

bool parse_silence_matchers(std::string_view text, std::vector<LabelMatcher>& out, std::string& why) {
  Error e;
  if (alertmanager::parse_matchers(text, alertmanager::Syntax{}, out, e)) return true;
  why = e.message;
  return false;
}

void append_rfc3339(std::string& out, int64_t t) {
  int64_t secs = t / datetime::kNanosPerSecond;
  int64_t frac = t % datetime::kNanosPerSecond;
  if (frac < 0) {
    frac += datetime::kNanosPerSecond;
    --secs;
  }
  // The date of the previous call is reused while the day stays the same (streams are in time order).
  thread_local int64_t cached_day = INT64_MIN;
  thread_local datetime::CivilTime cached{};
  int64_t day = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  datetime::CivilTime c;
  if (day == cached_day) {
    c = cached;
  } else {
    c = datetime::civil_from_nanos(day * 86400 * datetime::kNanosPerSecond, 0);
    cached = c;
    cached_day = day;
  }
  int64_t rem = secs - day * 86400;
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem / 60 % 60);
  c.second = static_cast<int>(rem % 60);
  char buf[40];
  int64_t y = c.year;
  int n = 0;
  if (y < 0 || y > 9999) {
    // Outside what RFC 3339 can say: keep the digits (never reached for checked input).
    std::string s = datetime::format_rfc3339(t);
    out += s;
    return;
  }
  auto two = [&](int v) {
    buf[n++] = static_cast<char>('0' + v / 10);
    buf[n++] = static_cast<char>('0' + v % 10);
  };
  buf[n++] = static_cast<char>('0' + y / 1000);
  buf[n++] = static_cast<char>('0' + y / 100 % 10);
  buf[n++] = static_cast<char>('0' + y / 10 % 10);
  buf[n++] = static_cast<char>('0' + y % 10);
  buf[n++] = '-';
  two(c.month);
  buf[n++] = '-';
  two(c.day);
  buf[n++] = 'T';
  two(c.hour);
  buf[n++] = ':';
  two(c.minute);
  buf[n++] = ':';
  two(c.second);
  if (frac) {
    buf[n++] = '.';
    int64_t div = 100000000;
    while (frac && div) {
      buf[n++] = static_cast<char>('0' + frac / div);
      frac %= div;
      div /= 10;
    }
  }
  buf[n++] = 'Z';
  out.append(buf, static_cast<size_t>(n));
}

}  // namespace verdict::alerts
