// The error path of the document layer: find *where* a document is broken.
//
// simdjson's DOM parser (the fast path) says what is wrong but not where. Here we
// re-read the failing bytes with simdjson's On-Demand API, which can tell its
// current location, and with small scanners for the errors that simdjson finds in
// its first pass over the bytes (UTF-8, control characters, nesting depth), where
// On-Demand cannot point either. This runs only for documents that failed.
#include <set>
#include <vector>
#include <string>

#include "document/document_internal.h"
#include "verdict/json_writer.h"

namespace verdict {
namespace {

namespace od = simdjson::ondemand;

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

struct Walker {
  od::document& doc;
  const char* base;
  size_t len;
  const Limits& limits;
  Error err;
  bool failed = false;

  int64_t here() {
    const char* at = nullptr;
    if (doc.current_location().get(at)) return static_cast<int64_t>(len);  // past the end
    return at - base;
  }

  bool fail(ErrorCode code, std::string message, int64_t offset) {
    err = Error(code, std::move(message));
    err.offset = offset;
    failed = true;
    return false;
  }

  bool fail_at(simdjson::error_code e, int64_t offset) {
    if (offset >= static_cast<int64_t>(len))
      return fail(ErrorCode::kInvalidJson, "unexpected end of input: the document is truncated", static_cast<int64_t>(len));
    char c = base[offset];
    switch (e) {
      case simdjson::NUMBER_ERROR:
      case simdjson::NUMBER_OUT_OF_RANGE: {
        size_t end = static_cast<size_t>(offset);
        while (end < len && !is_ws(base[end]) && base[end] != ',' && base[end] != '}' && base[end] != ']') ++end;
        std::string_view token(base + offset, end - static_cast<size_t>(offset));
        std::string shown(token.substr(0, 40));
        if (end >= len)
          return fail(ErrorCode::kInvalidJson, "unexpected end of input after " + shown + ": the document is truncated", offset);
        if (lexically_a_number(token))
          return fail(ErrorCode::kNumberOutOfRange,
                      "number " + shown + " is out of range: integers must fit in 64 bits and other numbers in a double", offset);
        return fail(ErrorCode::kInvalidJson, "invalid number " + shown, offset);
      }
      case simdjson::T_ATOM_ERROR:
      case simdjson::F_ATOM_ERROR:
      case simdjson::N_ATOM_ERROR:
        return fail(ErrorCode::kInvalidJson, "invalid literal (expected true, false or null)", offset);
      case simdjson::STRING_ERROR:
        return fail(ErrorCode::kInvalidJson, "invalid escape sequence in a string", offset);
      default:
        if (c == 't' || c == 'f' || c == 'n')
          return fail(ErrorCode::kInvalidJson, "invalid literal (expected true, false or null)", offset);
        if (c == '}' || c == ']' || c == ',' || c == ':')
          return fail(ErrorCode::kInvalidJson, "unexpected " + describe_char(c) + " (a value, key or comma is missing or extra)", offset);
        return fail(ErrorCode::kInvalidJson, "unexpected " + describe_char(c), offset);
    }
  }

  bool walk(od::value v, size_t depth) {
    int64_t at = here();
    od::json_type t;
    if (auto e = v.type().get(t)) return fail_at(e, at);
    switch (t) {
      case od::json_type::array: {
        if (depth + 1 > limits.max_depth)
          return fail(ErrorCode::kTooDeep, "arrays and objects nest deeper than " + std::to_string(limits.max_depth) + " levels", at);
        od::array a;
        if (auto e = v.get_array().get(a)) return fail_at(e, at);
        for (auto item : a) {
          od::value child;
          int64_t item_at = here();
          if (auto e = std::move(item).get(child)) return fail_at(e, item_at);
          if (!walk(child, depth + 1)) return false;
        }
        return true;
      }
      case od::json_type::object: {
        if (depth + 1 > limits.max_depth)
          return fail(ErrorCode::kTooDeep, "arrays and objects nest deeper than " + std::to_string(limits.max_depth) + " levels", at);
        od::object o;
        if (auto e = v.get_object().get(o)) return fail_at(e, at);
        std::set<std::string> seen;
        for (auto member : o) {
          int64_t field_at = here();
          od::field f;
          if (auto e = std::move(member).get(f)) return fail_at(e, field_at);
          int64_t key_at = f.key().raw() - base - 1;
          std::string_view key;
          if (auto e = f.unescaped_key().get(key)) return fail_at(e, key_at);
          if (key.size() > limits.max_string_bytes)
            return fail(ErrorCode::kTooLarge, "a key of " + std::to_string(key.size()) + " bytes exceeds the limit of " +
                                                  std::to_string(limits.max_string_bytes) + " bytes", key_at);
          if (!seen.emplace(key).second) {
            std::string msg = "duplicate key ";
            append_json_string(msg, key.substr(0, 200));
            return fail(ErrorCode::kDuplicateKey, msg + " in an object", key_at);
          }
          if (!walk(f.value(), depth + 1)) return false;
        }
        return true;
      }
      case od::json_type::number: {
        od::number n;
        if (auto e = v.get_number().get(n)) return fail_at(e, at);
        return true;
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return fail_at(e, at);
        if (s.size() > limits.max_string_bytes)
          return fail(ErrorCode::kTooLarge, "a string of " + std::to_string(s.size()) + " bytes exceeds the limit of " +
                                                std::to_string(limits.max_string_bytes) + " bytes", at);
        return true;
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b)) return fail_at(e, at);
        return true;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = v.is_null().get(is_null)) return fail_at(e, at);
        if (!is_null) return fail_at(simdjson::N_ATOM_ERROR, at);
        return true;
      }
    }
    return true;
  }
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

  // Walk the document with On-Demand, which knows where it is when it fails.
  simdjson::padded_string copy(data, len);
  od::parser parser;
  od::document doc;
  if (parser.iterate(copy).get(doc)) {
    // A failure of the first pass: an unclosed string is the one left to point at.
    int64_t open = -1;
    bool in_string = false;
    for (size_t i = 0; i < len; ++i) {
      if (in_string) {
        if (data[i] == '\\') ++i;
        else if (data[i] == '"') in_string = false;
      } else if (data[i] == '"') {
        in_string = true;
        open = static_cast<int64_t>(i);
      }
    }
    if (in_string) found.push_back(with(ErrorCode::kInvalidJson, "a string is opened here but never closed", open));
  } else {
    Walker w{doc, copy.data(), len, limits, {}, false};
    od::value root;
    size_t first = 0;
    while (first < len && is_ws(data[first])) ++first;
    if (auto e = doc.get_value().get(root)) {
      w.fail_at(e, static_cast<int64_t>(first));
    } else if (w.walk(root, 0)) {
      int64_t rest = w.here();
      if (rest < static_cast<int64_t>(len))
        w.fail(ErrorCode::kTrailingContent, "unexpected " + describe_char(data[rest]) + " after the end of the document", rest);
    }
    if (w.failed) found.push_back(w.err);
  }
  const Error* best = nullptr;
  for (const Error& e : found)
    if (e.offset >= 0 && (!best || e.offset < best->offset)) best = &e;
  if (best) return *best;
  return with(reported, reported_message, -1);
}

}  // namespace verdict
