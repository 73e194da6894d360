// The document layer: simdjson's DOM parser (runtime-dispatched to the best
// kernel of the CPU) reads each document into a tape that Value navigates in
// place, without copying. simdjson reports what went wrong but not where, so on
// the error path locate.cc finds the position.
#include "verdict/document.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <type_traits>

#include "document/document_internal.h"
#include "verdict/json_writer.h"

namespace verdict {

namespace dom = simdjson::dom;

static_assert(sizeof(dom::element) <= 16, "Value's opaque storage is too small");
static_assert(std::is_trivially_copyable_v<dom::element>, "dom::element must be trivially copyable");

Value ValueAccess::wrap(dom::element e) {
  Value v;
  std::memcpy(v.element_, &e, sizeof e);
  v.present_ = true;
  return v;
}

dom::element ValueAccess::element(const Value& v) {
  dom::element e;
  std::memcpy(&e, v.element_, sizeof e);
  return e;
}

const char* type_name(Type t) {
  switch (t) {
    case Type::kMissing: return "missing";
    case Type::kNull: return "null";
    case Type::kBool: return "bool";
    case Type::kInt: return "int";
    case Type::kDouble: return "double";
    case Type::kString: return "string";
    case Type::kArray: return "array";
    case Type::kObject: return "object";
  }
  return "missing";
}

// ---------------------------------------------------------------------------
// Path

Result<Path> Path::parse(std::string_view text) {
  Path path;
  size_t i = 0;
  auto fail = [&](const std::string& why) {
    Error e(ErrorCode::kInvalidPath, "invalid path '" + std::string(text) + "': " + why);
    e.offset = static_cast<int64_t>(i);
    e.line = 1;
    e.column = static_cast<int64_t>(i) + 1;
    return e;
  };
  auto is_ident = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  };
  if (text.empty()) return fail("empty path");
  bool expect_name = true;
  while (i < text.size()) {
    char c = text[i];
    if (c == '[') {
      ++i;
      if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
        char quote = text[i++];
        std::string key;
        while (i < text.size() && text[i] != quote) {
          if (text[i] == '\\' && i + 1 < text.size()) ++i;
          key.push_back(text[i++]);
        }
        if (i >= text.size()) return fail("unclosed string in brackets");
        ++i;
        path.segments_.push_back({std::move(key), 0, false});
      } else {
        size_t start = i;
        uint64_t index = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
          if (index > (uint64_t{1} << 40)) return fail("index too large");
          index = index * 10 + static_cast<uint64_t>(text[i] - '0');
          ++i;
        }
        if (i == start) return fail("expected an index or a quoted key after '['");
        if (static_cast<uint64_t>(static_cast<size_t>(index)) != index) return fail("index too large");
        path.segments_.push_back({std::string(), static_cast<size_t>(index), true});
      }
      if (i >= text.size() || text[i] != ']') return fail("expected ']'");
      ++i;
      expect_name = false;
    } else if (c == '.') {
      if (expect_name) return fail("unexpected '.'");
      ++i;
      expect_name = true;
      if (i >= text.size()) return fail("path ends with '.'");
    } else if (is_ident(c)) {
      if (!expect_name) return fail("expected '.' or '['");
      size_t start = i;
      while (i < text.size() && is_ident(text[i])) ++i;
      path.segments_.push_back({std::string(text.substr(start, i - start)), 0, false});
      expect_name = false;
    } else {
      return fail(std::string("unexpected character '") + c + "'");
    }
  }
  return path;
}

Path Path::of_keys(std::initializer_list<std::string_view> keys) {
  Path p;
  for (auto k : keys) p.segments_.push_back({std::string(k), 0, false});
  return p;
}

std::string Path::to_string() const {
  std::string s;
  for (const auto& seg : segments_) {
    if (seg.is_index) {
      s += "[" + std::to_string(seg.index) + "]";
      continue;
    }
    bool plain = !seg.key.empty() && std::all_of(seg.key.begin(), seg.key.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
    if (plain) {
      if (!s.empty()) s += ".";
      s += seg.key;
    } else {
      s += "[";
      append_json_string(s, seg.key);
      s += "]";
    }
  }
  return s;
}

// ---------------------------------------------------------------------------
// Value

Type Value::type() const {
  if (!present_) return Type::kMissing;
  switch (ValueAccess::element(*this).type()) {
    case dom::element_type::NULL_VALUE: return Type::kNull;
    case dom::element_type::BOOL: return Type::kBool;
    case dom::element_type::INT64: return Type::kInt;
    case dom::element_type::UINT64: return Type::kDouble;  // beyond int64: read as a double
    case dom::element_type::DOUBLE: return Type::kDouble;
    case dom::element_type::STRING: return Type::kString;
    case dom::element_type::ARRAY: return Type::kArray;
    case dom::element_type::OBJECT: return Type::kObject;
  }
  return Type::kMissing;
}

bool Value::as_bool(bool fallback) const {
  if (!present_) return fallback;
  bool b;
  return ValueAccess::element(*this).get_bool().get(b) ? fallback : b;
}

int64_t Value::as_int(int64_t fallback) const {
  if (!present_) return fallback;
  dom::element e = ValueAccess::element(*this);
  int64_t i;
  if (!e.get_int64().get(i)) return i;
  double d;
  if (!e.get_double().get(d) && d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d)))
    return static_cast<int64_t>(d);
  return fallback;
}

double Value::as_double(double fallback) const {
  if (!present_) return fallback;
  double d;
  return ValueAccess::element(*this).get_double().get(d) ? fallback : d;
}

std::string_view Value::as_string(std::string_view fallback) const {
  if (!present_) return fallback;
  std::string_view s;
  return ValueAccess::element(*this).get_string().get(s) ? fallback : s;
}

size_t Value::size() const {
  if (!present_) return 0;
  dom::element e = ValueAccess::element(*this);
  dom::array a;
  if (!e.get_array().get(a)) {
    size_t n = a.size();
    if (n == 0xFFFFFF) {  // simdjson saturates the stored count
      n = 0;
      for (auto it = a.begin(); it != a.end(); ++it) ++n;
    }
    return n;
  }
  dom::object o;
  if (!e.get_object().get(o)) {
    size_t n = o.size();
    if (n == 0xFFFFFF) {
      n = 0;
      for (auto it = o.begin(); it != o.end(); ++it) ++n;
    }
    return n;
  }
  return 0;
}

Value Value::get(std::string_view key) const {
  if (!present_) return {};
  dom::object o;
  if (ValueAccess::element(*this).get_object().get(o)) return {};
  for (dom::key_value_pair kv : o) {
    if (kv.key == key) return ValueAccess::wrap(kv.value);
  }
  return {};
}

Value Value::at(size_t index) const {
  if (!present_) return {};
  dom::array a;
  if (ValueAccess::element(*this).get_array().get(a)) return {};
  size_t i = 0;
  for (dom::element item : a) {
    if (i++ == index) return ValueAccess::wrap(item);
  }
  return {};
}

Value Value::at(const Path& path) const {
  Value v = *this;
  for (const auto& seg : path.segments()) {
    v = seg.is_index ? v.at(seg.index) : v.get(seg.key);
    if (!v.present_) break;
  }
  return v;
}

void Value::for_each_member(const std::function<bool(std::string_view, Value)>& fn) const {
  if (!present_) return;
  dom::object o;
  if (ValueAccess::element(*this).get_object().get(o)) return;
  for (dom::key_value_pair kv : o) {
    if (!fn(kv.key, ValueAccess::wrap(kv.value))) return;
  }
}

void Value::for_each_item(const std::function<bool(Value)>& fn) const {
  if (!present_) return;
  dom::array a;
  if (ValueAccess::element(*this).get_array().get(a)) return;
  for (dom::element item : a) {
    if (!fn(ValueAccess::wrap(item))) return;
  }
}

void write_element(JsonWriter& w, dom::element e) {
  switch (e.type()) {
    case dom::element_type::NULL_VALUE: w.null(); break;
    case dom::element_type::BOOL: w.boolean(e.get_bool().value_unsafe()); break;
    case dom::element_type::INT64: w.number(e.get_int64().value_unsafe()); break;
    case dom::element_type::UINT64: w.number(e.get_uint64().value_unsafe()); break;
    case dom::element_type::DOUBLE: w.number(e.get_double().value_unsafe()); break;
    case dom::element_type::STRING: w.string(e.get_string().value_unsafe()); break;
    case dom::element_type::ARRAY:
      w.begin_array();
      for (dom::element item : dom::array(e.get_array().value_unsafe())) write_element(w, item);
      w.end_array();
      break;
    case dom::element_type::OBJECT:
      w.begin_object();
      for (dom::key_value_pair kv : dom::object(e.get_object().value_unsafe())) {
        w.key(kv.key);
        write_element(w, kv.value);
      }
      w.end_object();
      break;
  }
}

std::string Value::to_json() const {
  if (!present_) return "null";
  JsonWriter w;
  write_element(w, ValueAccess::element(*this));
  return w.take();
}

// ---------------------------------------------------------------------------
// Document

Document::Document() : impl_(std::make_unique<Impl>()) {}
Document::~Document() = default;
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;

Value Document::root() const { return impl_->has_root ? ValueAccess::wrap(impl_->root) : Value(); }
size_t Document::size_bytes() const { return impl_->size; }

// ---------------------------------------------------------------------------
// Reading

namespace {

ErrorCode map_simdjson_error(simdjson::error_code e) {
  switch (e) {
    case simdjson::EMPTY: return ErrorCode::kEmptyInput;
    case simdjson::UTF8_ERROR: return ErrorCode::kInvalidUtf8;
    case simdjson::UNESCAPED_CHARS: return ErrorCode::kControlCharacter;
    case simdjson::DEPTH_ERROR: return ErrorCode::kTooDeep;
    case simdjson::CAPACITY: return ErrorCode::kTooLarge;
    case simdjson::MEMALLOC: return ErrorCode::kOutOfMemory;
    case simdjson::NUMBER_OUT_OF_RANGE: return ErrorCode::kNumberOutOfRange;
    case simdjson::TRAILING_CONTENT: return ErrorCode::kTrailingContent;
    default: return ErrorCode::kInvalidJson;
  }
}

// Checks what the parser does not: duplicate keys, string sizes, the top-level
// type. Returns the first problem without a position (locate() adds it).
struct Checker {
  const Limits* limits_ptr;
  std::vector<std::string_view> keys;  // scratch for large objects

  size_t depth = 0;

  bool check(dom::element e, Error& out) {
    dom::element_type type = e.type();
    if (type == dom::element_type::ARRAY || type == dom::element_type::OBJECT) {
      if (depth + 1 > limits_ptr->max_depth) {
        out = Error(ErrorCode::kTooDeep,
                    "arrays and objects nest deeper than " + std::to_string(limits_ptr->max_depth) + " levels");
        return false;
      }
      ++depth;
      bool ok = check_container(e, type, out);
      --depth;
      return ok;
    }
    return check_container(e, type, out);
  }

  bool check_container(dom::element e, dom::element_type type, Error& out) {
    switch (type) {
      case dom::element_type::STRING: {
        std::string_view s = e.get_string().value_unsafe();
        if (s.size() > limits_ptr->max_string_bytes) {
          out = Error(ErrorCode::kTooLarge, "a string of " + std::to_string(s.size()) +
                                                " bytes exceeds the limit of " +
                                                std::to_string(limits_ptr->max_string_bytes) + " bytes");
          return false;
        }
        return true;
      }
      case dom::element_type::ARRAY:
        for (dom::element item : dom::array(e.get_array().value_unsafe()))
          if (!check(item, out)) return false;
        return true;
      case dom::element_type::OBJECT: {
        dom::object o = e.get_object().value_unsafe();
        size_t n = 0;
        // Small objects (the common case: labels, annotations) compare pairwise.
        std::string_view small[16];
        bool large = false;
        size_t mark = keys.size();
        for (dom::key_value_pair kv : o) {
          if (kv.key.size() > limits_ptr->max_string_bytes) {
            out = Error(ErrorCode::kTooLarge, "a key of " + std::to_string(kv.key.size()) +
                                                  " bytes exceeds the limit of " +
                                                  std::to_string(limits_ptr->max_string_bytes) + " bytes");
            return false;
          }
          if (!large) {
            for (size_t i = 0; i < n; ++i) {
              if (small[i] == kv.key) return duplicate(kv.key, out);
            }
            if (n < 16) {
              small[n] = kv.key;
            } else {
              large = true;
              keys.insert(keys.end(), small, small + 16);
              keys.push_back(kv.key);
            }
          } else {
            keys.push_back(kv.key);
          }
          ++n;
          if (!check(kv.value, out)) {
            keys.resize(mark);
            return false;
          }
        }
        if (large) {
          std::sort(keys.begin() + static_cast<std::ptrdiff_t>(mark), keys.end());
          auto dup = std::adjacent_find(keys.begin() + static_cast<std::ptrdiff_t>(mark), keys.end());
          if (dup != keys.end()) {
            std::string_view k = *dup;
            keys.resize(mark);
            return duplicate(k, out);
          }
          keys.resize(mark);
        }
        return true;
      }
      default:
        return true;
    }
  }

  static bool duplicate(std::string_view key, Error& out) {
    std::string msg = "duplicate key ";
    append_json_string(msg, key.substr(0, 200));
    out = Error(ErrorCode::kDuplicateKey, msg + " in an object");
    return false;
  }
};

}  // namespace

struct DocumentReader::Impl {
  dom::parser parser;
  std::string tail;  // a padded copy of a line too close to the end of the caller's buffer
  Checker checker;
  explicit Impl(const Limits* limits) : checker{limits, {}} {}
};

DocumentReader::DocumentReader(Limits limits) : limits_(limits) {
  impl_ = std::make_unique<Impl>(&limits_);
  // Reserve for typical documents; the parser grows on demand and keeps max_depth.
  // simdjson counts a scalar inside the innermost container as one more level, so it
  // gets one level of slack and the checker enforces max_depth on containers exactly.
  if (impl_->parser.allocate(64 * 1024, limits_.max_depth + 1)) {
    // Out of memory already: parse() reports it again, as an error value.
  }
}

DocumentReader::~DocumentReader() = default;

// Parses [data, data+len) (with SIMDJSON_PADDING readable bytes after it) into
// `target`, checks it, and on failure fills `err` with a located error.
static bool parse_checked(dom::parser& parser, Checker& checker, const Limits& limits,
                          dom::document* target, const char* data, size_t len,
                          dom::element& root, Error& err) {
  if (len > limits.max_document_bytes) {
    err = Error(ErrorCode::kTooLarge, "a document of " + std::to_string(len) +
                                          " bytes exceeds the limit of " +
                                          std::to_string(limits.max_document_bytes) + " bytes");
    err.offset = 0;
    return false;
  }
  simdjson::error_code code;
  if (target) {
    code = parser.parse_into_document(*target, reinterpret_cast<const uint8_t*>(data), len, false).get(root);
  } else {
    code = parser.parse(reinterpret_cast<const uint8_t*>(data), len, false).get(root);
  }
  if (code) {
    err = locate_error(data, len, map_simdjson_error(code), simdjson::error_message(code), limits);
    return false;
  }
  dom::element_type t = root.type();
  if (t != dom::element_type::OBJECT && t != dom::element_type::ARRAY) {
    err = Error(ErrorCode::kWrongType,
                std::string("expected a JSON object or array at the top level, found ") +
                    type_name(ValueAccess::wrap(root).type()));
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) ++i;
    err.offset = static_cast<int64_t>(i);
    return false;
  }
  checker.depth = 0;
  if (!checker.check(root, err)) {
    // The locator walks in document order and finds the first problem with its
    // position; prefer what it found (the checker's order can differ in large objects).
    Error located = locate_error(data, len, err.code, err.message, limits);
    if (located.offset >= 0) err = std::move(located);
    return false;
  }
  return true;
}

Result<Document> DocumentReader::read(std::string_view json) {
  // A UTF-8 byte order mark (written by some Windows tools) is skipped, as RFC 8259 allows.
  if (json.size() >= 3 && json.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    Result<Document> inner = read(json.substr(3));
    if (!inner.ok()) {
      Error e = inner.error();
      if (e.offset >= 0) e.offset += 3;
      set_line_column(e, json.data(), json.size());
      return e;
    }
    return inner;
  }
  Document doc;
  Document::Impl& d = *doc.impl_;
  d.bytes = simdjson::padded_string(json.data(), json.size());
  d.size = json.size();
  Error err;
  if (!parse_checked(impl_->parser, impl_->checker, limits_, &d.owned, d.bytes.data(), json.size(), d.root, err)) {
    set_line_column(err, json.data(), json.size());
    return err;
  }
  d.has_root = true;
  return doc;
}

StreamStats DocumentReader::read_ndjson(std::string_view data,
                                         const std::function<bool(const StreamItem&)>& fn) {
  StreamStats stats;
  stats.bytes = data.size();
  // Lines are parsed in place: simdjson reads up to SIMDJSON_PADDING bytes past a
  // line, which are the caller's next bytes. Only a line that ends too close to the
  // end of the buffer is copied into padded scratch space.
  const char* base = data.data();
  const size_t n = data.size();
  Document view;  // a non-owning view of the parser's current document
  size_t pos = 0;
  if (n >= 3 && std::memcmp(base, "\xEF\xBB\xBF", 3) == 0) pos = 3;  // a byte order mark
  size_t line_no = 0;
  while (pos < n) {
    ++line_no;
    const char* nl = static_cast<const char*>(std::memchr(base + pos, '\n', n - pos));
    size_t end = nl ? static_cast<size_t>(nl - base) : n;
    size_t next = nl ? end + 1 : n;
    size_t len = end - pos;
    if (len > 0 && base[pos + len - 1] == '\r') --len;
    // Blank lines (only whitespace) are skipped, as NDJSON readers commonly do.
    size_t k = 0;
    while (k < len && (base[pos + k] == ' ' || base[pos + k] == '\t')) ++k;
    if (k == len) {
      pos = next;
      continue;
    }
    ++stats.lines;
    StreamItem item;
    item.line = line_no;
    item.offset = pos;
    item.length = len;
    Error err;
    dom::element root;
    bool keep_going;
    const char* line = base + pos;
    if (pos + len + simdjson::SIMDJSON_PADDING > n) {
      impl_->tail.assign(line, len);
      impl_->tail.resize(len + simdjson::SIMDJSON_PADDING, ' ');
      line = impl_->tail.data();
    }
    if (parse_checked(impl_->parser, impl_->checker, limits_, nullptr, line, len, root, err)) {
      ++stats.read;
      view.impl_->root = root;
      view.impl_->has_root = true;
      view.impl_->size = len;
      item.document = &view;
      keep_going = fn(item);
    } else {
      ++stats.failed;
      // Positions in the stream: the line, the column in that line, the stream offset.
      int64_t in_line = err.offset;
      err.line = static_cast<int64_t>(line_no);
      err.column = in_line >= 0 ? in_line + 1 : 0;
      err.offset = in_line >= 0 ? static_cast<int64_t>(pos) + in_line : -1;
      item.error = &err;
      keep_going = fn(item);
    }
    if (!keep_going) break;
    pos = next;
  }
  return stats;
}

bool DocumentReader::is_ndjson(std::string_view data) {
  // NDJSON when the first non-blank line is, on its own, a complete object or array
  // and more content follows it (one JSON document cannot continue after a complete
  // value). When the first line does not parse alone (a pretty-printed document, or
  // an NDJSON stream whose first line is broken): one document if the whole input
  // parses, else NDJSON if the second non-blank line parses alone. Only the first
  // lines are copied, except in that second case.
  if (data.size() >= 3 && data.compare(0, 3, "\xEF\xBB\xBF") == 0) data.remove_prefix(3);
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  auto parses_alone = [&](std::string_view text) {
    if (text.size() > limits_.max_document_bytes) return false;
    simdjson::padded_string copy(text.data(), text.size());
    dom::element root;
    return !impl_->parser.parse(reinterpret_cast<const uint8_t*>(copy.data()), copy.size(), false).get(root) &&
           (root.type() == dom::element_type::OBJECT || root.type() == dom::element_type::ARRAY);
  };
  // The non-blank line starting at or after `pos`: [begin, end), or begin == npos.
  auto line_at = [&](size_t pos, size_t& begin, size_t& end) {
    while (pos < data.size()) {
      const void* nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
      size_t e = nl ? static_cast<size_t>(static_cast<const char*>(nl) - data.data()) : data.size();
      size_t k = pos;
      while (k < e && blank(data[k])) ++k;
      if (k < e) {
        begin = pos;
        end = e;
        return;
      }
      pos = e + 1;
    }
    begin = std::string_view::npos;
  };
  auto more_after = [&](size_t end) {
    for (size_t k = end; k < data.size(); ++k)
      if (!blank(data[k])) return true;
    return false;
  };
  size_t b1, e1;
  line_at(0, b1, e1);
  if (b1 == std::string_view::npos || !more_after(e1)) return false;
  if (parses_alone(data.substr(b1, e1 - b1))) return true;
  if (parses_alone(data)) return false;
  size_t b2, e2;
  line_at(e1 + 1, b2, e2);
  return b2 != std::string_view::npos && parses_alone(data.substr(b2, e2 - b2));
}

}  // namespace verdict
