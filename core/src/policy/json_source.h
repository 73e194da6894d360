// Reading a policy or data file: JSON with // and /* */ comments, through
// nlohmann/json's non-throwing parser, plus a map from JSON pointer to the byte
// position of each value and key in the text, so that every later error (a bad
// expression inside a string, a missing field, a wrong type) names file:line:column.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "verdict/result.h"

namespace verdict::policy {

struct Span {
  uint32_t begin = 0;  // offset of the value's first byte (the opening quote of a string)
  uint32_t end = 0;    // one past its last byte
};

class JsonSource {
 public:
  // Parses `text` (comments allowed). Duplicate keys are an error. `source` names the
  // file in errors. Arrays and objects nested deeper than `max_depth` are an error
  // (kLimitExceeded) at the first one too deep, found before anything deeper is read: the
  // positions kept per value grow with the depth, so an unbounded depth was quadratic.
  static constexpr size_t kDefaultMaxDepth = 128;
  static Result<JsonSource> parse(std::string_view text, std::string source, size_t max_depth = kDefaultMaxDepth);

  const nlohmann::ordered_json& root() const { return root_; }
  const std::string& text() const { return text_; }
  const std::string& source() const { return source_; }

  // Position of the value at `pointer` ("/spec/rules/0/when"), or of its key.
  Span value_span(const std::string& pointer) const;
  Span key_span(const std::string& pointer) const;

  // An error located at a value (or its key), with file, line and column.
  Error error_at(const std::string& pointer, ErrorCode code, std::string message, bool at_key = false) const;
  // An error inside the string value at `pointer`, at byte `index` of its decoded
  // contents (escapes in the file are accounted for).
  Error error_in_string(const std::string& pointer, size_t index, ErrorCode code, std::string message) const;

 private:
  nlohmann::ordered_json root_;
  std::string text_;
  std::string source_;
  std::unordered_map<std::string, Span> values_;
  std::unordered_map<std::string, Span> keys_;
};

// "/a/b~1c/0" from parts.
std::string pointer_join(const std::string& base, std::string_view key);
std::string pointer_join(const std::string& base, size_t index);

}  // namespace verdict::policy
