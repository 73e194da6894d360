// Result, Status and Error: errors as values, and how they print.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <utility>

#include "verdict/result.h"

using verdict::Error;
using verdict::ErrorCode;
using verdict::Result;
using verdict::Status;

namespace {

Error error_at(std::string source, int64_t offset, int64_t line, int64_t column) {
  Error e(ErrorCode::kInvalidJson, "msg");
  e.source = std::move(source);
  e.offset = offset;
  e.line = line;
  e.column = column;
  return e;
}

Error located_in(const std::string& text, int64_t offset) {
  Error e(ErrorCode::kInvalidJson, "msg");
  e.offset = offset;
  verdict::set_line_column(e, text.data(), text.size());
  return e;
}

}  // namespace

TEST_CASE("Error::to_string prints source:line:column: message, leaving out what is not known", "[result]") {
  struct Case {
    const char* source;
    int64_t offset, line, column;
    const char* expected;
  };
  const Case cases[] = {
      {"src", 40, 3, 14, "src:3:14: msg"},
      {"", 40, 3, 14, "3:14: msg"},
      {"src", 40, 3, 0, "src:3: msg"},        // a line without a column
      {"", -1, 7, 0, "7: msg"},
      {"", 5, 0, 0, "byte 5: msg"},           // no line: the byte offset instead
      {"", 0, 0, 0, "byte 0: msg"},           // offset 0 is a known position
      {"src", 5, 0, 0, "src:byte 5: msg"},
      {"src", -1, 0, 0, "src: msg"},
      {"", -1, 0, 0, "msg"},                  // nothing known: the bare message
      {"", -1, 0, 9, "msg"},                  // a column alone means nothing
  };
  for (const Case& c : cases) {
    INFO("source='" << c.source << "' offset=" << c.offset << " line=" << c.line << " column=" << c.column);
    CHECK(error_at(c.source, c.offset, c.line, c.column).to_string() == c.expected);
  }
}

TEST_CASE("a default Error is an internal error with no position", "[result]") {
  Error e;
  CHECK(e.code == ErrorCode::kInternal);
  CHECK(e.message.empty());
  CHECK(e.source.empty());
  CHECK(e.offset == -1);
  CHECK(e.line == 0);
  CHECK(e.column == 0);
  CHECK(e.to_string().empty());
}

TEST_CASE("error_code_name gives the stable snake_case name of every code", "[result]") {
  auto [code, value, name] = GENERATE(table<ErrorCode, int, std::string>({
      {ErrorCode::kOk, 0, "ok"},
      {ErrorCode::kEmptyInput, 1, "empty_input"},
      {ErrorCode::kInvalidJson, 2, "invalid_json"},
      {ErrorCode::kInvalidUtf8, 3, "invalid_utf8"},
      {ErrorCode::kControlCharacter, 4, "control_character"},
      {ErrorCode::kTooDeep, 5, "too_deep"},
      {ErrorCode::kTooLarge, 6, "too_large"},
      {ErrorCode::kNumberOutOfRange, 7, "number_out_of_range"},
      {ErrorCode::kDuplicateKey, 8, "duplicate_key"},
      {ErrorCode::kWrongType, 9, "wrong_type"},
      {ErrorCode::kTrailingContent, 10, "trailing_content"},
      {ErrorCode::kInvalidArgument, 11, "invalid_argument"},
      {ErrorCode::kOutOfMemory, 12, "out_of_memory"},
      {ErrorCode::kInvalidPath, 13, "invalid_path"},
      {ErrorCode::kInternal, 14, "internal"},
      {ErrorCode::kSyntaxError, 15, "syntax_error"},
      {ErrorCode::kUnknownName, 16, "unknown_name"},
      {ErrorCode::kTypeError, 17, "type_error"},
      {ErrorCode::kInvalidRegex, 18, "invalid_regex"},
      {ErrorCode::kLimitExceeded, 19, "limit_exceeded"},
      {ErrorCode::kInvalidPolicy, 20, "invalid_policy"},
      {ErrorCode::kEvalError, 21, "eval_error"},
      {ErrorCode::kNotFound, 22, "not_found"},
  }));
  INFO("code " << value);
  // The numbers cross the C ABI: they must never change.
  CHECK(static_cast<int>(code) == value);
  CHECK(std::string(verdict::error_code_name(code)) == name);
}

TEST_CASE("error_code_name of a value outside the enum is \"internal\", never null", "[result]") {
  const char* name = verdict::error_code_name(static_cast<ErrorCode>(99));
  REQUIRE(name != nullptr);
  CHECK(std::string(name) == "internal");
  CHECK(std::string(verdict::error_code_name(static_cast<ErrorCode>(-1))) == "internal");
}

TEST_CASE("set_line_column turns a byte offset into a 1-based line and byte column", "[result]") {
  // Offsets:   a=0 b=1 \n=2 c=3 d=4 \n=5 e=6 f=7 (size 8)
  const std::string text = "ab\ncd\nef";
  struct Case {
    int64_t offset, line, column;
  };
  const Case cases[] = {
      {0, 1, 1},   // the first byte
      {1, 1, 2},
      {2, 1, 3},   // a newline belongs to the line it ends
      {3, 2, 1},   // the first byte of a line
      {4, 2, 2},
      {5, 2, 3},
      {6, 3, 1},   // the first byte of the last line
      {7, 3, 2},
      {8, 3, 3},   // the end of the input (e.g. a truncated document)
      {9, 3, 3},   // past the end: clamped to the end
      {1000, 3, 3},
  };
  for (const Case& c : cases) {
    INFO("offset " << c.offset);
    Error e = located_in(text, c.offset);
    CHECK(e.line == c.line);
    CHECK(e.column == c.column);
    CHECK(e.offset == c.offset);  // the offset itself is kept
  }
}

TEST_CASE("set_line_column counts empty lines and columns in bytes, not characters", "[result]") {
  // "\n\n" : offset 2 is the start of the (empty) third line.
  Error blank = located_in("\n\nx", 2);
  CHECK(blank.line == 3);
  CHECK(blank.column == 1);

  // "é" is two bytes (C3 A9): the 'x' after it is at byte column 3.
  Error wide = located_in("\xc3\xa9x", 2);
  CHECK(wide.line == 1);
  CHECK(wide.column == 3);

  // "\r\n": only '\n' ends a line; '\r' is a byte of the line before it.
  Error crlf = located_in("ab\r\ncd", 4);
  CHECK(crlf.line == 2);
  CHECK(crlf.column == 1);
}

TEST_CASE("set_line_column leaves an error without an offset unlocated", "[result]") {
  Error e(ErrorCode::kInvalidJson, "msg");
  REQUIRE(e.offset == -1);
  verdict::set_line_column(e, "ab\ncd", 5);
  CHECK(e.line == 0);
  CHECK(e.column == 0);
  CHECK(e.to_string() == "msg");
}

TEST_CASE("set_line_column on empty text puts every offset at 1:1", "[result]") {
  Error e(ErrorCode::kEmptyInput, "empty");
  e.offset = 0;
  verdict::set_line_column(e, "", 0);
  CHECK(e.line == 1);
  CHECK(e.column == 1);
  CHECK(e.to_string() == "1:1: empty");
}

TEST_CASE("Result holds either a value or an error", "[result]") {
  Result<int> good = 42;
  CHECK(good.ok());
  CHECK(static_cast<bool>(good));
  CHECK(good.value() == 42);

  Result<int> bad = Error(ErrorCode::kWrongType, "not an int");
  CHECK_FALSE(bad.ok());
  CHECK_FALSE(static_cast<bool>(bad));
  CHECK(bad.error().code == ErrorCode::kWrongType);
  CHECK(bad.error().message == "not an int");

  // The error is mutable in place (the reader adds positions this way).
  bad.error().offset = 3;
  CHECK(bad.error().offset == 3);
}

TEST_CASE("Result moves its value out", "[result]") {
  Result<std::string> r = std::string(100, 'x');
  std::string taken = std::move(r).value();
  CHECK(taken.size() == 100);

  Result<std::string> copy = std::string("abc");
  const Result<std::string>& cref = copy;
  CHECK(cref.value() == "abc");
  copy.value() += "d";
  CHECK(cref.value() == "abcd");
}

TEST_CASE("Status is ok by default and carries an error otherwise", "[result]") {
  Status fine;
  CHECK(fine.ok());
  CHECK(static_cast<bool>(fine));

  Error e(ErrorCode::kInvalidPath, "bad path");
  e.offset = 2;
  e.line = 1;
  e.column = 3;
  Status failed = e;
  CHECK_FALSE(failed.ok());
  CHECK_FALSE(static_cast<bool>(failed));
  CHECK(failed.error().code == ErrorCode::kInvalidPath);
  CHECK(failed.error().to_string() == "1:3: bad path");
}
