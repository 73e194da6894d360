// Alertmanager's label matchers: the one parser of matcher strings in verdict, used by
// TriageRouting, AlertDedup (routes, inhibition rules, silences) and `verdict import
// alertmanager`.
//
// The syntax is Alertmanager 0.25's (pkg/labels/parse.go, as Debian 12's
// prometheus-alertmanager parses it; docs/alerts.md "Matchers"):
//
//   matcher := name op value          name  [a-zA-Z_:][a-zA-Z0-9_:]*
//   op      := "=" | "!=" | "=~" | "!~"
//   value   := "..." (OpenMetrics escapes \" \\ \n) | unquoted text (the same escapes)
//   list    := ["{"] matcher ("," matcher)* [","] ["}"]     (commas inside quotes do not split)
//
// Whitespace around each token is dropped; `\` before any other character is a literal
// backslash; `'` is not a quote. Regexes (=~, !~) are RE2, anchored at both ends
// (^(?:value)$), compiled once here. One extension, verdict's, is off unless a kind asks for
// it (TriageRouting does): a name may be a dotted field path (`labels.team`,
// `annotations.summary`, `customer-facing`): segments of [a-zA-Z0-9_:-] joined by ".".
//
//   alertmanager::Matcher m;
//   Error e;
//   if (alertmanager::parse_matcher(R"(severity=~"crit.*")", {}, m, e)) m.matches("critical");  // true
//
// A Matcher is immutable once parsed and may be shared by threads.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "verdict/result.h"

namespace verdict::alertmanager {

// The order is Alertmanager's MatchType (route keys sort by it).
enum class MatchOp : uint8_t { kEq = 0, kNe = 1, kRe = 2, kNotRe = 3 };
const char* op_text(MatchOp op);  // "=", "!=", "=~", "!~"

struct Syntax {
  // verdict's extension: names may be dotted field paths of the canonical record.
  bool field_paths = false;
  // RE2 program memory of one pattern (ExprLimits::max_regex_memory).
  int64_t max_regex_memory = 1 << 20;
};

struct Matcher {
  std::string text;   // as written: the whole string when it held one matcher, else its part
  std::string name;
  std::string value;  // unescaped
  MatchOp op = MatchOp::kEq;
  std::shared_ptr<const RE2> re;  // ^(?:value)$, for =~ and !~
  int32_t name_id = -1;           // free for the kind (TriageRouting: the name's value slot)

  bool is_regex() const { return op == MatchOp::kRe || op == MatchOp::kNotRe; }
  bool matches(std::string_view v) const {
    switch (op) {
      case MatchOp::kEq: return v == value;
      case MatchOp::kNe: return v != value;
      case MatchOp::kRe: return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re);
      case MatchOp::kNotRe: return !RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re);
    }
    return false;
  }
  // Alertmanager's Matcher.String(): name op "value", the value OpenMetrics-escaped.
  void append_string(std::string& out) const;
  std::string to_string() const {
    std::string s;
    append_string(s);
    return s;
  }
};

// Alertmanager's NewMatcher: a matcher from its parts (the regex compiled and checked). The
// name is checked against `syntax` too. Errors: kInvalidPolicy (name), kInvalidRegex.
bool new_matcher(MatchOp op, std::string_view name, std::string_view value, const Syntax& syntax, Matcher& out,
                 Error& error);

// Alertmanager's ParseMatcher: exactly one matcher. On failure `error` has the code
// (kInvalidPolicy, or kInvalidRegex for a bad regex) and a message that starts with
// Alertmanager's own ("bad matcher format: ...", "matcher value contains unescaped double
// quote: ...") and says what is wrong.
bool parse_matcher(std::string_view text, const Syntax& syntax, Matcher& out, Error& error);

// Alertmanager's ParseMatchers: a list (`{a="1", b=~"2"}`, `a=1,b=2`, or one matcher); the
// matchers are appended to `out` in the order written. "" and "{}" are empty lists.
bool parse_matchers(std::string_view text, const Syntax& syntax, std::vector<Matcher>& out, Error& error);

// Whether `name` is a name under `syntax`.
bool valid_name(std::string_view name, const Syntax& syntax);

// Alertmanager's labels.Matchers order: by name, then value, then type (stable).
void sort_matchers(std::vector<Matcher>& ms);
// Alertmanager's Matchers.String(): {a="1",b=~"2"}.
void append_matchers(std::string& out, const std::vector<Matcher>& ms);

// Go's %q of a string (model.LabelSet.String uses it): \" \\ \n \t \r \a \b \f \v, other
// control bytes as \x.., printable UTF-8 kept.
void append_go_quoted(std::string& out, std::string_view s);
// model.LabelSet.String() of sorted (name, value) pairs: {a="1", b="2"} (", " between).
void append_label_set(std::string& out, const std::pair<std::string_view, std::string_view>* sorted, size_t n);
inline void append_label_set(std::string& out, const std::vector<std::pair<std::string_view, std::string_view>>& sorted) {
  append_label_set(out, sorted.data(), sorted.size());
}

}  // namespace verdict::alertmanager
