#include "kinds/alerts/alert.h"

#include <algorithm>
#include <climits>

#include "document/document_internal.h"
#include "time/time.h"

namespace verdict::alerts {

namespace {
constexpr uint64_t kPrime = 1099511628211ULL;
constexpr uint64_t kOffset = 14695981039346656037ULL;
constexpr unsigned char kSeparator = 0xff;

inline uint64_t add_byte(uint64_t h, unsigned char b) { return (h ^ b) * kPrime; }
}  // namespace

uint64_t fnv1a(std::string_view s, uint64_t h) {
  for (unsigned char c : s) h = add_byte(h, c);
  return h;
}

uint64_t fingerprint(const LabelView& sorted) {
  uint64_t h = kOffset;
  for (const auto& [name, value] : sorted) {
    h = add_byte(fnv1a(name, h), kSeparator);
    h = add_byte(fnv1a(value, h), kSeparator);
  }
  return h;
}

void append_hex16(std::string& out, uint64_t v) {
  static const char* digits = "0123456789abcdef";
  char buf[16];
  for (int i = 15; i >= 0; --i) {
    buf[i] = digits[v & 0xf];
    v >>= 4;
  }
  out.append(buf, 16);
}

std::string_view label_value(const LabelView& sorted, std::string_view name) {
  for (const auto& [n, v] : sorted)
    if (n == name) return v;
  return {};
}

void sort_labels(LabelView& labels) {
  for (size_t i = 1; i < labels.size(); ++i) {
    auto x = labels[i];
    size_t j = i;
    while (j > 0 && labels[j - 1].first > x.first) {
      labels[j] = labels[j - 1];
      --j;
    }
    labels[j] = x;
  }
}

void append_go_quoted(std::string& out, std::string_view s) {
  static const char* digits = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out.push_back(digits[c >> 4]);
          out.push_back(digits[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void append_label_set(std::string& out, const LabelView& sorted) {
  out.push_back('{');
  bool first = true;
  for (const auto& [n, v] : sorted) {
    if (!first) out += ", ";
    first = false;
    out.append(n);
    out.push_back('=');
    append_go_quoted(out, v);
  }
  out.push_back('}');
}

// ---- matchers -------------------------------------------------------------------------

bool LabelMatcher::matches(std::string_view v) const {
  switch (op) {
    case MatchOp::kEq: return v == value;
    case MatchOp::kNe: return v != value;
    case MatchOp::kRe: return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re);
    case MatchOp::kNotRe: return !RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re);
  }
  return false;
}

void LabelMatcher::append_string(std::string& out) const {
  static const char* ops[] = {"=", "!=", "=~", "!~"};
  out += name;
  out += ops[static_cast<int>(op)];
  out.push_back('"');
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"') out += "\\\"";
    else out.push_back(c);
  }
  out.push_back('"');
}

bool parse_label_matcher(std::string_view text, LabelMatcher& m, std::string& why, int64_t max_regex_memory) {
  size_t i = 0;
  auto skip = [&] {
    while (i < text.size() && text[i] == ' ') ++i;
  };
  skip();
  size_t start = i;
  while (i < text.size() && (isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_' || text[i] == '.' || text[i] == '-' ||
                             text[i] == ':'))
    ++i;
  m.name = std::string(text.substr(start, i - start));
  if (m.name.empty()) {
    why = "a matcher starts with a label name, as in severity=\"critical\"";
    return false;
  }
  skip();
  if (text.compare(i, 2, "=~") == 0) { m.op = MatchOp::kRe; i += 2; }
  else if (text.compare(i, 2, "!~") == 0) { m.op = MatchOp::kNotRe; i += 2; }
  else if (text.compare(i, 2, "!=") == 0) { m.op = MatchOp::kNe; i += 2; }
  else if (i < text.size() && text[i] == '=') { m.op = MatchOp::kEq; i += 1; }
  else {
    why = "expected =, !=, =~ or !~ after the label name";
    return false;
  }
  skip();
  if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
    char q = text[i++];
    std::string v;
    while (i < text.size() && text[i] != q) {
      if (text[i] == '\\' && i + 1 < text.size()) {
        char e = text[i + 1];
        if (e == q || e == '\\') { v.push_back(e); i += 2; continue; }
        if (e == 'n') { v.push_back('\n'); i += 2; continue; }
      }
      v.push_back(text[i++]);
    }
    if (i >= text.size()) {
      why = "unterminated quoted value";
      return false;
    }
    ++i;
    skip();
    if (i != text.size()) {
      why = "unexpected text after the value";
      return false;
    }
    m.value = std::move(v);
  } else {
    size_t end = text.size();
    while (end > i && text[end - 1] == ' ') --end;
    m.value = std::string(text.substr(i, end - i));
  }
  if (m.op == MatchOp::kRe || m.op == MatchOp::kNotRe) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_max_mem(max_regex_memory);
    m.re = std::make_shared<RE2>("^(?:" + m.value + ")$", opts);
    if (!m.re->ok()) {
      why = "invalid regex: " + m.re->error() + " (RE2 syntax)";
      return false;
    }
  }
  return true;
}

bool matches_all(const std::vector<LabelMatcher>& ms, const LabelView& labels) {
  for (const auto& m : ms)
    if (!m.matches(labels)) return false;
  return true;
}

void sort_matchers(std::vector<LabelMatcher>& ms) {
  std::stable_sort(ms.begin(), ms.end(), [](const LabelMatcher& a, const LabelMatcher& b) {
    if (a.name != b.name) return a.name < b.name;
    if (a.value != b.value) return a.value < b.value;
    return a.op < b.op;
  });
}

// ---- events ---------------------------------------------------------------------------

namespace {

// A time field: absent, null, "" and Go's zero time (0001-01-01...) are "not set".
// Returns "" or the problem.
std::string read_time(Value v, const char* field, bool& has, int64_t& out) {
  has = false;
  if (!v.exists() || v.is_null()) return {};
  if (!v.is_string()) return std::string(field) + " is a " + type_name(v.type()) + "; a time is an RFC 3339 string";
  std::string_view s = v.as_string();
  if (s.empty() || s.rfind("0001-01-01", 0) == 0) return {};
  std::string why;
  auto t = datetime::parse_rfc3339(s, &why);
  if (!t) return std::string(field) + " '" + std::string(s) + "' is not an RFC 3339 time: " + why;
  has = true;
  out = *t;
  return {};
}

// Reads an object of string values into ev.labels; non-string values are an error.
std::string read_labels(Value obj, const char* field, Event& ev) {
  if (!obj.exists() || obj.is_null()) return {};
  if (!obj.is_object()) return std::string(field) + " is a " + type_name(obj.type()) + "; labels are an object of strings";
  simdjson::dom::element e = ValueAccess::element(obj);
  simdjson::dom::object o = e.get_object().value_unsafe();
  for (auto kv : o) {
    if (!kv.value.is_string())
      return std::string(field) + "." + std::string(kv.key) + " is a " + type_name(ValueAccess::wrap(kv.value).type()) +
             "; label values are strings";
    ev.labels.emplace_back(kv.key, kv.value.get_string().value_unsafe());
  }
  return {};
}

}  // namespace

std::string read_event(Value a, std::string_view shape, Event& ev) {
  ev.labels.clear();
  ev.shape = shape;
  ev.status = EventStatus::kFiring;
  ev.source_key = {};
  ev.has_at = ev.has_starts = ev.has_ends = false;
  ev.at = ev.starts_at = ev.ends_at = 0;
  ev.annotations = Value();
  if (!a.is_object()) return std::string("an alert is an object, not a ") + type_name(a.type());
  std::string why;
  if (shape == "pagerduty") {
    std::string_view action = a.get("event_action").as_string();
    if (action == "trigger") ev.status = EventStatus::kFiring;
    else if (action == "resolve") ev.status = EventStatus::kResolved;
    else if (action == "acknowledge") ev.status = EventStatus::kAcknowledged;
    else return "event_action is \"" + std::string(action) + "\"; PagerDuty events are trigger, acknowledge or resolve";
    Value key = a.get("dedup_key");
    if (key.exists() && !key.is_null() && !key.is_string()) return "dedup_key is not a string";
    ev.source_key = key.as_string();
    Value p = a.get("payload");
    if (p.is_object()) {
      for (const char* f : {"severity", "source", "component", "group", "class"}) {
        Value v = p.get(f);
        if (v.exists() && !v.is_null() && !v.is_string()) return std::string("payload.") + f + " is not a string";
        if (v.is_string() && !v.as_string().empty()) ev.labels.emplace_back(f, v.as_string());
      }
      Value cls = p.get("class");
      ev.labels.emplace_back("alertname", cls.is_string() && !cls.as_string().empty() ? cls.as_string() : std::string_view("pagerduty"));
      // String custom details become labels too (other values stay details); they never
      // replace a payload field.
      Value cd = p.get("custom_details");
      if (cd.is_object()) {
        simdjson::dom::object o = ValueAccess::element(cd).get_object().value_unsafe();
        for (auto kv : o) {
          if (!kv.value.is_string()) continue;
          bool taken = false;
          for (const auto& l : ev.labels) taken = taken || l.first == kv.key;
          if (!taken) ev.labels.emplace_back(kv.key, kv.value.get_string().value_unsafe());
        }
      }
      ev.annotations = p;
      if (!(why = read_time(p.get("timestamp"), "payload.timestamp", ev.has_at, ev.at)).empty()) return why;
    } else if (ev.status == EventStatus::kFiring) {
      return "a PagerDuty trigger event needs a payload object";
    }
    if (ev.status == EventStatus::kFiring && ev.labels.empty()) return "the trigger event has no payload fields to label it";
    sort_labels(ev.labels);
    return {};
  }
  // One pass over the members (this is the hot path of a stream).
  Value labels, starts, ends, at, active_at, fp, dk, st, state;
  {
    simdjson::dom::object o = ValueAccess::element(a).get_object().value_unsafe();
    for (auto kv : o) {
      std::string_view k = kv.key;
      Value v = ValueAccess::wrap(kv.value);
      switch (k.size()) {
        case 2: if (k == "at") at = v; break;
        case 5: if (k == "state") state = v; break;
        case 6: if (k == "labels") labels = v; else if (k == "status") st = v; else if (k == "endsAt") ends = v; break;
        case 8: if (k == "startsAt") starts = v; else if (k == "activeAt") active_at = v; break;
        case 9: if (k == "dedup_key") dk = v; break;
        case 11: if (k == "annotations") ev.annotations = v; else if (k == "fingerprint") fp = v; break;
        default: break;
      }
    }
  }
  if (!(why = read_labels(labels, "labels", ev)).empty()) return why;
  if (ev.labels.empty()) return "the alert has no labels (an alert is identified by its labels)";
  sort_labels(ev.labels);
  for (size_t i = 1; i < ev.labels.size(); ++i)
    if (ev.labels[i].first == ev.labels[i - 1].first) return "labels." + std::string(ev.labels[i].first) + " is given twice";
  for (const auto& l : ev.labels)
    if (l.first.empty()) return "a label name is empty";
  if (!(why = read_time(starts, "startsAt", ev.has_starts, ev.starts_at)).empty()) return why;
  if (!(why = read_time(ends, "endsAt", ev.has_ends, ev.ends_at)).empty()) return why;
  if (!(why = read_time(at, "at", ev.has_at, ev.at)).empty()) return why;
  if (!ev.has_starts) {
    // Prometheus API: activeAt.
    if (!(why = read_time(active_at, "activeAt", ev.has_starts, ev.starts_at)).empty()) return why;
  }
  if (fp.is_string()) ev.source_key = fp.as_string();
  if (dk.exists() && !dk.is_null()) {
    if (!dk.is_string()) return "dedup_key is not a string";
    ev.source_key = dk.as_string();
  }
  if (st.is_string()) {
    std::string_view s = st.as_string();
    if (s == "firing") ev.status = EventStatus::kFiring;
    else if (s == "resolved") ev.status = EventStatus::kResolved;
    else return "status is \"" + std::string(s) + "\"; an alert's status is firing or resolved";
  } else if (st.is_object()) {
    // Alertmanager API v2: status.state active / suppressed / unprocessed; resolution from endsAt.
    std::string_view s = st.get("state").as_string();
    if (s != "active" && s != "suppressed" && s != "unprocessed")
      return "status.state is \"" + std::string(s) + "\"; expected active, suppressed or unprocessed";
  } else if (st.exists() && !st.is_null()) {
    return std::string("status is a ") + type_name(st.type()) + "; an alert's status is firing or resolved";
  } else {
    if (state.is_string()) {  // Prometheus API v1
      std::string_view s = state.as_string();
      if (s == "firing") ev.status = EventStatus::kFiring;
      else if (s == "pending") ev.status = EventStatus::kPending;
      else if (s == "inactive") ev.status = EventStatus::kResolved;
      else return "state is \"" + std::string(s) + "\"; Prometheus alert states are firing, pending or inactive";
    }
  }
  return {};
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
