#include "verdict/result.h"

#include <cstring>

namespace verdict {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kEmptyInput: return "empty_input";
    case ErrorCode::kInvalidJson: return "invalid_json";
    case ErrorCode::kInvalidUtf8: return "invalid_utf8";
    case ErrorCode::kControlCharacter: return "control_character";
    case ErrorCode::kTooDeep: return "too_deep";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kNumberOutOfRange: return "number_out_of_range";
    case ErrorCode::kDuplicateKey: return "duplicate_key";
    case ErrorCode::kWrongType: return "wrong_type";
    case ErrorCode::kTrailingContent: return "trailing_content";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kOutOfMemory: return "out_of_memory";
    case ErrorCode::kInvalidPath: return "invalid_path";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kSyntaxError: return "syntax_error";
    case ErrorCode::kUnknownName: return "unknown_name";
    case ErrorCode::kTypeError: return "type_error";
    case ErrorCode::kInvalidRegex: return "invalid_regex";
    case ErrorCode::kLimitExceeded: return "limit_exceeded";
    case ErrorCode::kInvalidPolicy: return "invalid_policy";
    case ErrorCode::kEvalError: return "eval_error";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kWrongKind: return "wrong_kind";
    case ErrorCode::kAmbiguous: return "ambiguous";
    case ErrorCode::kInvalidYaml: return "invalid_yaml";
  }
  return "internal";
}

std::string Error::to_string() const {
  std::string s;
  if (!source.empty()) s += source + ":";
  if (line > 0) {
    s += std::to_string(line) + ":";
    if (column > 0) s += std::to_string(column) + ":";
  } else if (offset >= 0) {
    s += "byte " + std::to_string(offset) + ":";
  }
  if (!s.empty()) s += " ";
  s += message;
  return s;
}

void set_line_column(Error& error, const char* text, size_t size) {
  if (error.offset < 0) return;
  size_t end = static_cast<size_t>(error.offset);
  if (end > size) end = size;
  int64_t line = 1;
  size_t line_start = 0;
  const char* p = text;
  const char* stop = text + end;
  while (p < stop) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(stop - p));
    if (!nl) break;
    ++line;
    p = static_cast<const char*>(nl) + 1;
    line_start = static_cast<size_t>(p - text);
  }
  error.line = line;
  error.column = static_cast<int64_t>(end - line_start) + 1;
}

}  // namespace verdict
