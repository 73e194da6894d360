#include "policy/json_format.h"

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/json_source.h"

namespace verdict::policy {
namespace {

// ---- tokens, comments included ------------------------------------------------------------

enum class Tok { kPunct, kString, kScalar, kComment, kEnd };

struct Token {
  Tok type = Tok::kEnd;
  std::string_view text;
  int newlines_before = 0;  // line breaks in the whitespace before the token
};

std::vector<Token> lex(std::string_view t) {
  std::vector<Token> out;
  size_t i = 0, n = t.size();
  if (n >= 3 && t.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
  int newlines = 0;
  while (i < n) {
    char c = t[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (c == '\n') ++newlines;
      ++i;
      continue;
    }
    size_t j = i;
    Tok type;
    if (c == '/' && i + 1 < n && t[i + 1] == '/') {
      while (j < n && t[j] != '\n') ++j;
      type = Tok::kComment;
    } else if (c == '/' && i + 1 < n && t[i + 1] == '*') {
      size_t close = t.find("*/", i + 2);
      j = close == std::string_view::npos ? n : close + 2;
      type = Tok::kComment;
    } else if (c == '"') {
      j = i + 1;
      while (j < n && t[j] != '"') j += t[j] == '\\' ? 2 : 1;
      j = std::min(j + 1, n);
      type = Tok::kString;
    } else if (c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':') {
      j = i + 1;
      type = Tok::kPunct;
    } else {
      while (j < n && std::string_view(",:{}[]\" \t\r\n/").find(t[j]) == std::string_view::npos) ++j;
      if (j == i) j = i + 1;
      type = Tok::kScalar;
    }
    std::string_view text = t.substr(i, j - i);
    if (type == Tok::kComment && text.substr(0, 2) == "//") {
      while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
    }
    out.push_back({type, text, newlines});
    newlines = 0;
    i = j;
  }
  out.push_back({Tok::kEnd, {}, newlines});
  return out;
}

// ---- the tree: values with the comments around them ----------------------------------------

struct Comment {
  std::string text;
  bool blank_before = false;  // a blank line before it in the file
};

struct Node;

struct Member {
  std::string key;  // the key as written, quotes included (objects only)
  std::unique_ptr<Node> value;
  std::vector<Comment> leading;   // own-line comments before the member
  std::vector<Comment> trailing;  // comments after the value on its line
  bool blank_before = false;
};

struct Node {
  enum Type { kScalar, kObject, kArray } type = kScalar;
  std::string scalar;            // a string, number, true, false or null as written
  std::vector<Member> members;   // object members or array elements
  std::vector<Comment> closing;  // own-line comments before the closing bracket
  bool multiline_in_file = false;
  mutable int one_line = -1;  // memo of one_line(): -1 not known yet
};

// Deeper than this is not a policy file anyone writes by hand; the recursive reader and
// printer stop here (a clear error) instead of going on for a hundred thousand levels.
constexpr int kMaxDepth = 128;

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view text) : toks_(std::move(tokens)), text_(text) {}

  bool failed() const { return failed_; }
  // When the text nests deeper than kMaxDepth: the offset of the bracket that is too deep.
  int64_t too_deep_at() const { return too_deep_at_; }

  // The document: comments before the root value, the value, comments after it.
  std::unique_ptr<Node> document(std::vector<Comment>& before, bool& blank_after_before, std::vector<Comment>& after) {
    take_comments(before);
    blank_after_before = !before.empty() && peek().newlines_before >= 2;
    auto root = value(before);
    take_comments(after);
    if (peek().type != Tok::kEnd) failed_ = true;
    return root;
  }

 private:
  const Token& peek() const { return toks_[std::min(pos_, toks_.size() - 1)]; }
  const Token& next() { return toks_[std::min(pos_++, toks_.size() - 1)]; }
  bool is(std::string_view punct) const { return peek().type == Tok::kPunct && peek().text == punct; }

  void take_comments(std::vector<Comment>& into) {
    while (peek().type == Tok::kComment) {
      const Token& t = next();
      into.push_back({std::string(t.text), t.newlines_before >= 2});
    }
  }

  // A value; comments met before a scalar go to `stray` (the member's leading comments).
  std::unique_ptr<Node> value(std::vector<Comment>& stray) {
    take_comments(stray);
    auto node = std::make_unique<Node>();
    const Token& t = next();
    if (t.type == Tok::kString || t.type == Tok::kScalar) {
      node->scalar = std::string(t.text);
      return node;
    }
    if (t.type != Tok::kPunct || (t.text != "{" && t.text != "[")) {
      failed_ = true;
      return node;
    }
    if (depth_ >= kMaxDepth) {
      too_deep_at_ = t.text.data() - text_.data();
      failed_ = true;
      return node;
    }
    ++depth_;
    value_body(*node, t.text == "{");
    --depth_;
    return node;
  }

  void value_body(Node& into, bool object) {
    Node* node = &into;
    const std::string_view close = object ? "}" : "]";
    node->type = object ? Node::kObject : Node::kArray;
    const size_t open = pos_;  // the first token after the bracket
    std::vector<Comment> pending;
    while (!failed_) {
      take_comments(pending);
      if (is(close)) {
        // Written over several lines in the file: a line break anywhere inside the brackets.
        for (size_t i = open; i <= pos_ && !node->multiline_in_file; ++i) node->multiline_in_file = toks_[i].newlines_before > 0;
        next();
        node->closing = std::move(pending);
        return;
      }
      if (peek().type == Tok::kEnd) {
        failed_ = true;
        break;
      }
      Member m;
      const Token& start = pending.empty() ? peek() : toks_[pos_ - pending.size()];
      m.blank_before = start.newlines_before >= 2;
      m.leading = std::move(pending);
      pending.clear();
      for (Comment& c : m.leading) c.blank_before = c.blank_before && &c != &m.leading.front();
      if (object) {
        const Token& k = next();
        if (k.type != Tok::kString) {
          failed_ = true;
          break;
        }
        m.key = std::string(k.text);
        take_comments(m.leading);
        if (!is(":")) {
          failed_ = true;
          break;
        }
        next();
      }
      m.value = value(m.leading);
      // After the value: its comma, and comments on the same line.
      bool comma = false;
      while (true) {
        if (peek().type == Tok::kComment && peek().newlines_before == 0) {
          m.trailing.push_back({std::string(next().text), false});
        } else if (!comma && is(",")) {
          next();
          comma = true;
        } else {
          break;
        }
      }
      node->members.push_back(std::move(m));
      if (!comma) {
        take_comments(pending);
        if (!is(close)) failed_ = true;
      }
    }
  }

  std::vector<Token> toks_;
  std::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;
  int64_t too_deep_at_ = -1;
  bool failed_ = false;
};

// ---- canonical order and printing ---------------------------------------------------------

void order_envelope(Node& n) {
  static const std::array<std::string_view, 4> kEnvelope = {"\"apiVersion\"", "\"kind\"", "\"metadata\"", "\"spec\""};
  if (n.type != Node::kObject) return;
  auto rank = [](const Member& m) {
    auto it = std::find(kEnvelope.begin(), kEnvelope.end(), m.key);
    return static_cast<size_t>(it - kEnvelope.begin());  // 4 for every other key: stable after them
  };
  std::stable_sort(n.members.begin(), n.members.end(), [&](const Member& a, const Member& b) { return rank(a) < rank(b); });
}

bool one_line_uncached(const Node& n);

bool one_line(const Node& n) {
  if (n.one_line < 0) n.one_line = one_line_uncached(n) ? 1 : 0;
  return n.one_line == 1;
}

bool one_line_uncached(const Node& n) {
  if (n.type == Node::kScalar) return true;
  if (n.members.empty()) return n.closing.empty();
  if (n.multiline_in_file || !n.closing.empty()) return false;
  for (const Member& m : n.members)
    if (!m.leading.empty() || !m.trailing.empty() || !one_line(*m.value)) return false;
  return true;
}

void print(const Node& n, int indent, std::string& out);

void print_inline(const Node& n, std::string& out) {
  if (n.type == Node::kScalar) {
    out += n.scalar;
    return;
  }
  out += n.type == Node::kObject ? '{' : '[';
  for (size_t i = 0; i < n.members.size(); ++i) {
    if (i) out += ", ";
    if (n.type == Node::kObject) out += n.members[i].key + ": ";
    print_inline(*n.members[i].value, out);
  }
  out += n.type == Node::kObject ? '}' : ']';
}

void print_comments(const std::vector<Comment>& cs, int indent, bool first_in_block, std::string& out) {
  for (size_t i = 0; i < cs.size(); ++i) {
    if (cs[i].blank_before && !(first_in_block && i == 0)) out += '\n';
    out.append(static_cast<size_t>(indent), ' ');
    out += cs[i].text;
    out += '\n';
  }
}

void print(const Node& n, int indent, std::string& out) {
  if (one_line(n)) {
    print_inline(n, out);
    return;
  }
  const int inner = indent + 2;
  out += n.type == Node::kObject ? "{\n" : "[\n";
  for (size_t i = 0; i < n.members.size(); ++i) {
    const Member& m = n.members[i];
    if (m.blank_before && i > 0) out += '\n';
    print_comments(m.leading, inner, i == 0 || !m.blank_before, out);
    out.append(static_cast<size_t>(inner), ' ');
    if (n.type == Node::kObject) out += m.key + ": ";
    print(*m.value, inner, out);
    if (i + 1 < n.members.size()) out += ',';
    for (const Comment& c : m.trailing) out += " " + c.text;
    out += '\n';
  }
  print_comments(n.closing, inner, n.members.empty(), out);
  out.append(static_cast<size_t>(indent), ' ');
  out += n.type == Node::kObject ? '}' : ']';
}

size_t count_comments(const std::vector<Token>& toks) {
  return static_cast<size_t>(std::count_if(toks.begin(), toks.end(), [](const Token& t) { return t.type == Tok::kComment; }));
}

bool verdict_object(const nlohmann::ordered_json& v) {
  if (!v.is_object()) return false;
  auto it = v.find("apiVersion");
  return it != v.end() && it->is_string() && it->get<std::string>().rfind("verdict/", 0) == 0;
}

}  // namespace

Result<std::string> format_policy_text(std::string_view text, const std::string& source) {
  // Depth first, from the tokens: JsonSource's positions cost time and memory in the depth
  // (a pointer per level), so a file nested a hundred thousand levels deep stops here.
  std::vector<Token> toks = lex(text);
  int depth = 0;
  for (const Token& t : toks) {
    if (t.type != Tok::kPunct) continue;
    if (t.text == "{" || t.text == "[") {
      if (++depth > kMaxDepth) {
        Error e(ErrorCode::kTooDeep, "arrays and objects nested deeper than " + std::to_string(kMaxDepth) + " levels: not formatted");
        e.source = source;
        e.offset = t.text.data() - text.data();
        set_line_column(e, text.data(), text.size());
        return e;
      }
    } else if (t.text == "}" || t.text == "]") {
      --depth;
    }
  }
  Result<JsonSource> parsed = JsonSource::parse(text, source);
  if (!parsed.ok()) return parsed.error();
  const size_t comments = count_comments(toks);
  Parser parser(std::move(toks), text);
  std::vector<Comment> before, after;
  bool blank_after_before = false;
  std::unique_ptr<Node> root = parser.document(before, blank_after_before, after);
  auto internal = [&](const std::string& why) {
    Error e(ErrorCode::kInternal, "cannot format " + (source.empty() ? std::string("the text") : source) + ": " + why);
    e.source = source;
    return e;
  };
  if (parser.too_deep_at() >= 0) {
    Error e(ErrorCode::kTooDeep, "arrays and objects nested deeper than " + std::to_string(kMaxDepth) + " levels: not formatted");
    e.source = source;
    e.offset = parser.too_deep_at();
    set_line_column(e, text.data(), text.size());
    return e;
  }
  if (parser.failed() || !root) return internal("the formatter's reader and the JSON parser disagree");

  order_envelope(*root);
  if (root->type == Node::kArray)
    for (Member& m : root->members) order_envelope(*m.value);

  std::string out;
  print_comments(before, 0, true, out);
  if (blank_after_before) out += '\n';
  print(*root, 0, out);
  out += '\n';
  for (const Comment& c : after) {
    if (c.blank_before) out += '\n';
    out += c.text + '\n';
  }

  // The output must mean what the input meant: same value (key order aside), same comments.
  Result<JsonSource> again = JsonSource::parse(out, source);
  if (!again.ok()) return internal("the formatted text does not parse: " + again.error().to_string());
  if (nlohmann::json::parse(again.value().root().dump()) != nlohmann::json::parse(parsed.value().root().dump()))
    return internal("the formatted text holds another value");
  if (count_comments(lex(out)) != comments) return internal("a comment would be lost");
  return out;
}

bool is_verdict_document(std::string_view text) {
  nlohmann::ordered_json v = nlohmann::ordered_json::parse(text, nullptr, false, true);
  if (v.is_discarded()) return false;
  if (v.is_array()) return !v.empty() && std::all_of(v.begin(), v.end(), verdict_object);
  return verdict_object(v);
}

}  // namespace verdict::policy
