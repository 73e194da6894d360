#include "time/time.h"
#include "time/pattern.h"

#include <vector>

#include <cstdlib>

namespace verdict::datetime {

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {

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
  // Where it went wrong: the character (1-based) in the timestamp, for the error message.
  auto bad = [&](size_t at, const std::string& msg) {
    if (why) *why = msg + " (at character " + std::to_string(at + 1) + " of '" + std::string(s.substr(0, 64)) + "')";
    return std::nullopt;
  };
  // The date and time: YYYY-MM-DD, then T (t or a space), then HH:MM:SS.
  static const char kPattern[] = "dddd-dd-ddTdd:dd:dd";
  for (size_t k = 0; k < 19; ++k) {
    const char want = kPattern[k];
    if (k >= s.size()) return bad(k, "the timestamp ends early: expected a full date and time like 2026-03-01T12:00:00Z");
    const char c = s[k];
    bool ok = want == 'd' ? (c >= '0' && c <= '9') : want == 'T' ? (c == 'T' || c == 't' || c == ' ') : c == want;
    if (!ok) {
      const char* expect = want == 'd' ? "a digit" : want == 'T' ? "'T' between the date and the time" : want == '-' ? "'-'" : "':'";
      return bad(k, std::string("expected ") + expect + " in an RFC 3339 timestamp like 2026-03-01T12:00:00Z");
    }
  }
  int y, mo, d, h, mi, sec;
  digits(s, 0, 4, y);
  digits(s, 5, 2, mo);
  digits(s, 8, 2, d);
  digits(s, 11, 2, h);
  digits(s, 14, 2, mi);
  digits(s, 17, 2, sec);
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12) return bad(5, "month out of range");
  if (d < 1 || d > kDays[mo - 1]) return bad(8, "day out of range");
  if (h > 23) return bad(11, "hour out of range");
  if (mi > 59) return bad(14, "minute out of range");
  if (sec > 60) return bad(17, "second out of range");
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return bad(8, "February 29 in a year that is not a leap year");
  if (sec == 60) sec = 59;  // leap seconds are folded into the previous second
  size_t i = 19;
  int64_t frac = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {  // ISO 8601 allows a decimal comma
    ++i;
    int64_t scale = 100000000;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (scale > 0) frac += (s[i] - '0') * scale;  // digits past nanoseconds are dropped
      scale /= 10;
      ++i;
    }
    if (i == start) return bad(i, "expected digits after the decimal point");
  }
  int offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    // +HH:MM (RFC 3339) or +HHMM (ISO 8601 basic, as PagerDuty and `date +%z` write it).
    int oh, om;
    const size_t o = i;
    const bool colon = o + 3 < s.size() && s[o + 3] == ':';
    if (!digits(s, o + 1, 2, oh) || !digits(s, o + (colon ? 4 : 3), 2, om))
      return bad(o, "invalid UTC offset (expected +HH:MM or +HHMM)");
    if (oh > 23 || om > 59) return bad(o, "UTC offset out of range");
    offset = (oh * 60 + om) * (s[o] == '-' ? -1 : 1);
    i = o + (colon ? 6 : 5);
  } else {
    return bad(i, "the timestamp has no zone: add Z or an offset like +01:00");
  }
  if (i != s.size()) return bad(i, "unexpected characters after the timestamp");
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset * 60;
  // Nanoseconds in 64 bits cover 1677-09-21 to 2262-04-11.
  int64_t ns;
  if (__builtin_mul_overflow(secs, kNanosPerSecond, &ns) || __builtin_add_overflow(ns, frac, &ns))
    return bad(0, "timestamp out of range (verdict handles 1677-09-22 to 2262-04-11)");
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
  if (colon == std::string_view::npos && s.size() == 4) colon = 2;  // +0100
  std::string_view hs = colon == std::string_view::npos ? s : s.substr(0, colon);
  if (hs.empty() || hs.size() > 2) return std::nullopt;
  for (char c : hs) {
    if (c < '0' || c > '9') return std::nullopt;
    h = h * 10 + (c - '0');
  }
  if (colon != std::string_view::npos) {
    std::string_view ms = s.substr(colon + (s[colon] == ':' ? 1 : 0));
    if (ms.size() != 2) return std::nullopt;
    for (char c : ms) {
      if (c < '0' || c > '9') return std::nullopt;
      m = m * 10 + (c - '0');
    }
  }
  if (h > 14 || m > 59) return std::nullopt;
  return sign * (h * 60 + m);
}

CivilTime civil_from_nanos(int64_t nanos, int offset_minutes) { return civil_from_nanos_at(nanos, offset_minutes * 60); }

CivilTime civil_from_nanos_at(int64_t nanos, int offset_seconds) {
  int64_t secs = nanos / kNanosPerSecond;
  if (nanos % kNanosPerSecond < 0) --secs;
  secs += offset_seconds;
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

namespace {

// One field of a date pattern: the letter and how many times it repeats.
struct PatternToken {
  char letter = 0;  // 0: a literal
  size_t count = 0;
  std::string literal;
};

bool tokenize_pattern(std::string_view p, std::vector<PatternToken>& out, std::string* why) {
  auto fail = [&](const std::string& m) {
    if (why) *why = m;
    return false;
  };
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '\'') {
      size_t end = p.find('\'', i + 1);
      if (end == std::string_view::npos) return fail("an unclosed quote at character " + std::to_string(i + 1));
      out.push_back({0, 0, std::string(p.substr(i + 1, end - i - 1))});
      i = end + 1;
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      size_t j = i;
      while (j < p.size() && p[j] == c) ++j;
      const size_t n = j - i;
      const bool ok = (c == 'y' && (n == 4 || n == 2)) || ((c == 'M' || c == 'd' || c == 'H' || c == 'h' || c == 'm' || c == 's') && n <= 2) ||
                      (c == 'a' && n == 1);
      if (!ok)
        return fail("'" + std::string(p.substr(i, n)) + "' at character " + std::to_string(i + 1) +
                    " is not a date field (yyyy, MM, dd, HH, hh, mm, ss, a; quote other letters)");
      out.push_back({c, n, {}});
      i = j;
      continue;
    }
    if (!out.empty() && out.back().letter == 0) out.back().literal.push_back(c);
    else out.push_back({0, 0, std::string(1, c)});
    ++i;
  }
  return true;
}

}  // namespace

bool valid_local_pattern(std::string_view pattern, std::string* why) {
  std::vector<PatternToken> tokens;
  if (!tokenize_pattern(pattern, tokens, why)) return false;
  bool seen[128] = {};
  for (const auto& t : tokens) {
    if (t.letter == 0) continue;
    if (seen[static_cast<unsigned char>(t.letter)]) {
      if (why) *why = std::string("the field '") + t.letter + "' appears twice";
      return false;
    }
    seen[static_cast<unsigned char>(t.letter)] = true;
  }
  auto has = [&](char c) { return seen[static_cast<unsigned char>(c)]; };
  if (has('h') != has('a')) {
    if (why) *why = "a 12-hour clock (hh) needs its AM/PM marker (a), and a needs hh";
    return false;
  }
  const bool hour = has('H') || (has('h') && has('a'));
  if (!has('y') || !has('M') || !has('d') || !hour || !has('m')) {
    if (why) *why = "a date format needs a year (yyyy), month (MM), day (dd), hour (HH, or hh with a) and minute (mm)";
    return false;
  }
  return true;
}

std::optional<int64_t> parse_local_pattern(std::string_view s, std::string_view pattern, std::string* why) {
  std::vector<PatternToken> tokens;
  if (!valid_local_pattern(pattern, why)) return std::nullopt;
  (void)tokenize_pattern(pattern, tokens, nullptr);
  auto fail = [&](size_t at, const std::string& m) -> std::optional<int64_t> {
    if (why) *why = m + " at character " + std::to_string(at + 1) + " (the format is \"" + std::string(pattern) + "\")";
    return std::nullopt;
  };
  int64_t year = 0;
  int month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int pm = -1;
  size_t i = 0;
  for (const auto& t : tokens) {
    if (t.letter == 0) {
      if (s.substr(i, t.literal.size()) != t.literal) return fail(i, "expected \"" + t.literal + "\"");
      i += t.literal.size();
      continue;
    }
    if (t.letter == 'a') {
      std::string_view m = s.substr(i, 2);
      if (m == "AM" || m == "am") pm = 0;
      else if (m == "PM" || m == "pm") pm = 1;
      else return fail(i, "expected AM or PM");
      i += 2;
      continue;
    }
    // A field of count 1 takes one or two digits; otherwise exactly `count` digits.
    const size_t max_digits = t.count == 1 ? 2 : t.count;
    size_t n = 0;
    int64_t v = 0;
    while (n < max_digits && i + n < s.size() && s[i + n] >= '0' && s[i + n] <= '9') v = v * 10 + (s[i + n++] - '0');
    if (n == 0 || (t.count > 1 && n != t.count)) return fail(i, std::string("expected ") + std::to_string(t.count == 1 ? 1 : t.count) + " digits");
    i += n;
    switch (t.letter) {
      case 'y': year = t.count == 2 ? 2000 + v : v; break;
      case 'M': month = static_cast<int>(v); break;
      case 'd': day = static_cast<int>(v); break;
      case 'H': case 'h': hour = static_cast<int>(v); break;
      case 'm': minute = static_cast<int>(v); break;
      case 's': second = static_cast<int>(v); break;
    }
  }
  if (i != s.size()) return fail(i, "unexpected \"" + std::string(s.substr(i)) + "\"");
  if (pm >= 0) {
    if (hour < 1 || hour > 12) return fail(0, "the hour " + std::to_string(hour) + " is not 1-12");
    hour = hour % 12 + (pm ? 12 : 0);
  }
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12) return fail(0, "the month " + std::to_string(month) + " is not 1-12");
  if (day < 1 || day > kDays[month - 1] || (month == 2 && day == 29 && !leap))
    return fail(0, "the day " + std::to_string(day) + " is not in month " + std::to_string(month));
  if (hour > 23 || minute > 59 || second > 59) return fail(0, "the time is not a time of day");
  const int64_t secs = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 + hour * 3600 + minute * 60 + second;
  return secs * kNanosPerSecond;
}

}  // namespace verdict::datetime
