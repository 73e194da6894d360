// verdict/document.h: input documents (incidents, changes, alerts, CMDB items,
// SLI samples) read with simdjson into a read-only view.
//
//   verdict::DocumentReader reader;                 // one per engine: reuses buffers
//   auto doc = reader.read(R"({"labels": {"k8s.namespace": "pay"}})");
//   if (!doc.ok()) { /* doc.error(): code, message, offset, line, column */ }
//   auto path = verdict::Path::parse(R"(labels["k8s.namespace"])");
//   std::string_view ns = doc.value().root().at(path.value()).as_string();  // "pay"
//
//   // NDJSON: one document per line; a broken line is reported and skipped.
//   reader.read_ndjson(bytes, [](const verdict::StreamItem& item) {
//     if (item.document) use(item.document->root()); else report(*item.error);
//     return true;  // false stops the stream
//   });
//
// Missing fields: looking up a key that is absent, indexing past the end, or
// walking into a scalar gives a *missing* Value (exists() == false), never an
// error. Typed accessors on a missing or differently typed value return the
// default they are given. This is the meaning later layers build on.
//
// Ownership and threads: a Document owns its bytes and parse; it is movable, not
// copyable, and may be read from many threads at once. A Value is a cheap handle
// into a Document and is valid while that Document lives. A DocumentReader is
// not thread-safe: use one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "verdict/result.h"

namespace verdict {

// Limits on input documents. Exceeding one is an error with a position.
struct Limits {
  size_t max_depth = 128;                    // nesting of arrays and objects
  size_t max_document_bytes = 256u << 20;    // one JSON document (one NDJSON line)
  size_t max_string_bytes = 1u << 20;        // one string value or key, after unescaping
};

enum class Type : uint8_t { kMissing, kNull, kBool, kInt, kDouble, kString, kArray, kObject };

// "missing", "null", "bool", "int", "double", "string", "array", "object".
const char* type_name(Type t);

// A field path: `labels.service`, `labels["k8s.namespace"]`, `items[0].name`.
class Path {
 public:
  struct Segment {
    std::string key;    // used when !is_index
    size_t index = 0;   // used when is_index
    bool is_index = false;
  };

  static Result<Path> parse(std::string_view text);
  static Path of_keys(std::initializer_list<std::string_view> keys);

  const std::vector<Segment>& segments() const { return segments_; }
  std::string to_string() const;

 private:
  std::vector<Segment> segments_;
};

// A read-only handle to one JSON value inside a Document (or a missing value).
class Value {
 public:
  Value() = default;  // missing

  Type type() const;
  bool exists() const { return present_; }
  bool is_null() const { return type() == Type::kNull; }
  bool is_number() const { Type t = type(); return t == Type::kInt || t == Type::kDouble; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  bool as_bool(bool fallback = false) const;
  int64_t as_int(int64_t fallback = 0) const;         // ints, and doubles with no fraction
  double as_double(double fallback = 0.0) const;      // any number
  std::string_view as_string(std::string_view fallback = {}) const;

  // Arrays: number of items; objects: number of members; otherwise 0.
  size_t size() const;
  // Object member by key (first match), or missing.
  Value get(std::string_view key) const;
  Value operator[](std::string_view key) const { return get(key); }
  // Array item by position, or missing.
  Value at(size_t index) const;
  Value at(const Path& path) const;

  // Members of an object in document order; items of an array. Stop by returning false.
  void for_each_member(const std::function<bool(std::string_view, Value)>& fn) const;
  void for_each_item(const std::function<bool(Value)>& fn) const;

  // Canonical compact JSON (see json_writer.h for the number format).
  std::string to_json() const;

 private:
  friend struct ValueAccess;
  // A simdjson::dom::element, kept opaque so that this header does not pull in simdjson.
  alignas(8) unsigned char element_[16] = {};
  bool present_ = false;
};

// One parsed document: its bytes, its parse, and the root value.
class Document {
 public:
  Document();
  ~Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  Value root() const;
  size_t size_bytes() const;  // length of the JSON text

 private:
  friend class DocumentReader;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One line of an NDJSON stream, passed to the callback of read_ndjson.
// Exactly one of document and error is set. Both are valid during the callback only.
struct StreamItem {
  size_t line = 0;          // 1-based line number in the stream
  size_t offset = 0;        // byte offset of the line's first byte
  size_t length = 0;        // bytes in the line, without the newline
  const Document* document = nullptr;
  const Error* error = nullptr;
};

struct StreamStats {
  size_t lines = 0;    // non-blank lines seen
  size_t read = 0;     // documents read
  size_t failed = 0;   // lines that were not valid documents
  size_t bytes = 0;    // bytes of the stream
};

class DocumentReader {
 public:
  explicit DocumentReader(Limits limits = {});
  ~DocumentReader();
  DocumentReader(const DocumentReader&) = delete;
  DocumentReader& operator=(const DocumentReader&) = delete;

  const Limits& limits() const { return limits_; }

  // One JSON document whose top level is an object or an array. The bytes are copied.
  Result<Document> read(std::string_view json);

  // An NDJSON stream: one document per line ("\n" or "\r\n"); blank lines are skipped.
  // Every line is reported to `fn`, in order; a broken line does not stop the stream.
  StreamStats read_ndjson(std::string_view data, const std::function<bool(const StreamItem&)>& fn);

  // Whether `data` looks like NDJSON rather than one JSON document: one of its first
  // two non-blank lines is a complete object or array on its own, and more follows.
  bool is_ndjson(std::string_view data);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Limits limits_;
};

}  // namespace verdict
