// Lexer and recursive-descent parser of the expression language (docs/language.md).
// Precedence, lowest first: ?: , ||, &&, == != < <= > >= in, + -, * / %, ! - (unary),
// postfix (. [] calls). Every error carries the byte offset in the expression.
#include "lang/parser.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "document/utf8.h"
#include "time/time.h"

namespace verdict::lang {
namespace {

enum class Tok : uint8_t {
  kEnd, kIdent, kInt, kDouble, kString, kDuration,
  kLParen, kRParen, kLBracket, kRBracket, kLBrace, kRBrace, kDot, kComma, kColon, kQuestion,
  kPlus, kMinus, kStar, kSlash, kPercent, kBang,
  kEq, kNe, kLt, kLe, kGt, kGe, kAnd, kOr,
};

struct Token {
  Tok tok = Tok::kEnd;
  uint32_t pos = 0, end = 0;
  std::string text;  // identifier name or decoded string
  int64_t i = 0;
  double d = 0;
  bool min_magnitude = false;  // 9223372036854775808: only valid after a unary minus
};

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }


class Parser {
 public:
  Parser(std::string_view text, const ParseLimits& limits) : src_(text), limits_(limits) {}

  Result<Ast> run() {
    ast_.text = std::string(src_);
    if (src_.size() > limits_.max_expression_bytes) {
      return error_at(ErrorCode::kLimitExceeded,
                      "expression of " + std::to_string(src_.size()) + " bytes exceeds the limit of " +
                          std::to_string(limits_.max_expression_bytes) + " bytes",
                      0);
    }
    if (!next()) return err_;
    int32_t root = expr(0);
    if (failed_) return err_;
    if (cur_.tok != Tok::kEnd) return error_at(ErrorCode::kSyntaxError, "unexpected " + describe(cur_) + " after the expression", cur_.pos);
    for (const Node& n : ast_.nodes)
      if (n.kind == NodeKind::kInt && n.b)
        return error_at(ErrorCode::kSyntaxError, "integer 9223372036854775808 is out of range (64 bits)", n.pos);
    ast_.root = root;
    return std::move(ast_);
  }

 private:
  // ---- lexer ----
  bool next() {
    size_t i = pos_;
    while (i < src_.size() && (src_[i] == ' ' || src_[i] == '\t' || src_[i] == '\n' || src_[i] == '\r')) ++i;
    cur_ = Token();
    cur_.pos = static_cast<uint32_t>(i);
    if (i >= src_.size()) {
      cur_.tok = Tok::kEnd;
      cur_.end = cur_.pos;
      pos_ = i;
      return true;
    }
    char c = src_[i];
    auto one = [&](Tok t, size_t n = 1) {
      cur_.tok = t;
      pos_ = i + n;
      cur_.end = static_cast<uint32_t>(pos_);
      return true;
    };
    auto peek = [&](size_t k) { return i + k < src_.size() ? src_[i + k] : '\0'; };
    // Raw strings r"..." / r'...' (no escapes), handy for regexes.
    if ((c == 'r' || c == 'R') && (peek(1) == '"' || peek(1) == '\'')) return lex_string(i + 1, true, i);
    if (is_ident_start(c)) {
      size_t j = i;
      while (j < src_.size() && is_ident_char(src_[j])) ++j;
      cur_.text = std::string(src_.substr(i, j - i));
      cur_.tok = Tok::kIdent;
      pos_ = j;
      cur_.end = static_cast<uint32_t>(j);
      return true;
    }
    if (is_digit(c)) return lex_number(i);
    switch (c) {
      case '"': case '\'': return lex_string(i, false, i);
      case '(': return one(Tok::kLParen);
      case ')': return one(Tok::kRParen);
      case '[': return one(Tok::kLBracket);
      case ']': return one(Tok::kRBracket);
      case '{': return one(Tok::kLBrace);
      case '}': return one(Tok::kRBrace);
      case '.': return one(Tok::kDot);
      case ',': return one(Tok::kComma);
      case ':': return one(Tok::kColon);
      case '?': return one(Tok::kQuestion);
      case '+': return one(Tok::kPlus);
      case '-': return one(Tok::kMinus);
      case '*': return one(Tok::kStar);
      case '/': return one(Tok::kSlash);
      case '%': return one(Tok::kPercent);
      case '!': return peek(1) == '=' ? one(Tok::kNe, 2) : one(Tok::kBang);
      case '=':
        if (peek(1) == '=') return one(Tok::kEq, 2);
        return lex_error("'=' is not an operator: write '==' to compare", i);
      case '<': return peek(1) == '=' ? one(Tok::kLe, 2) : one(Tok::kLt);
      case '>': return peek(1) == '=' ? one(Tok::kGe, 2) : one(Tok::kGt);
      case '&':
        if (peek(1) == '&') return one(Tok::kAnd, 2);
        return lex_error("'&' is not an operator: write '&&'", i);
      case '|':
        if (peek(1) == '|') return one(Tok::kOr, 2);
        return lex_error("'|' is not an operator: write '||'", i);
      default: {
        std::string shown = static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f
                                ? "byte " + std::to_string(static_cast<unsigned char>(c))
                                : std::string("'") + c + "'";
        return lex_error("unexpected character " + shown, i);
      }
    }
  }

  // After `name(`: a macro takes `variable,` first (exists(x, ...)); cmdb.exists("id") is a call.
  bool next_is_macro_variable() {
    if (cur_.tok != Tok::kIdent) return false;
    size_t saved_pos = pos_;
    Token saved = cur_;
    bool saved_failed = failed_;
    bool macro = next() && cur_.tok == Tok::kComma;
    pos_ = saved_pos;
    cur_ = saved;
    failed_ = saved_failed;
    return macro;
  }

  bool lex_number(size_t i) {
    size_t j = i;
    while (j < src_.size() && is_digit(src_[j])) ++j;
    bool is_double = false;
    if (j + 1 < src_.size() && src_[j] == '.' && is_digit(src_[j + 1])) {
      is_double = true;
      ++j;
      while (j < src_.size() && is_digit(src_[j])) ++j;
    }
    if (j < src_.size() && (src_[j] == 'e' || src_[j] == 'E')) {
      size_t k = j + 1;
      if (k < src_.size() && (src_[k] == '+' || src_[k] == '-')) ++k;
      if (k < src_.size() && is_digit(src_[k])) {
        is_double = true;
        j = k;
        while (j < src_.size() && is_digit(src_[j])) ++j;
      }
    }
    // A number directly followed by letters is a duration: 90s, 15m, 1h30m, 500ms.
    if (!is_double && j < src_.size() && is_ident_start(src_[j])) {
      size_t k = j;
      while (k < src_.size() && (is_ident_char(src_[k]))) ++k;
      std::string why;
      auto dur = datetime::parse_duration(src_.substr(i, k - i), &why);
      if (!dur) return lex_error("invalid duration '" + std::string(src_.substr(i, k - i)) + "': " + why, i);
      cur_.tok = Tok::kDuration;
      cur_.i = *dur;
      pos_ = k;
      cur_.end = static_cast<uint32_t>(k);
      return true;
    }
    std::string text(src_.substr(i, j - i));
    if (is_double) {
      cur_.tok = Tok::kDouble;
      cur_.d = std::strtod(text.c_str(), nullptr);
      if (!std::isfinite(cur_.d)) return lex_error("number " + text + " is out of range", i);
    } else {
      cur_.tok = Tok::kInt;
      int64_t v = 0;
      if (text == "9223372036854775808") {
        cur_.min_magnitude = true;  // the magnitude of the smallest int64; the minus comes later
        v = INT64_MIN;
      } else {
        for (char ch : text) {
          if (v > (INT64_MAX - (ch - '0')) / 10) return lex_error("integer " + text + " is out of range (64 bits)", i);
          v = v * 10 + (ch - '0');
        }
      }
      cur_.i = v;
    }
    pos_ = j;
    cur_.end = static_cast<uint32_t>(j);
    return true;
  }

  bool lex_string(size_t quote_at, bool raw, size_t start) {
    char q = src_[quote_at];
    size_t j = quote_at + 1;
    std::string out;
    while (true) {
      if (j >= src_.size()) return lex_error("unterminated string", start);
      char c = src_[j];
      if (c == q) break;
      if (c == '\n') return lex_error("unterminated string (a string cannot span lines)", start);
      if (c == '\\' && !raw) {
        if (j + 1 >= src_.size()) return lex_error("unterminated string", start);
        char e = src_[j + 1];
        j += 2;
        switch (e) {
          case 'n': out.push_back('\n'); break;
          case 't': out.push_back('\t'); break;
          case 'r': out.push_back('\r'); break;
          case '\\': out.push_back('\\'); break;
          case '\'': out.push_back('\''); break;
          case '"': out.push_back('"'); break;
          case '0': out.push_back('\0'); break;
          case 'u': {
            uint32_t cp = 0;
            for (int k = 0; k < 4; ++k) {
              if (j >= src_.size()) return lex_error("invalid \\u escape", j - 2);
              char h = src_[j++];
              cp <<= 4;
              if (h >= '0' && h <= '9') cp |= static_cast<uint32_t>(h - '0');
              else if (h >= 'a' && h <= 'f') cp |= static_cast<uint32_t>(h - 'a' + 10);
              else if (h >= 'A' && h <= 'F') cp |= static_cast<uint32_t>(h - 'A' + 10);
              else return lex_error("invalid \\u escape", j - 1);
            }
            utf8::append(out, cp);
            break;
          }
          default:
            return lex_error(std::string("unknown escape '\\") + e +
                                 "' (in a regex, write it as \\\\" + e + " or use a raw string r'...')",
                             j - 2);
        }
        continue;
      }
      out.push_back(c);
      ++j;
    }
    cur_.tok = Tok::kString;
    cur_.text = std::move(out);
    cur_.pos = static_cast<uint32_t>(start);
    pos_ = j + 1;
    cur_.end = static_cast<uint32_t>(pos_);
    return true;
  }

  bool lex_error(const std::string& msg, size_t at) {
    error_at(ErrorCode::kSyntaxError, msg, at);
    return false;
  }

  // ---- parser ----
  Error error_at(ErrorCode code, const std::string& msg, size_t at) {
    if (!failed_) {
      err_ = Error(code, msg);
      err_.offset = static_cast<int64_t>(at);
      failed_ = true;
    }
    return err_;
  }

  static std::string describe(const Token& t) {
    switch (t.tok) {
      case Tok::kEnd: return "end of expression";
      case Tok::kIdent: return "'" + t.text + "'";
      case Tok::kInt: return "number";
      case Tok::kDouble: return "number";
      case Tok::kString: return "string";
      case Tok::kDuration: return "duration";
      case Tok::kLParen: return "'('";
      case Tok::kRParen: return "')'";
      case Tok::kLBracket: return "'['";
      case Tok::kRBracket: return "']'";
      case Tok::kLBrace: return "'{'";
      case Tok::kRBrace: return "'}'";
      case Tok::kDot: return "'.'";
      case Tok::kComma: return "','";
      case Tok::kColon: return "':'";
      case Tok::kQuestion: return "'?'";
      case Tok::kPlus: return "'+'";
      case Tok::kMinus: return "'-'";
      case Tok::kStar: return "'*'";
      case Tok::kSlash: return "'/'";
      case Tok::kPercent: return "'%'";
      case Tok::kBang: return "'!'";
      case Tok::kEq: return "'=='";
      case Tok::kNe: return "'!='";
      case Tok::kLt: return "'<'";
      case Tok::kLe: return "'<='";
      case Tok::kGt: return "'>'";
      case Tok::kGe: return "'>='";
      case Tok::kAnd: return "'&&'";
      case Tok::kOr: return "'||'";
    }
    return "token";
  }

  int32_t add(Node n) {
    if (ast_.nodes.size() >= limits_.max_nodes) {
      error_at(ErrorCode::kLimitExceeded, "expression has more than " + std::to_string(limits_.max_nodes) + " nodes", n.pos);
      return -1;
    }
    // The height of the tree bounds the evaluator's recursion (and so its stack, 1 MB in
    // Wasm): a long flat chain (a || b || ...) is as high as it has operators.
    size_t h = 1;
    for (int32_t k : n.kids)
      if (k >= 0 && static_cast<size_t>(k) < heights_.size()) h = std::max<size_t>(h, heights_[static_cast<size_t>(k)] + size_t{1});
    if (h > limits_.max_height) {
      error_at(ErrorCode::kLimitExceeded,
               "expression is too deep: its syntax tree is more than " + std::to_string(limits_.max_height) +
                   " levels high (split a long chain of operators, e.g. with a list and in)",
               n.pos);
      return -1;
    }
    heights_.push_back(static_cast<uint32_t>(h));
    ast_.nodes.push_back(std::move(n));
    return static_cast<int32_t>(ast_.nodes.size() - 1);
  }

  bool advance() {
    if (failed_) return false;
    return next();
  }

  bool expect(Tok t, const char* what) {
    if (failed_) return false;
    if (cur_.tok != t) {
      error_at(ErrorCode::kSyntaxError, std::string("expected ") + what + ", found " + describe(cur_), cur_.pos);
      return false;
    }
    return advance();
  }

  struct DepthGuard {
    Parser& p;
    bool ok;
    DepthGuard(Parser& parser, uint32_t pos) : p(parser), ok(++parser.depth_ <= parser.limits_.max_depth) {
      if (!ok) p.error_at(ErrorCode::kLimitExceeded, "expression nests deeper than " + std::to_string(p.limits_.max_depth) + " levels", pos);
    }
    ~DepthGuard() { --p.depth_; }
  };

  int32_t expr(int) {
    DepthGuard g(*this, cur_.pos);
    if (!g.ok) return -1;
    uint32_t start = cur_.pos;
    int32_t c = binary(0);
    if (failed_) return -1;
    if (cur_.tok == Tok::kQuestion) {
      if (!advance()) return -1;
      int32_t a = expr(0);
      if (failed_ || !expect(Tok::kColon, "':' of the conditional")) return -1;
      int32_t b = expr(0);
      if (failed_) return -1;
      Node n;
      n.kind = NodeKind::kCond;
      n.kids = {c, a, b};
      n.pos = start;
      n.end = ast_.nodes[static_cast<size_t>(b)].end;
      return add(std::move(n));
    }
    return c;
  }

  static int precedence(Tok t, Op& op) {
    switch (t) {
      case Tok::kOr: op = Op::kOr; return 1;
      case Tok::kAnd: op = Op::kAnd; return 2;
      case Tok::kEq: op = Op::kEq; return 3;
      case Tok::kNe: op = Op::kNe; return 3;
      case Tok::kLt: op = Op::kLt; return 3;
      case Tok::kLe: op = Op::kLe; return 3;
      case Tok::kGt: op = Op::kGt; return 3;
      case Tok::kGe: op = Op::kGe; return 3;
      case Tok::kPlus: op = Op::kAdd; return 4;
      case Tok::kMinus: op = Op::kSub; return 4;
      case Tok::kStar: op = Op::kMul; return 5;
      case Tok::kSlash: op = Op::kDiv; return 5;
      case Tok::kPercent: op = Op::kMod; return 5;
      default: op = Op::kNone; return 0;
    }
  }

  // Precedence climbing; `in` is a relation (level 3).
  int32_t binary(int min_prec) {
    int32_t lhs = unary();
    while (!failed_) {
      Op op;
      int prec = precedence(cur_.tok, op);
      if (cur_.tok == Tok::kIdent && cur_.text == "in") {
        op = Op::kIn;
        prec = 3;
      }
      if (prec == 0 || prec <= min_prec) break;
      uint32_t op_pos = cur_.pos;
      if (!advance()) return -1;
      int32_t rhs = binary(prec);
      if (failed_) return -1;
      Node n;
      n.kind = NodeKind::kBinary;
      n.op = op;
      n.kids = {lhs, rhs};
      n.pos = ast_.nodes[static_cast<size_t>(lhs)].pos;
      n.end = ast_.nodes[static_cast<size_t>(rhs)].end;
      n.i = op_pos;  // where the operator is, for error messages
      lhs = add(std::move(n));
    }
    return lhs;
  }

  int32_t unary() {
    if (cur_.tok == Tok::kBang || cur_.tok == Tok::kMinus) {
      // Each prefix operator is a level (a chain of them recurses); plain operands are not.
      DepthGuard g(*this, cur_.pos);
      if (!g.ok) return -1;
      Token t = cur_;
      if (!advance()) return -1;
      int32_t operand = unary();
      if (failed_) return -1;
      const Node& o = ast_.nodes[static_cast<size_t>(operand)];
      // Fold a minus into a numeric literal so that -5m and -1.5 are literals (the smallest
      // int64 is written -9223372036854775807 - 1: 9223372036854775808 alone does not fit).
      bool negatable = o.kind == NodeKind::kDouble || ((o.kind == NodeKind::kInt || o.kind == NodeKind::kDuration) &&
                                                     (o.i != INT64_MIN || o.b));
      if (t.tok == Tok::kMinus && negatable && o.pos == t.end) {
        Node& m = ast_.nodes[static_cast<size_t>(operand)];
        if (m.kind == NodeKind::kInt && m.b) {  // -9223372036854775808: INT64_MIN itself
          m.b = false;
          m.pos = t.pos;
          return operand;
        }
        m.i = -m.i;
        m.d = -m.d;
        m.pos = t.pos;
        return operand;
      }
      Node n;
      n.kind = NodeKind::kUnary;
      n.op = t.tok == Tok::kBang ? Op::kNot : Op::kNeg;
      n.kids = {operand};
      n.pos = t.pos;
      n.end = o.end;
      return add(std::move(n));
    }
    return postfix();
  }

  static bool is_macro(const std::string& name) {
    return name == "exists" || name == "all" || name == "filter" || name == "map" || name == "count" ||
           name == "exists_one";
  }

  int32_t postfix() {
    int32_t e = primary();
    while (!failed_) {
      if (cur_.tok == Tok::kDot) {
        if (!advance()) return -1;
        if (cur_.tok != Tok::kIdent) {
          error_at(ErrorCode::kSyntaxError, "expected a field or method name after '.', found " + describe(cur_), cur_.pos);
          return -1;
        }
        Token name = cur_;
        if (!advance()) return -1;
        if (cur_.tok == Tok::kLParen) {
          if (!advance()) return -1;
          bool on_cmdb = ast_.nodes[static_cast<size_t>(e)].kind == NodeKind::kIdent && ast_.nodes[static_cast<size_t>(e)].name == "cmdb";
          if (is_macro(name.text) && (next_is_macro_variable() || !on_cmdb)) {
            e = macro(e, name);
          } else {
            Node n;
            n.kind = NodeKind::kCall;
            n.has_receiver = true;
            n.name = name.text;
            n.kids.push_back(e);
            n.pos = ast_.nodes[static_cast<size_t>(e)].pos;
            n.i = name.pos;
            if (!args(n)) return -1;
            e = add(std::move(n));
          }
        } else {
          Node n;
          n.kind = NodeKind::kSelect;
          n.name = name.text;
          n.kids = {e};
          n.pos = ast_.nodes[static_cast<size_t>(e)].pos;
          n.end = name.end;
          n.i = name.pos;
          e = add(std::move(n));
        }
      } else if (cur_.tok == Tok::kLBracket) {
        if (!advance()) return -1;
        int32_t idx = expr(0);
        if (failed_) return -1;
        uint32_t close = cur_.end;
        if (!expect(Tok::kRBracket, "']'")) return -1;
        Node n;
        n.kind = NodeKind::kIndex;
        n.kids = {e, idx};
        n.pos = ast_.nodes[static_cast<size_t>(e)].pos;
        n.end = close;
        e = add(std::move(n));
      } else {
        break;
      }
    }
    return e;
  }

  int32_t macro(int32_t target, const Token& name) {
    // target.name(var, body)  e.g. incident.labels.exists(k, k.startsWith("team"))
    if (cur_.tok != Tok::kIdent) {
      error_at(ErrorCode::kSyntaxError, name.text + "() takes a variable name first, as in list." + name.text + "(x, x > 1)", cur_.pos);
      return -1;
    }
    Node n;
    n.kind = NodeKind::kMacro;
    n.name = name.text;
    n.pos = ast_.nodes[static_cast<size_t>(target)].pos;
    n.i = name.pos;
    Node var;
    var.kind = NodeKind::kIdent;
    var.name = cur_.text;
    var.pos = cur_.pos;
    var.end = cur_.end;
    if (!advance()) return -1;
    if (cur_.tok != Tok::kComma) {
      error_at(ErrorCode::kSyntaxError, name.text + "() takes a variable name first, as in list." + name.text + "(x, x > 1)", cur_.pos);
      return -1;
    }
    if (!advance()) return -1;
    int32_t body = expr(0);
    if (failed_) return -1;
    n.end = cur_.end;
    if (!expect(Tok::kRParen, "')'")) return -1;
    int32_t v = add(std::move(var));
    if (v < 0) return -1;
    n.kids = {target, v, body};
    return add(std::move(n));
  }

  bool args(Node& n) {
    if (cur_.tok == Tok::kRParen) {
      n.end = cur_.end;
      return advance();
    }
    while (true) {
      int32_t a = expr(0);
      if (failed_) return false;
      n.kids.push_back(a);
      if (cur_.tok == Tok::kComma) {
        if (!advance()) return false;
        continue;
      }
      n.end = cur_.end;
      return expect(Tok::kRParen, "',' or ')' in the argument list");
    }
  }

  int32_t primary() {
    Token t = cur_;
    Node n;
    n.pos = t.pos;
    n.end = t.end;
    switch (t.tok) {
      case Tok::kInt:
        n.kind = NodeKind::kInt;
        n.i = t.i;
        n.d = static_cast<double>(t.i);
        n.b = t.min_magnitude;
        break;
      case Tok::kDouble: n.kind = NodeKind::kDouble; n.d = t.d; break;
      case Tok::kString: n.kind = NodeKind::kString; n.name = t.text; break;
      case Tok::kDuration: n.kind = NodeKind::kDuration; n.i = t.i; break;
      case Tok::kIdent:
        if (t.text == "true" || t.text == "false") {
          n.kind = NodeKind::kBool;
          n.b = t.text == "true";
        } else if (t.text == "null") {
          n.kind = NodeKind::kNull;
        } else if (t.text == "in") {
          error_at(ErrorCode::kSyntaxError, "'in' needs a value on its left", t.pos);
          return -1;
        } else {
          if (!advance()) return -1;
          if (cur_.tok == Tok::kLParen) {
            if (!advance()) return -1;
            n.kind = NodeKind::kCall;
            n.name = t.text;
            n.i = t.pos;
            if (!args(n)) return -1;
            return add(std::move(n));
          }
          n.kind = NodeKind::kIdent;
          n.name = t.text;
          return add(std::move(n));
        }
        break;
      case Tok::kLParen: {
        if (!advance()) return -1;
        int32_t inner = expr(0);
        if (failed_) return -1;
        if (!expect(Tok::kRParen, "')'")) return -1;
        return inner;
      }
      case Tok::kLBracket: {
        if (!advance()) return -1;
        n.kind = NodeKind::kList;
        if (cur_.tok != Tok::kRBracket) {
          while (true) {
            int32_t item = expr(0);
            if (failed_) return -1;
            n.kids.push_back(item);
            if (n.kids.size() > limits_.max_list_literal) {
              error_at(ErrorCode::kLimitExceeded, "list literal longer than " + std::to_string(limits_.max_list_literal) + " items", t.pos);
              return -1;
            }
            if (cur_.tok == Tok::kComma) {
              if (!advance()) return -1;
              if (cur_.tok == Tok::kRBracket) break;  // trailing comma
              continue;
            }
            break;
          }
        }
        n.end = cur_.end;
        if (!expect(Tok::kRBracket, "',' or ']' in the list")) return -1;
        return add(std::move(n));
      }
      case Tok::kLBrace: {
        if (!advance()) return -1;
        n.kind = NodeKind::kMap;
        if (cur_.tok != Tok::kRBrace) {
          while (true) {
            if (cur_.tok != Tok::kString && cur_.tok != Tok::kIdent) {
              error_at(ErrorCode::kSyntaxError, "expected a key (a string or a name) in the map", cur_.pos);
              return -1;
            }
            Node key;
            key.kind = NodeKind::kString;
            key.name = cur_.text;
            key.pos = cur_.pos;
            key.end = cur_.end;
            if (!advance() || !expect(Tok::kColon, "':' after the key")) return -1;
            int32_t k = add(std::move(key));
            int32_t v = expr(0);
            if (failed_ || k < 0) return -1;
            n.kids.push_back(k);
            n.kids.push_back(v);
            if (cur_.tok == Tok::kComma) {
              if (!advance()) return -1;
              if (cur_.tok == Tok::kRBrace) break;
              continue;
            }
            break;
          }
        }
        n.end = cur_.end;
        if (!expect(Tok::kRBrace, "',' or '}' in the map")) return -1;
        return add(std::move(n));
      }
      case Tok::kEnd:
        error_at(ErrorCode::kSyntaxError, src_.empty() || t.pos == 0 ? "empty expression" : "unexpected end of expression", t.pos);
        return -1;
      default:
        error_at(ErrorCode::kSyntaxError, "unexpected " + describe(t), t.pos);
        return -1;
    }
    if (!advance()) return -1;
    return add(std::move(n));
  }

  std::string_view src_;
  const ParseLimits& limits_;
  size_t pos_ = 0;
  Token cur_;
  Ast ast_;
  Error err_;
  bool failed_ = false;
  size_t depth_ = 0;
  std::vector<uint32_t> heights_;  // per node of ast_, its height
};

}  // namespace

Result<Ast> parse_expression(std::string_view text, const ParseLimits& limits) {
  Parser p(text, limits);
  return p.run();
}

}  // namespace verdict::lang
