// verdict/result.h: errors as values.
//
// Every fallible operation in verdict returns a Result<T>: either a value or an
// Error with a code, a message and where it happened. The core never throws (a
// throw aborts a WebAssembly instance), so this is the only error channel.
//
//   verdict::Result<verdict::Document> doc = reader.read(bytes);
//   if (!doc.ok()) {
//     std::cerr << doc.error().to_string() << "\n";   // "input:3:14: ..."
//     return 2;
//   }
//   use(doc.value());
//
// Thread-safety: Result and Error are plain values; copy and move freely.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace verdict {

// Stable numeric codes: they cross the C ABI and appear in JSON as their names.
enum class ErrorCode : int {
  kOk = 0,                 // no error
  kEmptyInput = 1,         // the input holds no JSON value at all
  kInvalidJson = 2,        // a syntax error: bad token, missing comma, truncated document
  kInvalidUtf8 = 3,        // bytes that are not valid UTF-8
  kControlCharacter = 4,   // an unescaped control character (NUL, tab, ...) inside a string
  kTooDeep = 5,            // arrays/objects nested deeper than Limits::max_depth
  kTooLarge = 6,           // a document or string larger than its limit
  kNumberOutOfRange = 7,   // a number that does not fit a double or a 64-bit integer
  kDuplicateKey = 8,       // an object names the same key twice
  kWrongType = 9,          // a value of another type than required (e.g. a top-level scalar)
  kTrailingContent = 10,   // more bytes after a complete document
  kInvalidArgument = 11,   // a caller passed something invalid (null engine, bad flags)
  kOutOfMemory = 12,       // an allocation failed or a memory cap was reached
  kInvalidPath = 13,       // a field path that does not parse
  kInternal = 14,          // a bug in verdict: please report it
  kSyntaxError = 15,       // an expression or policy that does not parse
  kUnknownName = 16,       // an unknown variable, function, field or policy kind
  kTypeError = 17,         // a type mismatch (certain at load, or met during evaluation)
  kInvalidRegex = 18,      // a regular expression RE2 rejects (or one too large)
  kLimitExceeded = 19,     // an expression or evaluation beyond a documented limit
  kInvalidPolicy = 20,     // a policy document with a missing or malformed part
  kEvalError = 21,         // an evaluation failed (division by zero, overflow, ...)
  kNotFound = 22,          // a policy, entrypoint or file that is not loaded
  kWrongKind = 23,         // a policy of another kind than the command or endpoint needs
  kAmbiguous = 24,         // several loaded policies could be meant: name one
  kInvalidYaml = 25,       // YAML that does not parse (yaml-cpp's message, at the YAML line and column)
};

// The snake_case name of a code, e.g. "invalid_json". Never null.
const char* error_code_name(ErrorCode code);

// Where and why something failed. Positions are 1-based; 0 means "not known".
// `offset` is the 0-based byte offset in the input, -1 when not known. Columns
// count bytes, not characters, so they agree across hosts and encodings.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string source;  // file name, "stdin", policy name; may be empty
  int64_t offset = -1;
  int64_t line = 0;
  int64_t column = 0;

  Error() = default;
  Error(ErrorCode c, std::string msg) : code(c), message(std::move(msg)) {}

  // "source:line:column: message" (parts that are not known are left out).
  std::string to_string() const;
};

// Sets line and column of `error` from its offset into `text`.
void set_line_column(Error& error, const char* text, size_t size);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}     // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Preconditions: ok() for value(), !ok() for error().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  Error& error() { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// A Result without a value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace verdict
