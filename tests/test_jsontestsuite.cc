// JSONTestSuite's "must reject" files (nst/JSONTestSuite, test_parsing/n_*.json, MIT licence,
// tests/jsontestsuite/): each is refused with an error that says where, found by the one
// portable locator (document/locate.cc). js/test/jsontestsuite.test.mjs reads the same files
// natively and in Wasm and compares the errors byte for byte.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "verdict/document.h"

using verdict::DocumentReader;
using verdict::ErrorCode;

namespace {

std::string base64_decode(const std::string& in) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    size_t v = kAlphabet.find(c);
    if (v == std::string::npos) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

// The suite's files, and the two larger ones generated as the suite has them.
std::vector<std::pair<std::string, std::string>> must_reject() {
  std::ifstream f(std::string(VERDICT_SOURCE_DIR) + "/tests/jsontestsuite/n_parsing.json", std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(ss.str(), nullptr, false);
  std::vector<std::pair<std::string, std::string>> out;
  if (doc.is_discarded()) return out;
  for (auto it = doc["cases"].begin(); it != doc["cases"].end(); ++it)
    out.emplace_back(it.key(), base64_decode(it.value().get<std::string>()));
  out.emplace_back("n_structure_100000_opening_arrays.json", std::string(100000, '['));
  std::string open_array_object;
  for (int i = 0; i < 50000; ++i) open_array_object += "[{\"\":";
  out.emplace_back("n_structure_open_array_object.json", open_array_object + "\n");
  return out;
}

}  // namespace

TEST_CASE("every JSONTestSuite must-reject file is refused with a position", "[document][jsontestsuite]") {
  auto cases = must_reject();
  REQUIRE(cases.size() == 188);
  DocumentReader reader;
  for (const auto& [name, bytes] : cases) {
    INFO(name);
    auto doc = reader.read(bytes);
    REQUIRE_FALSE(doc.ok());
    const verdict::Error& e = doc.error();
    CHECK(e.offset >= 0);
    CHECK(e.line >= 1);
    CHECK(e.column >= 1);
    CHECK_FALSE(e.message.empty());
  }
}

TEST_CASE("an escape of a raw TAB or NUL is an invalid escape at its backslash", "[document][jsontestsuite]") {
  DocumentReader reader;
  for (char raw : {'\t', '\0'}) {
    INFO(static_cast<int>(raw));
    std::string text = std::string("{\"a\": \"x\\") + raw + "y\"}";
    auto doc = reader.read(text);
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().code == ErrorCode::kInvalidJson);
    CHECK(doc.error().message == "invalid escape sequence in a string");
    CHECK(doc.error().offset == 8);
    CHECK(doc.error().column == 9);
  }
}

TEST_CASE("the locator reports the first problem in the text, whatever simdjson saw first", "[document][jsontestsuite]") {
  DocumentReader reader;
  struct Case {
    std::string text;
    ErrorCode code;
    int64_t offset;
    std::string message;
  };
  std::vector<Case> cases = {
      {"[1 2]", ErrorCode::kInvalidJson, 3, "unexpected '2'"},
      {"{\"a\" 1}", ErrorCode::kInvalidJson, 5, "unexpected '1'"},
      {"[\"\\uD800\"]", ErrorCode::kInvalidJson, 2, "invalid escape sequence in a string (a lone UTF-16 surrogate)"},
      {"[1.]", ErrorCode::kInvalidJson, 1, "invalid number 1."},
      {"[-", ErrorCode::kInvalidJson, 1, "unexpected end of input after -: the document is truncated"},
      {"[tru]", ErrorCode::kInvalidJson, 1, "invalid literal (expected true, false or null)"},
      {"{\"a\":1,}", ErrorCode::kInvalidJson, 7, "unexpected '}' (a value, key or comma is missing or extra)"},
      {"[1e400]", ErrorCode::kNumberOutOfRange, 1,
       "number 1e400 is out of range: integers must fit in 64 bits and other numbers in a double"},
      {"[\"a\x01\"]", ErrorCode::kControlCharacter, 3, "unescaped control character U+0001 in a string (escape it as \\u0001)"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto doc = reader.read(c.text);
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().code == c.code);
    CHECK(doc.error().offset == c.offset);
    CHECK(doc.error().message == c.message);
  }
}

TEST_CASE("a document after a UTF-8 byte order mark is read, and error positions count the mark", "[document]") {
  // docs/documents.md says so (it once said the opposite).
  DocumentReader reader;
  auto ok = reader.read("\xEF\xBB\xBF{\"a\": 1}");
  REQUIRE(ok.ok());
  CHECK(ok.value().root()["a"].as_int() == 1);
  auto bad = reader.read("\xEF\xBB\xBF[1 2]");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().offset == 6);
}
