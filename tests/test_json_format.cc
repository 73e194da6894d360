// The canonical formatting of policy files (core/src/policy/json_format.h, `verdict fmt`):
// exact output for each rule, comments kept where they were, idempotence, and errors with
// positions. The shipped policies are formatted by the ctest `cli_fmt`.
#include <catch2/catch.hpp>

#include <string>

#include "policy/json_format.h"

using verdict::ErrorCode;
using verdict::policy::format_policy_text;
using verdict::policy::is_verdict_document;

namespace {

std::string fmt(const std::string& text) {
  auto r = format_policy_text(text, "p.json");
  INFO(text);
  REQUIRE(r.ok());
  auto again = format_policy_text(r.value(), "p.json");
  REQUIRE(again.ok());
  CHECK(again.value() == r.value());  // idempotent
  return r.value();
}

}  // namespace

TEST_CASE("fmt puts the envelope keys first and keeps the order of every other key", "[fmt]") {
  CHECK(fmt(R"({"spec": {"z": 1, "a": 2}, "x": true, "metadata": {"name": "n"}, "kind": "Rules", "apiVersion": "verdict/v1"})") ==
        "{\"apiVersion\": \"verdict/v1\", \"kind\": \"Rules\", \"metadata\": {\"name\": \"n\"}, \"spec\": {\"z\": 1, \"a\": 2}, \"x\": true}\n");
  // In a bundle (a root array), each policy's envelope.
  CHECK(fmt("[\n{\"kind\": \"A\", \"apiVersion\": \"verdict/v1\"},\n{\"spec\": 1, \"kind\": \"B\"}\n]") ==
        "[\n  {\"apiVersion\": \"verdict/v1\", \"kind\": \"A\"},\n  {\"kind\": \"B\", \"spec\": 1}\n]\n");
  // Not below the root: a key named "kind" inside spec stays where it is.
  CHECK(fmt(R"({"spec": {"spec": 1, "kind": 2}})") == "{\"spec\": {\"spec\": 1, \"kind\": 2}}\n");
}

TEST_CASE("fmt indents by two spaces and keeps one-line containers on one line", "[fmt]") {
  CHECK(fmt("{\n\t\"a\":[1,2,   3],\n        \"b\" :{ \"c\":null }\n}") == "{\n  \"a\": [1, 2, 3],\n  \"b\": {\"c\": null}\n}\n");
  // A container written over several lines stays so; its parents follow.
  CHECK(fmt("{\"a\": [{\n\"b\": 1}]}") == "{\n  \"a\": [\n    {\n      \"b\": 1\n    }\n  ]\n}\n");
  CHECK(fmt("{\"a\": [], \"b\": {\n}}") == "{\n  \"a\": [],\n  \"b\": {}\n}\n");
  // A wrapped object: one member per line.
  CHECK(fmt("{\"a\": 1, \"b\": 2,\n \"c\": 3}") == "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}\n");
}

TEST_CASE("fmt keeps strings and numbers byte for byte", "[fmt]") {
  CHECK(fmt(R"({"a": "x\u00e9\"\\n", "b": 1.0, "c": -2e3, "d": 10})") == "{\"a\": \"x\\u00e9\\\"\\\\n\", \"b\": 1.0, \"c\": -2e3, \"d\": 10}\n");
}

TEST_CASE("fmt keeps every comment where it was", "[fmt]") {
  const std::string in =
      "// head\n"
      "/* block */\n"
      "\n"
      "{\n"
      "    // before a\n"
      "    \"a\": 1,   // after a   \n"
      "\n"
      "\n"
      "    // before b\n"
      "    \"b\": [1, /* inside */ 2],\n"
      "    \"c\": {\"d\": true} /* after c */\n"
      "    // at the end of the root\n"
      "}\n"
      "// tail\n";
  const std::string want =
      "// head\n"
      "/* block */\n"
      "\n"
      "{\n"
      "  // before a\n"
      "  \"a\": 1, // after a\n"
      "\n"
      "  // before b\n"
      "  \"b\": [\n"
      "    1, /* inside */\n"
      "    2\n"
      "  ],\n"
      "  \"c\": {\"d\": true} /* after c */\n"
      "  // at the end of the root\n"
      "}\n"
      "// tail\n";
  CHECK(fmt(in) == want);
  // A comment between a key and its value moves to the line before the member.
  CHECK(fmt("{\"a\": // why\n 1}") == "{\n  // why\n  \"a\": 1\n}\n");
  // An empty container with a comment.
  CHECK(fmt("{\"a\": [ // none yet\n]}") == "{\n  \"a\": [\n    // none yet\n  ]\n}\n");
}

TEST_CASE("fmt writes LF line ends without a byte order mark or trailing spaces", "[fmt]") {
  CHECK(fmt("\xEF\xBB\xBF{\r\n  \"a\": 1 \r\n}\r\n\r\n") == "{\n  \"a\": 1\n}\n");
}

TEST_CASE("fmt reports text that is not JSON with comments at its position", "[fmt]") {
  auto r = format_policy_text("{\n  \"a\": 1,\n  \"b\" 2\n}\n", "bad.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInvalidJson);
  CHECK(r.error().source == "bad.json");
  CHECK(r.error().line == 3);
  auto dup = format_policy_text("{\"a\": 1, \"a\": 2}", "dup.json");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().code == ErrorCode::kDuplicateKey);
  CHECK_FALSE(format_policy_text("", "empty.json").ok());
}

TEST_CASE("fmt takes verdict documents and bundles from folders, not data files", "[fmt]") {
  CHECK(is_verdict_document(R"({"apiVersion": "verdict/v1", "kind": "Rules"})"));
  CHECK(is_verdict_document("// c\n[{\"apiVersion\": \"verdict/v1\"}, {\"apiVersion\": \"verdict/v1\"}]"));
  CHECK_FALSE(is_verdict_document(R"([{"apiVersion": "verdict/v1"}, {"id": "x"}])"));
  CHECK_FALSE(is_verdict_document(R"({"items": []})"));
  CHECK_FALSE(is_verdict_document(R"({"apiVersion": "openslo/v1"})"));
  CHECK_FALSE(is_verdict_document("[]"));
  CHECK_FALSE(is_verdict_document("{not json"));
}

TEST_CASE("fmt refuses text nested deeper than 128 levels, at the bracket too deep", "[fmt]") {
  // samples/malformed/deep-nesting.json nests 100,000 arrays: an error, quickly, not a hang.
  auto r = format_policy_text(std::string(100000, '[') + std::string(100000, ']'), "deep.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kTooDeep);
  CHECK(r.error().line == 1);
  CHECK(r.error().column == 129);
  // 128 levels are formatted.
  CHECK(format_policy_text(std::string(128, '[') + std::string(128, ']'), "ok.json").ok());
}
