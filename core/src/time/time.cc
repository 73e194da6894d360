#include "time/time.h"

#include <cstdlib>

namespace verdict::datetime {
namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool fail(std::string* why, const char* msg) {
  if (why) *why = msg;
  return false;
}

}  // namespace

std::optional<int64_t> parse_rfc3339(std::string_view s, std::string* why) {
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec)) {
    fail(why, "expected an RFC 3339 timestamp like 2026-03-01T12:00:00Z");
    return std::nullopt;
  }
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || sec > 60) {
    fail(why, "date or time out of range");
    return std::nullopt;
  }
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) {
    fail(why, "February 29 in a year that is not a leap year");
    return std::nullopt;
  }
  if (sec == 60) sec = 59;  // leap seconds are folded into the previous second
  size_t i = 19;
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int64_t scale = 100000000;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (scale > 0) frac += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) {
      fail(why, "expected digits after '.'");
      return std::nullopt;
    }
  }
  int offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om) || oh > 23 ||
        om > 59) {
      fail(why, "invalid UTC offset (expected +HH:MM)");
      return std::nullopt;
    }
    offset = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    fail(why, "the timestamp has no zone: add Z or an offset like +01:00");
    return std::nullopt;
  }
  if (i != s.size()) {
    fail(why, "unexpected characters after the timestamp");
    return std::nullopt;
  }
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset * 60;
  // Nanoseconds in 64 bits cover 1677-09-21 to 2262-04-11.
  int64_t ns;
  if (__builtin_mul_overflow(secs, kNanosPerSecond, &ns) || __builtin_add_overflow(ns, frac, &ns)) {
    fail(why, "timestamp out of range (verdict handles 1677-09-22 to 2262-04-11)");
    return std::nullopt;
  }
  return ns;
}

std::string format_rfc3339(int64_t nanos) {
  int64_t secs = nanos / kNanosPerSecond;
  int64_t frac = nanos % kNanosPerSecond;
  if (frac < 0) {
    frac += kNanosPerSecond;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                        static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                        static_cast<long long>(rem % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac) {
    std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += "Z";
  return out;
}

std::optional<int64_t> parse_duration(std::string_view s, std::string* why) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i >= s.size()) {
    fail(why, "empty duration");
    return std::nullopt;
  }
  int64_t total = 0;
  while (i < s.size()) {
    size_t start = i;
    int64_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n > 1000000000000LL) {
        fail(why, "duration too large");
        return std::nullopt;
      }
      n = n * 10 + (s[i++] - '0');
    }
    if (i == start) {
      fail(why, "expected a number in the duration (like 15m, 4h, 1h30m)");
      return std::nullopt;
    }
    size_t u = i;
    while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z'))) ++i;
    std::string_view unit = s.substr(u, i - u);
    int64_t mult;
    if (unit == "ns") mult = 1;
    else if (unit == "us") mult = 1000;
    else if (unit == "ms") mult = 1000000;
    else if (unit == "s") mult = kNanosPerSecond;
    else if (unit == "m") mult = 60 * kNanosPerSecond;
    else if (unit == "h") mult = 3600 * kNanosPerSecond;
    else if (unit == "d") mult = 86400 * kNanosPerSecond;
    else if (unit == "w") mult = 7 * 86400 * kNanosPerSecond;
    else {
      fail(why, unit.empty() ? "a duration needs a unit (ms, s, m, h, d, w)" : "unknown duration unit (use ms, s, m, h, d, w)");
      return std::nullopt;
    }
    int64_t part;
    if (__builtin_mul_overflow(n, mult, &part) || __builtin_add_overflow(total, part, &total)) {
      fail(why, "duration too large");
      return std::nullopt;
    }
  }
  return neg ? -total : total;
}

std::string format_duration(int64_t nanos) {
  if (nanos == 0) return "0s";
  std::string out;
  uint64_t v;
  if (nanos < 0) {
    out = "-";
    v = static_cast<uint64_t>(-(nanos + 1)) + 1;
  } else {
    v = static_cast<uint64_t>(nanos);
  }
  const uint64_t sec = static_cast<uint64_t>(kNanosPerSecond);
  if (v < sec) {
    if (v % 1000000 == 0) return out + std::to_string(v / 1000000) + "ms";
    if (v % 1000 == 0) return out + std::to_string(v / 1000) + "us";
    return out + std::to_string(v) + "ns";
  }
  uint64_t d = v / (86400 * sec);
  v %= 86400 * sec;
  uint64_t h = v / (3600 * sec);
  v %= 3600 * sec;
  uint64_t m = v / (60 * sec);
  v %= 60 * sec;
  if (d) out += std::to_string(d) + "d";
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (v) {
    out += std::to_string(v / sec);
    uint64_t frac = v % sec;
    if (frac) {
      char buf[16];
      std::snprintf(buf, sizeof buf, ".%09llu", static_cast<unsigned long long>(frac));
      std::string f(buf);
      while (f.back() == '0') f.pop_back();
      out += f;
    }
    out += "s";
  }
  return out;
}

std::optional<int> parse_utc_offset(std::string_view s) {
  if (s == "Z" || s == "UTC" || s == "utc" || s == "GMT") return 0;
  if (s.rfind("UTC", 0) == 0 || s.rfind("GMT", 0) == 0) s.remove_prefix(3);
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  int sign = s[0] == '-' ? -1 : 1;
  s.remove_prefix(1);
  int h = 0, m = 0;
  size_t colon = s.find(':');
  std::string_view hs = colon == std::string_view::npos ? s : s.substr(0, colon);
  if (hs.empty() || hs.size() > 2) return std::nullopt;
  for (char c : hs) {
    if (c < '0' || c > '9') return std::nullopt;
    h = h * 10 + (c - '0');
  }
  if (colon != std::string_view::npos) {
    std::string_view ms = s.substr(colon + 1);
    if (ms.size() != 2) return std::nullopt;
    for (char c : ms) {
      if (c < '0' || c > '9') return std::nullopt;
      m = m * 10 + (c - '0');
    }
  }
  if (h > 14 || m > 59) return std::nullopt;
  return sign * (h * 60 + m);
}

CivilTime civil_from_nanos(int64_t nanos, int offset_minutes) {
  int64_t secs = nanos / kNanosPerSecond;
  if (nanos % kNanosPerSecond < 0) --secs;
  secs += static_cast<int64_t>(offset_minutes) * 60;
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  CivilTime c{};
  unsigned m, d;
  civil_from_days(days, c.year, m, d);
  c.month = static_cast<int>(m);
  c.day = static_cast<int>(d);
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem / 60 % 60);
  c.second = static_cast<int>(rem % 60);
  int64_t wd = (days + 4) % 7;  // 1970-01-01 was a Thursday
  c.weekday = static_cast<int>(wd < 0 ? wd + 7 : wd);
  return c;
}

}  // namespace verdict::datetime
