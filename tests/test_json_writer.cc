// JsonWriter and the append_json_* formatters: the one way verdict writes JSON.
#include <catch2/catch.hpp>

#include <cstdio>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "verdict/json_writer.h"

using verdict::JsonWriter;

namespace {

std::string json_string(std::string_view s) {
  std::string out;
  verdict::append_json_string(out, s);
  return out;
}

std::string json_double(double d) {
  std::string out;
  verdict::append_json_double(out, d);
  return out;
}

}  // namespace

TEST_CASE("JsonWriter separates members and items with commas at every level", "[json]") {
  JsonWriter w;
  w.begin_object();
  w.key("a").number(1);
  w.key("b").begin_array();
  w.number(1).string("x").begin_object().end_object().null().boolean(false).boolean(true);
  w.end_array();
  w.key("c").begin_object().key("d").begin_array().end_array().end_object();
  w.end_object();
  CHECK(w.view() == R"({"a":1,"b":[1,"x",{},null,false,true],"c":{"d":[]}})");
}

TEST_CASE("JsonWriter writes empty containers and containers of containers", "[json]") {
  JsonWriter w;
  w.begin_array();
  w.begin_array().end_array();
  w.begin_array().number(1).end_array();
  w.begin_array().begin_array().number(2).end_array().end_array();
  w.begin_object().end_object();
  w.end_array();
  CHECK(w.view() == "[[],[1],[[2]],{}]");
}

TEST_CASE("JsonWriter::raw inserts serialized JSON as one value", "[json]") {
  JsonWriter w;
  w.begin_object();
  w.key("v").raw(R"({"x":[1,2]})");
  w.key("w").begin_array().raw("1").raw("[]").raw(R"("s")").end_array();
  w.end_object();
  CHECK(w.view() == R"({"v":{"x":[1,2]},"w":[1,[],"s"]})");
}

TEST_CASE("JsonWriter::take hands out the text and starts over", "[json]") {
  JsonWriter w;
  w.begin_array().number(1).end_array();
  std::string first = w.take();
  CHECK(first == "[1]");
  CHECK(w.view().empty());

  // No comma leaks from the previous document into the next.
  w.begin_object().key("k").string("v").end_object();
  CHECK(w.view() == R"({"k":"v"})");

  w.clear();
  CHECK(w.view().empty());
  w.begin_array().boolean(true).end_array();
  CHECK(w.view() == "[true]");
}

TEST_CASE("JsonWriter writes a bare scalar as a whole document", "[json]") {
  JsonWriter w;
  w.string("only");
  CHECK(w.view() == R"("only")");
}

TEST_CASE("JSON strings escape quotes, backslashes and control characters", "[json]") {
  using namespace std::string_literals;
  struct Case {
    std::string input;
    std::string expected;
  };
  const Case cases[] = {
      {"", R"("")"},
      {"plain", R"("plain")"},
      {R"(a"b)", R"("a\"b")"},
      {R"(a\b)", R"("a\\b")"},
      {"line1\nline2", R"("line1\nline2")"},
      {"\r\t\b\f", R"("\r\t\b\f")"},
      {"\x01", R"("\u0001")"},
      {"\x1f", R"("\u001f")"},
      {"a\x0b"s + "b", R"("a\u000bb")"},           // vertical tab has no short form
      {"x\0y"s, R"("x\u0000y")"},                  // NUL inside the view
      {"/", R"("/")"},                             // '/' needs no escape
      {"\x7f", "\"\x7f\""},                        // DEL is not a control character in JSON
      {"\xc3\xa9t\xc3\xa9", "\"\xc3\xa9t\xc3\xa9\""},  // UTF-8 passes through: "été"
      {"\xe2\x82\xac 5", "\"\xe2\x82\xac 5\""},        // "€ 5"
      {"\xf0\x9f\x94\xa5", "\"\xf0\x9f\x94\xa5\""},    // U+1F525, 4 bytes
      {R"(\"")", R"("\\\"\"")"},
  };
  for (const Case& c : cases) {
    INFO("input of " << c.input.size() << " bytes: " << c.input);
    CHECK(json_string(c.input) == c.expected);
  }
}

TEST_CASE("append_json_string appends to what is already there", "[json]") {
  std::string out = "key=";
  verdict::append_json_string(out, "v");
  CHECK(out == R"(key="v")");
}

TEST_CASE("integers are written in decimal, including the extremes of 64 bits", "[json]") {
  std::string out;
  verdict::append_json_int(out, std::numeric_limits<int64_t>::min());
  CHECK(out == "-9223372036854775808");
  out.clear();
  verdict::append_json_int(out, std::numeric_limits<int64_t>::max());
  CHECK(out == "9223372036854775807");
  out.clear();
  verdict::append_json_uint(out, std::numeric_limits<uint64_t>::max());
  CHECK(out == "18446744073709551615");

  JsonWriter w;
  w.begin_array()
      .number(0)
      .number(-1)
      .number(int64_t{-42})
      .number(uint64_t{0})
      .number(std::numeric_limits<int64_t>::min())
      .number(std::numeric_limits<uint64_t>::max())
      .end_array();
  CHECK(w.view() == "[0,-1,-42,0,-9223372036854775808,18446744073709551615]");
}

TEST_CASE("doubles are written in the shortest form that reads back the same", "[json]") {
  // The rules of nlohmann/json's Grisu2 formatter: a decimal point and ".0" for
  // whole numbers; plain notation while the decimal point is within 15 digits
  // (and down to 0.0001); otherwise d.ddde+XX with at least two exponent digits.
  auto [value, expected] = GENERATE(table<double, std::string>({
      {0.1, "0.1"},
      {1.0, "1.0"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1.5, "1.5"},
      {-2.25, "-2.25"},
      {100.0, "100.0"},
      {123.456, "123.456"},
      {1e100, "1e+100"},
      {1.5e300, "1.5e+300"},
      {1e14, "100000000000000.0"},          // 15 digits before the point: still plain
      {1e15, "1e+15"},                      // 16: exponent form
      {9007199254740992.0, "9.007199254740992e+15"},  // 2^53
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {1e-7, "1e-07"},
      {0.30000000000000004, "0.30000000000000004"},  // 0.1 + 0.2: all digits needed
      {1.7976931348623157e308, "1.7976931348623157e+308"},  // DBL_MAX
      {5e-324, "5e-324"},                   // the smallest denormal
  }));
  INFO("expected " << expected);
  CHECK(json_double(value) == expected);
}

TEST_CASE("NaN and infinities are written as null, which is valid JSON", "[json]") {
  auto value = GENERATE(std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN(),
                        std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity());
  CHECK(json_double(value) == "null");

  JsonWriter w;
  w.begin_object().key("x").number(value).end_object();
  CHECK(w.view() == R"({"x":null})");
}

TEST_CASE("JsonWriter::number(double) uses the same formatter", "[json]") {
  JsonWriter w;
  w.begin_array().number(0.1).number(1.0).number(1e100).number(-0.0).end_array();
  CHECK(w.view() == "[0.1,1.0,1e+100,-0.0]");
}

TEST_CASE("keys are escaped like strings", "[json]") {
  JsonWriter w;
  w.begin_object().key("a\"b").number(1).key("tab\there").number(2).key("").number(3).end_object();
  CHECK(w.view() == R"({"a\"b":1,"tab\there":2,"":3})");
}

TEST_CASE("string escaping finds special bytes at every position, including past 8-byte blocks", "[json]") {
  // A reference escaper, one byte at a time, to compare the word-at-a-time fast path with.
  auto reference = [](const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
    }
    return out + "\"";
  };
  const std::string specials[] = {"\"", "\\", "\n", std::string(1, '\x01'), std::string(1, '\x1f'), std::string(1, '\0'), "\x7f", "\xc3\xa9", " ", "!"};
  for (size_t len = 0; len <= 24; ++len) {
    for (size_t pos = 0; pos < len; ++pos) {
      for (const std::string& sp : specials) {
        std::string s(len, 'a');
        s.replace(pos, 1, sp);
        std::string got;
        verdict::append_json_string(got, s);
        CAPTURE(len, pos, sp);
        REQUIRE(got == reference(s));
      }
    }
  }
}
