// Alertmanager's matcher syntax (matcher.h). Ported from Alertmanager 0.25
// pkg/labels/parse.go (ParseMatchers, ParseMatcher) and matcher.go (NewMatcher, String,
// Matchers.Less), step by step so that the two parse every string alike; the table test
// (tests/test_alertmanager.cc) holds Alertmanager's own cases.
#include "alertmanager/matcher.h"

#include <algorithm>

namespace verdict::alertmanager {

namespace {

// Go's \s in a regexp: [\t\n\f\r ].
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// Alertmanager's label name: [a-zA-Z_:][a-zA-Z0-9_:]*
bool name_start(char c) { return is_alpha(c) || c == '_' || c == ':'; }
bool name_char(char c) { return name_start(c) || is_digit(c); }
// verdict's field paths: segments of [a-zA-Z0-9_:-] joined by '.'.
bool path_char(char c) { return name_char(c) || c == '-' || c == '.'; }

// The length of the space Go's unicode.IsSpace sees at s[i] (0: none). strings.TrimSpace
// trims these; Alertmanager's ParseMatchers trims the last part of a list with it.
size_t unicode_space(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  if (c == 0xC2 && (at(1) == 0x85 || at(1) == 0xA0)) return 2;                            // U+0085, U+00A0
  if (c == 0xE1 && at(1) == 0x9A && at(2) == 0x80) return 3;                               // U+1680
  if (c == 0xE2 && at(1) == 0x80 && ((at(2) >= 0x80 && at(2) <= 0x8A) || at(2) == 0xA8 || at(2) == 0xA9 || at(2) == 0xAF))
    return 3;                                                                              // U+2000-200A, 2028, 2029, 202F
  if (c == 0xE2 && at(1) == 0x81 && at(2) == 0x9F) return 3;                               // U+205F
  if (c == 0xE3 && at(1) == 0x80 && at(2) == 0x80) return 3;                               // U+3000
  return 0;
}

std::string_view trim_space(std::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    size_t n = unicode_space(s, b);
    if (!n) break;
    b += n;
  }
  s.remove_prefix(b);
  // From the end, one whole character at a time.
  while (!s.empty()) {
    size_t start = s.size() - 1;
    while (start > 0 && s.size() - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t n = unicode_space(s, start);
    if (n == 0 || start + n != s.size()) break;
    s.remove_suffix(n);
  }
  return s;
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (size_t k = 1; k < n; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3Fu);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n;
  }
  return true;
}

Error bad(std::string message) { return Error(ErrorCode::kInvalidPolicy, std::move(message)); }

}  // namespace

const char* op_text(MatchOp op) {
  switch (op) {
    case MatchOp::kEq: return "=";
    case MatchOp::kNe: return "!=";
    case MatchOp::kRe: return "=~";
    case MatchOp::kNotRe: return "!~";
  }
  return "=";
}

bool valid_name(std::string_view name, const Syntax& syntax) {
  if (name.empty()) return false;
  if (!syntax.field_paths) {
    if (!name_start(name[0])) return false;
    return std::all_of(name.begin() + 1, name.end(), name_char);
  }
  if (name.front() == '.' || name.back() == '.') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!path_char(name[i])) return false;
    if (name[i] == '.' && name[i + 1] == '.') return false;  // an empty segment
  }
  return true;
}

void Matcher::append_string(std::string& out) const {
  out += name;
  out += op_text(op);
  out.push_back('"');
  for (char c : value) {  // openMetricsEscape
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"') out += "\\\"";
    else out.push_back(c);
  }
  out.push_back('"');
}

bool new_matcher(MatchOp op, std::string_view name, std::string_view value, const Syntax& syntax, Matcher& out,
                 Error& error) {
  if (!valid_name(name, syntax)) {
    error = bad("\"" + std::string(name) + "\" is not a valid label name" +
                (syntax.field_paths ? " or field path" : " ([a-zA-Z_:][a-zA-Z0-9_:]*)"));
    return false;
  }
  out.name.assign(name);
  out.value.assign(value);
  out.op = op;
  out.re.reset();
  if (out.is_regex()) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_max_mem(syntax.max_regex_memory);
    auto re = std::make_shared<RE2>("^(?:" + out.value + ")$", opts);
    if (!re->ok()) {
      error = Error(ErrorCode::kInvalidRegex, "invalid regex: " + re->error() + " (RE2 syntax)");
      return false;
    }
    out.re = std::move(re);
  }
  return true;
}

bool parse_matcher(std::string_view s, const Syntax& syntax, Matcher& out, Error& error) {
  // ^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*((?s).*?)\s*$
  const std::string format = "bad matcher format: " + std::string(s);
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  size_t start = i;
  while (i < s.size() && (syntax.field_paths ? path_char(s[i]) : name_char(s[i]))) ++i;
  std::string_view name = s.substr(start, i - start);
  if (name.empty() || !valid_name(name, syntax)) {
    error = bad(format + ": a matcher starts with a label name" +
                (syntax.field_paths ? " or a dotted field path" : " ([a-zA-Z_:][a-zA-Z0-9_:]*)") + ", as in severity=\"critical\"");
    return false;
  }
  while (i < s.size() && is_space(s[i])) ++i;
  MatchOp op = MatchOp::kEq;
  auto next = [&](size_t k) { return i + k < s.size() ? s[i + k] : '\0'; };
  // =~ before =, as Alertmanager's alternation tries them.
  if (next(0) == '=' && next(1) == '~') {
    op = MatchOp::kRe;
    i += 2;
  } else if (next(0) == '=') {
    op = MatchOp::kEq;
    i += 1;
  } else if (next(0) == '!' && next(1) == '=') {
    op = MatchOp::kNe;
    i += 2;
  } else if (next(0) == '!' && next(1) == '~') {
    op = MatchOp::kNotRe;
    i += 2;
  } else {
    error = bad(format + ": expected =, !=, =~ or !~ after the label name");
    return false;
  }
  size_t end = s.size();
  while (i < end && is_space(s[i])) ++i;
  while (end > i && is_space(s[end - 1])) --end;
  const std::string_view quoted = s.substr(i, end - i);  // ms[3]
  std::string_view raw = quoted;
  bool expect_quote = false;
  if (!raw.empty() && raw.front() == '"') {
    raw.remove_prefix(1);
    expect_quote = true;
  }
  if (!valid_utf8(raw)) {
    error = bad("matcher value not valid UTF-8: " + std::string(quoted));
    return false;
  }
  const std::string unescaped_quote = "matcher value contains unescaped double quote: " + std::string(quoted);
  std::string value;
  bool escaped = false;
  for (size_t k = 0; k < raw.size(); ++k) {
    char c = raw[k];
    if (escaped) {
      escaped = false;
      if (c == 'n') value.push_back('\n');
      else if (c == '"' || c == '\\') value.push_back(c);
      else {  // a spurious escape: the backslash is literal
        value.push_back('\\');
        value.push_back(c);
      }
      continue;
    }
    if (c == '\\') {
      if (k + 1 < raw.size()) {
        escaped = true;
        continue;
      }
      value.push_back('\\');  // the last byte: literal
    } else if (c == '"') {
      if (!expect_quote) {
        error = bad(unescaped_quote + " (write \\\" for a quote inside a value)");
        return false;
      }
      if (k + 1 < raw.size()) {
        error = bad(unescaped_quote + " (unexpected text after the value's closing quote)");
        return false;
      }
      expect_quote = false;
    } else {
      value.push_back(c);
    }
  }
  if (expect_quote) {
    error = bad(unescaped_quote + " (unterminated quoted value)");
    return false;
  }
  if (!new_matcher(op, name, value, syntax, out, error)) return false;
  out.text.assign(s);
  return true;
}

bool parse_matchers(std::string_view s, const Syntax& syntax, std::vector<Matcher>& out, Error& error) {
  const std::string_view written = s;
  if (!s.empty() && s.front() == '{') s.remove_prefix(1);
  if (!s.empty() && s.back() == '}') s.remove_suffix(1);
  std::vector<std::string_view> tokens;
  bool inside = false, escaped = false;
  size_t begin = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    switch (s[i]) {
      case ',':
        if (!inside) {
          tokens.push_back(s.substr(begin, i - begin));
          begin = i + 1;
        }
        break;  // (a comma leaves `escaped` as it is, as in Alertmanager)
      case '"':
        if (!escaped) inside = !inside;
        else escaped = false;
        break;
      case '\\': escaped = !escaped; break;
      default: escaped = false; break;
    }
  }
  std::string_view last = trim_space(s.substr(begin));
  if (!last.empty()) tokens.push_back(last);
  const size_t first = out.size();
  for (std::string_view token : tokens) {
    Matcher m;
    if (!parse_matcher(token, syntax, m, error)) {
      out.resize(first);
      return false;
    }
    if (tokens.size() == 1) m.text.assign(written);  // one matcher: shown as written
    else m.text.assign(trim_space(token));
    out.push_back(std::move(m));
  }
  return true;
}

void sort_matchers(std::vector<Matcher>& ms) {
  std::stable_sort(ms.begin(), ms.end(), [](const Matcher& a, const Matcher& b) {
    if (a.name != b.name) return a.name < b.name;
    if (a.value != b.value) return a.value < b.value;
    return a.op < b.op;
  });
}

void append_matchers(std::string& out, const std::vector<Matcher>& ms) {
  out.push_back('{');
  for (size_t i = 0; i < ms.size(); ++i) {
    if (i) out.push_back(',');
    ms[i].append_string(out);
  }
  out.push_back('}');
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

void append_label_set(std::string& out, const std::pair<std::string_view, std::string_view>* sorted, size_t n) {
  out.push_back('{');
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ", ";
    out.append(sorted[i].first);
    out.push_back('=');
    append_go_quoted(out, sorted[i].second);
  }
  out.push_back('}');
}

}  // namespace verdict::alertmanager
