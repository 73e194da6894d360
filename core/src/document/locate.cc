// The error path of the document layer: find *where* a document is broken.
//
// simdjson's DOM parser (the fast path) says what is wrong but not where, and what it says
// depends on its kernel. Here the failing bytes are read again by portable code (a strict
// reader, FirstProblem, and small scanners for UTF-8, control characters and depth), and
// the problem that comes first in the text wins: one algorithm, so the native and the Wasm
// builds report the same error at the same place. This runs only for documents that failed.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#include <vector>
#include <string>

#include "document/document_internal.h"
#include "document/utf8.h"
#include "verdict/json_writer.h"

namespace verdict {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Offset of the first byte that does not start or continue valid UTF-8, or -1.
int64_t first_invalid_utf8(const unsigned char* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t need;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { need = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { need = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { need = 3; cp = c & 0x07; }
    else return static_cast<int64_t>(i);
    for (size_t k = 1; k <= need; ++k) {
      if (i + k >= n || (s[i + k] & 0xC0) != 0x80) return static_cast<int64_t>(i);
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are invalid.
    if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return static_cast<int64_t>(i);
    i += need + 1;
  }
  return -1;
}

// Offset of the first raw control character inside a string, or -1.
int64_t first_control_in_string(const char* s, size_t n) {
  bool in_string = false;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (in_string) {
      if (c == '\\') { ++i; continue; }
      if (c == '"') in_string = false;
      else if (c < 0x20) return static_cast<int64_t>(i);
    } else if (c == '"') {
      in_string = true;
    } else if (c == 0) {
      return static_cast<int64_t>(i);  // NUL outside a string
    }
  }
  return -1;
}

// Whether offset `at` lies inside a string.
bool inside_string(const char* s, size_t at) {
  bool in_string = false;
  for (size_t i = 0; i < at; ++i) {
    if (in_string) {
      if (s[i] == '\\') ++i;
      else if (s[i] == '"') in_string = false;
    } else if (s[i] == '"') {
      in_string = true;
    }
  }
  return in_string;
}

// Offset of the first '[' or '{' that nests deeper than max_depth, or -1.
int64_t first_too_deep(const char* s, size_t n, size_t max_depth) {
  bool in_string = false;
  size_t depth = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return static_cast<int64_t>(i);
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return -1;
}

std::string describe_char(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static const char* const kHex = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
}

bool lexically_a_number(std::string_view t) {
  size_t i = 0;
  if (i < t.size() && t[i] == '-') ++i;
  if (i >= t.size() || t[i] < '0' || t[i] > '9') return false;
  if (t[i] == '0') ++i;
  else while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  if (i < t.size() && t[i] == '.') {
    ++i;
    size_t d = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == d) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    size_t d = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == d) return false;
  }
  return i == t.size();
}

// A strict RFC 8259 reader that looks only for the first problem and where it is. It is
// plain portable code, the same on every target: simdjson's On-Demand API, which did this
// before, runs the simdjson kernel's own first pass (haswell natively, the fallback in Wasm),
// and on broken input the kernels stop at different places, so the two builds reported
// different errors for the same bytes. It runs only for documents simdjson refused.
class FirstProblem {
 public:
  FirstProblem(const char* s, size_t n, const Limits& limits) : s_(s), n_(n), limits_(limits) {}

  // True when the text has a problem: `err` says what and where.
  bool find() {
    struct Frame {
      bool object;
      std::set<std::string> keys;
    };
    std::vector<Frame> stack;
    skip_ws();
    for (;;) {
      // A value is expected at i_.
      if (i_ >= n_) return truncated();
      char c = s_[i_];
      if (c == '{' || c == '[') {
        if (stack.size() + 1 > limits_.max_depth)
          return found(ErrorCode::kTooDeep, "arrays and objects nest deeper than " + std::to_string(limits_.max_depth) + " levels", i_);
        stack.push_back({c == '{', {}});
        ++i_;
        skip_ws();
        if (i_ < n_ && s_[i_] == (c == '{' ? '}' : ']')) {
          ++i_;
          stack.pop_back();
        } else if (c == '{') {
          if (!member_key(stack.back().keys)) return true;
          continue;
        } else {
          continue;
        }
      } else if (c == '"') {
        size_t bytes = 0;
        if (!string(nullptr, bytes)) return true;
        if (bytes > limits_.max_string_bytes)
          return found(ErrorCode::kTooLarge, "a string of " + std::to_string(bytes) + " bytes exceeds the limit of " +
                                                std::to_string(limits_.max_string_bytes) + " bytes", start_);
      } else if (c == 't' || c == 'f' || c == 'n') {
        if (!literal()) return true;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        if (!number()) return true;
      } else {
        return unexpected(i_);
      }
      // After a value: the end of its containers, a comma, or the end of the document.
      for (;;) {
        skip_ws();
        if (stack.empty()) {
          if (i_ < n_)
            return found(ErrorCode::kTrailingContent, "unexpected " + describe_char(s_[i_]) + " after the end of the document", i_);
          return false;
        }
        if (i_ >= n_) return truncated();
        const char close = stack.back().object ? '}' : ']';
        if (s_[i_] == close) {
          ++i_;
          stack.pop_back();
          continue;
        }
        if (s_[i_] != ',') return unexpected(i_);
        ++i_;
        skip_ws();
        if (stack.back().object && !member_key(stack.back().keys)) return true;
        break;
      }
    }
  }

  Error err;

 private:
  bool fail(ErrorCode code, std::string message, size_t at) {
    err = Error(code, std::move(message));
    err.offset = static_cast<int64_t>(at);
    return false;
  }
  // Records the problem; true (for find()).
  bool found(ErrorCode code, std::string message, size_t at) {
    fail(code, std::move(message), at);
    return true;
  }
  bool truncated() {
    fail(ErrorCode::kInvalidJson, "unexpected end of input: the document is truncated", n_);
    return true;
  }
  bool unexpected(size_t at) {
    char c = s_[at];
    if (c == '}' || c == ']' || c == ',' || c == ':')
      fail(ErrorCode::kInvalidJson, "unexpected " + describe_char(c) + " (a value, key or comma is missing or extra)", at);
    else
      fail(ErrorCode::kInvalidJson, "unexpected " + describe_char(c), at);
    return true;
  }
  void skip_ws() {
    while (i_ < n_ && is_ws(s_[i_])) ++i_;
  }

  // A key, the ':' after it and the whitespace before the value; false with `err` set.
  bool member_key(std::set<std::string>& keys) {
    if (i_ >= n_) return !truncated();
    if (s_[i_] != '"') return !unexpected(i_);
    std::string key;
    size_t bytes = 0;
    if (!string(&key, bytes)) return false;
    if (bytes > limits_.max_string_bytes)
      return fail(ErrorCode::kTooLarge, "a key of " + std::to_string(bytes) + " bytes exceeds the limit of " +
                                            std::to_string(limits_.max_string_bytes) + " bytes", start_);
    if (!keys.insert(key).second) {
      std::string msg = "duplicate key ";
      append_json_string(msg, std::string_view(key).substr(0, 200));
      return fail(ErrorCode::kDuplicateKey, msg + " in an object", start_);
    }
    skip_ws();
    if (i_ >= n_) return !truncated();
    if (s_[i_] != ':') return !unexpected(i_);
    ++i_;
    skip_ws();
    return true;
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  // \uXXXX at j (the backslash): its code unit, or -1.
  long unit_at(size_t j) const {
    if (j + 6 > n_ || s_[j] != '\\' || s_[j + 1] != 'u') return -1;
    long u = 0;
    for (size_t k = j + 2; k < j + 6; ++k) {
      int h = hex(s_[k]);
      if (h < 0) return -1;
      u = u * 16 + h;
    }
    return u;
  }

  // The string at i_ (its opening quote): its length unescaped in `bytes`, its text in `out`
  // when asked (keys, for duplicates). An escape is judged at its backslash: "\" followed
  // by a raw TAB or NUL is an invalid escape there (it once had no position at all).
  bool string(std::string* out, size_t& bytes) {
    start_ = i_;
    size_t j = i_ + 1;
    for (;;) {
      if (j >= n_) return fail(ErrorCode::kInvalidJson, "a string is opened here but never closed", start_);
      unsigned char c = static_cast<unsigned char>(s_[j]);
      if (c == '"') break;
      if (c < 0x20) {
        static const char* const kHex = "0123456789ABCDEF";
        std::string code = std::string("00") + kHex[c >> 4] + kHex[c & 15];
        return fail(ErrorCode::kControlCharacter,
                    "unescaped control character U+" + code + " in a string (escape it as \\u" + code + ")", j);
      }
      if (c != '\\') {
        if (out) out->push_back(static_cast<char>(c));
        ++bytes;
        ++j;
        continue;
      }
      if (j + 1 >= n_) return fail(ErrorCode::kInvalidJson, "a string is opened here but never closed", start_);
      char e = s_[j + 1];
      static const char kFrom[] = "\"\\/bfnrt", kTo[] = "\"\\/\b\f\n\r\t";
      if (const char* at = e ? std::strchr(kFrom, e) : nullptr) {
        if (out) out->push_back(kTo[at - kFrom]);
        ++bytes;
        j += 2;
        continue;
      }
      long u = e == 'u' ? unit_at(j) : -1;
      if (u < 0) return fail(ErrorCode::kInvalidJson, "invalid escape sequence in a string", j);
      uint32_t cp = static_cast<uint32_t>(u);
      size_t step = 6;
      if (u >= 0xD800 && u <= 0xDBFF) {
        long low = unit_at(j + 6);
        if (low < 0xDC00 || low > 0xDFFF)
          return fail(ErrorCode::kInvalidJson, "invalid escape sequence in a string (a lone UTF-16 surrogate)", j);
        cp = 0x10000 + ((static_cast<uint32_t>(u) - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00);
        step = 12;
      } else if (u >= 0xDC00 && u <= 0xDFFF) {
        return fail(ErrorCode::kInvalidJson, "invalid escape sequence in a string (a lone UTF-16 surrogate)", j);
      }
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (out) utf8::append(*out, cp);
      j += step;
    }
    i_ = j + 1;
    return true;
  }

  bool literal() {
    for (const char* word : {"true", "false", "null"}) {
      size_t len = std::strlen(word);
      if (s_[i_] == word[0]) {
        bool ok = n_ - i_ >= len && std::memcmp(s_ + i_, word, len) == 0;
        size_t end = i_ + len;
        if (ok && (end >= n_ || is_ws(s_[end]) || s_[end] == ',' || s_[end] == '}' || s_[end] == ']')) {
          i_ = end;
          return true;
        }
      }
    }
    return fail(ErrorCode::kInvalidJson, "invalid literal (expected true, false or null)", i_);
  }

  bool number() {
    size_t end = i_;
    while (end < n_ && !is_ws(s_[end]) && s_[end] != ',' && s_[end] != '}' && s_[end] != ']') ++end;
    std::string_view token(s_ + i_, end - i_);
    std::string shown(token.substr(0, 40));
    if (!lexically_a_number(token)) {
      if (end >= n_ && lexically_a_number_prefix(token))
        return fail(ErrorCode::kInvalidJson, "unexpected end of input after " + shown + ": the document is truncated", i_);
      return fail(ErrorCode::kInvalidJson, "invalid number " + shown, i_);
    }
    if (out_of_range(token))
      return fail(ErrorCode::kNumberOutOfRange,
                  "number " + shown + " is out of range: integers must fit in 64 bits and other numbers in a double", i_);
    i_ = end;
    return true;
  }
  // "-", "1.", "1e", "1e+": a number cut short by the end of the input.
  static bool lexically_a_number_prefix(std::string_view t) {
    std::string completed(t);
    completed.push_back('0');
    return lexically_a_number(completed);
  }
  // An integer beyond 64 bits (signed below zero, unsigned above), or a number a double
  // cannot hold (1e400): simdjson refuses both.
  static bool out_of_range(std::string_view t) {
    if (t.find_first_of(".eE") == std::string_view::npos) {
      bool negative = t[0] == '-';
      uint64_t v = 0;
      for (size_t k = negative ? 1 : 0; k < t.size(); ++k) {
        uint64_t d = static_cast<uint64_t>(t[k] - '0');
        if (v > (UINT64_MAX - d) / 10) return true;
        v = v * 10 + d;
      }
      return negative && v > uint64_t{1} << 63;
    }
    std::string copy(t);
    double d = std::strtod(copy.c_str(), nullptr);
    return std::isinf(d);
  }

  const char* s_;
  size_t n_;
  const Limits& limits_;
  size_t i_ = 0;
  size_t start_ = 0;  // the opening quote of the last string read
};

}  // namespace

Error locate_error(const char* data, size_t len, ErrorCode reported, const std::string& reported_message,
                   const Limits& limits) {
  auto with = [](ErrorCode code, std::string message, int64_t offset) {
    Error e(code, std::move(message));
    e.offset = offset;
    return e;
  };
  if (reported == ErrorCode::kEmptyInput)
    return with(reported, "no JSON value: the input is empty or only whitespace", 0);

  // What simdjson's DOM parser reports for a broken document depends on its kernel
  // (haswell natively, the fallback in Wasm), so the answer here must not: every
  // check runs, and the problem that comes first in the text wins. Everything below
  // is the same code on every target (On-Demand is compiled into this file).
  std::vector<Error> found;
  int64_t at = first_invalid_utf8(reinterpret_cast<const unsigned char*>(data), len);
  if (at >= 0) found.push_back(with(ErrorCode::kInvalidUtf8, "invalid UTF-8 (" + describe_char(data[at]) + ")", at));
  at = first_control_in_string(data, len);
  if (at >= 0) {
    static const char* const kHex = "0123456789ABCDEF";
    unsigned char c = static_cast<unsigned char>(data[at]);
    std::string code = std::string("U+00") + kHex[c >> 4] + kHex[c & 15];
    found.push_back(with(ErrorCode::kControlCharacter,
                         c == 0 && !inside_string(data, static_cast<size_t>(at))
                             ? "a NUL byte outside any string"
                             : "unescaped control character " + code + " in a string (escape it as \\u00" +
                                   kHex[c >> 4] + kHex[c & 15] + ")",
                         at));
  }
  at = first_too_deep(data, len, limits.max_depth);
  if (at >= 0)
    found.push_back(with(ErrorCode::kTooDeep, "arrays and objects nest deeper than " + std::to_string(limits.max_depth) + " levels", at));

  // Read the document in order for the first problem of its syntax (portable code: the same
  // answer natively and in Wasm).
  FirstProblem scan(data, len, limits);
  if (scan.find()) found.push_back(scan.err);
  const Error* best = nullptr;
  for (const Error& e : found)
    if (e.offset >= 0 && (!best || e.offset < best->offset)) best = &e;
  if (best) return *best;
  return with(reported, reported_message, -1);
}

}  // namespace verdict
