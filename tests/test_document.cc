// The document layer on good input: Value, Path, Document, DocumentReader.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "verdict/document.h"

using verdict::Document;
using verdict::DocumentReader;
using verdict::ErrorCode;
using verdict::Path;
using verdict::Type;
using verdict::Value;

namespace {

// An incident-like document with every type in it.
const char* const kSample = R"({
  "labels": {"service": "payments", "k8s.namespace": "pay", "": "empty key", "a\"b": "quoted"},
  "items": [{"name": "first"}, {"name": "second"}, 7],
  "count": 3,
  "whole": 3.0,
  "half": 3.5,
  "neg": -7,
  "big": 18446744073709551615,
  "min": -9223372036854775808,
  "yes": true,
  "no": false,
  "nothing": null,
  "text": "hello",
  "empty_array": [],
  "empty_object": {}
})";

Document read_ok(DocumentReader& reader, std::string_view json) {
  auto doc = reader.read(json);
  INFO(json);
  if (!doc.ok()) FAIL("read failed: " << doc.error().to_string());
  return std::move(doc).value();
}

Path path(std::string_view text) {
  auto p = Path::parse(text);
  if (!p.ok()) FAIL("path did not parse: " << p.error().to_string());
  return std::move(p).value();
}

}  // namespace

TEST_CASE("paths reach into objects and arrays", "[document][path]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kSample);
  Value root = doc.root();

  auto [text, expected] = GENERATE(table<std::string, std::string>({
      {"labels.service", "payments"},
      {R"(labels["k8s.namespace"])", "pay"},
      {R"(labels['k8s.namespace'])", "pay"},
      {R"(labels[""])", "empty key"},
      {R"(labels["a\"b"])", "quoted"},
      {R"(["labels"].service)", "payments"},
      {"items[0].name", "first"},
      {"items[1].name", "second"},
      {"text", "hello"},
  }));
  INFO("path " << text);
  Value v = root.at(path(text));
  CHECK(v.exists());
  CHECK(v.type() == Type::kString);
  CHECK(v.as_string() == expected);
}

TEST_CASE("looking up what is not there gives a missing value, never an error", "[document][path]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kSample);
  Value root = doc.root();

  auto text = GENERATE(as<std::string>{},
                       "absent",              // no such key
                       "labels.absent",       // no such nested key
                       "labels.k8s",          // "k8s.namespace" is one key, not two
                       "items[3]",            // one past the end
                       "items[1000000]",      // far past the end
                       "items[2].name",       // item 2 is a number
                       "text.length",         // walking into a string
                       "count[0]",            // indexing a number
                       "nothing.x",           // walking into null
                       "labels[0]",           // indexing an object
                       "items.name",          // a key of an array
                       "empty_array[0]",
                       "empty_object.x",
                       "absent.deeper.still");
  INFO("path " << text);
  Value v = root.at(path(text));
  CHECK_FALSE(v.exists());
  CHECK(v.type() == Type::kMissing);
  CHECK_FALSE(v.is_null());
  CHECK(v.as_string("fallback") == "fallback");
  CHECK(v.as_int(-5) == -5);
  CHECK(v.size() == 0);
  CHECK(v.to_json() == "null");
}

TEST_CASE("get, operator() and at(index) agree with paths", "[document]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kSample);
  Value root = doc.root();
  CHECK(root.get("labels").get("service").as_string() == "payments");
  CHECK(root["labels"]["k8s.namespace"].as_string() == "pay");
  CHECK(root["items"].at(1)["name"].as_string() == "second");
  CHECK(root["items"].at(2).as_int() == 7);
  CHECK_FALSE(root["items"].at(3).exists());
  CHECK_FALSE(root.at(0).exists());            // at() on an object
  CHECK_FALSE(root["items"].get("0").exists()); // get() on an array
  CHECK_FALSE(Value().get("x").exists());       // on a missing value
  CHECK_FALSE(Value().at(0).exists());
  CHECK(root.at(Path::of_keys({"labels", "k8s.namespace"})).as_string() == "pay");
  CHECK(root.at(Path()).to_json() == root.to_json());  // the empty path is the value itself
}

TEST_CASE("every JSON type is reported as its Type", "[document]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kSample);
  Value root = doc.root();

  auto [key, type, name] = GENERATE(table<std::string, Type, std::string>({
      {"labels", Type::kObject, "object"},
      {"items", Type::kArray, "array"},
      {"count", Type::kInt, "int"},
      {"neg", Type::kInt, "int"},
      {"min", Type::kInt, "int"},
      {"whole", Type::kDouble, "double"},   // 3.0 is written as a double
      {"half", Type::kDouble, "double"},
      {"big", Type::kDouble, "double"},     // beyond int64: read as a double
      {"yes", Type::kBool, "bool"},
      {"nothing", Type::kNull, "null"},
      {"text", Type::kString, "string"},
      {"absent", Type::kMissing, "missing"},
  }));
  INFO("key " << key);
  Value v = root.get(key);
  CHECK(v.type() == type);
  CHECK(std::string(verdict::type_name(v.type())) == name);
  CHECK(v.exists() == (type != Type::kMissing));
  CHECK(v.is_number() == (type == Type::kInt || type == Type::kDouble));
  CHECK(v.is_string() == (type == Type::kString));
  CHECK(v.is_array() == (type == Type::kArray));
  CHECK(v.is_object() == (type == Type::kObject));
  CHECK(v.is_null() == (type == Type::kNull));
}

TEST_CASE("a default Value is missing", "[document]") {
  Value v;
  CHECK_FALSE(v.exists());
  CHECK(v.type() == Type::kMissing);
  CHECK(v.as_bool(true) == true);
  CHECK(v.as_double(2.5) == 2.5);
}

TEST_CASE("typed accessors return the value, or the fallback for another type", "[document]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kSample);
  Value root = doc.root();

  SECTION("as_int takes ints and doubles without a fraction") {
    CHECK(root["count"].as_int(-1) == 3);
    CHECK(root["neg"].as_int(-1) == -7);
    CHECK(root["min"].as_int(-1) == std::numeric_limits<int64_t>::min());
    CHECK(root["whole"].as_int(-1) == 3);    // 3.0 -> 3
    CHECK(root["half"].as_int(-1) == -1);    // 3.5 has a fraction
    CHECK(root["big"].as_int(-1) == -1);     // does not fit int64
    CHECK(root["text"].as_int(-1) == -1);
    CHECK(root["yes"].as_int(-1) == -1);
    CHECK(root["nothing"].as_int(-1) == -1);
    CHECK(root["labels"].as_int(-1) == -1);
    CHECK(root["count"].as_int() == 3);
    CHECK(root["text"].as_int() == 0);       // the default fallback
  }
  SECTION("as_double takes any number") {
    CHECK(root["half"].as_double(-1) == 3.5);
    CHECK(root["count"].as_double(-1) == 3.0);
    CHECK(root["neg"].as_double(-1) == -7.0);
    CHECK(root["big"].as_double(-1) == 18446744073709551615.0);
    CHECK(root["text"].as_double(-1) == -1.0);
    CHECK(root["yes"].as_double(-1) == -1.0);
  }
  SECTION("as_bool takes only booleans") {
    CHECK(root["yes"].as_bool(false) == true);
    CHECK(root["no"].as_bool(true) == false);
    CHECK(root["count"].as_bool(true) == true);   // 3 is not a bool: fallback
    CHECK(root["count"].as_bool(false) == false);
    CHECK(root["text"].as_bool(true) == true);
    CHECK(root["nothing"].as_bool() == false);
  }
  SECTION("as_string takes only strings") {
    CHECK(root["text"].as_string("fb") == "hello");
    CHECK(root["count"].as_string("fb") == "fb");
    CHECK(root["nothing"].as_string("fb") == "fb");
    CHECK(root["labels"].as_string("fb") == "fb");
    CHECK(root["count"].as_string().empty());
  }
}

TEST_CASE("strings are unescaped, including unicode escapes and surrogate pairs", "[document]") {
  DocumentReader reader;
  Document doc = read_ok(reader, R"({"s": "a\"b\\c\/d\n\u00e9\u20ac\ud83d\udd25", "z": "x\u0000y"})");
  CHECK(doc.root()["s"].as_string() == "a\"b\\c/d\n\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5");
  std::string_view z = doc.root()["z"].as_string();
  CHECK(z.size() == 3);   // an escaped NUL is a byte of the string
  CHECK(z == std::string_view("x\0y", 3));
}

TEST_CASE("size counts array items and object members, and is 0 otherwise", "[document]") {
  DocumentReader reader;
  Document doc = read_ok(reader, kSample);
  Value root = doc.root();
  CHECK(root.size() == 14);
  CHECK(root["labels"].size() == 4);
  CHECK(root["items"].size() == 3);
  CHECK(root["empty_array"].size() == 0);
  CHECK(root["empty_object"].size() == 0);
  CHECK(root["text"].size() == 0);   // not the length of the string
  CHECK(root["count"].size() == 0);
  CHECK(root["nothing"].size() == 0);
  CHECK(root["absent"].size() == 0);
}

TEST_CASE("size counts arrays past simdjson's saturated 24-bit count", "[document][slow]") {
  // simdjson stores at most 0xFFFFFF as an array's size; Value::size must count on.
  const size_t n = 0xFFFFFF + 3;
  std::string json;
  json.reserve(2 * n + 2);
  json += '[';
  for (size_t i = 0; i < n; ++i) {
    if (i) json += ',';
    json += '0';
  }
  json += ']';
  DocumentReader reader;
  Document doc = read_ok(reader, json);
  CHECK(doc.root().size() == n);
  CHECK(doc.root().at(n - 1).exists());
  CHECK_FALSE(doc.root().at(n).exists());
}

TEST_CASE("for_each_member visits members in document order and stops on false", "[document]") {
  DocumentReader reader;
  Document doc = read_ok(reader, R"({"z": 1, "a": 2, "m": {"x": 0}, "b": [1]})");
  std::vector<std::string> keys;
  std::vector<std::string> values;
  doc.root().for_each_member([&](std::string_view k, Value v) {
    keys.emplace_back(k);
    values.push_back(v.to_json());
    return true;
  });
  CHECK(keys == std::vector<std::string>{"z", "a", "m", "b"});   // not sorted
  CHECK(values == std::vector<std::string>{"1", "2", R"({"x":0})", "[1]"});

  std::vector<std::string> first_two;
  doc.root().for_each_member([&](std::string_view k, Value) {
    first_two.emplace_back(k);
    return first_two.size() < 2;
  });
  CHECK(first_two == std::vector<std::string>{"z", "a"});

  int calls = 0;
  doc.root()["b"].for_each_member([&](std::string_view, Value) { return ++calls > 0; });  // an array
  Value().for_each_member([&](std::string_view, Value) { return ++calls > 0; });          // missing
  CHECK(calls == 0);
}

TEST_CASE("for_each_item visits items in order and stops on false", "[document]") {
  DocumentReader reader;
  Document doc = read_ok(reader, R"([10, "x", null, [1], {"k": 2}])");
  std::vector<std::string> items;
  doc.root().for_each_item([&](Value v) {
    items.push_back(v.to_json());
    return true;
  });
  CHECK(items == std::vector<std::string>{"10", R"("x")", "null", "[1]", R"({"k":2})"});

  int seen = 0;
  doc.root().for_each_item([&](Value) { return ++seen < 3; });
  CHECK(seen == 3);

  int calls = 0;
  doc.root().at(4).for_each_item([&](Value) { return ++calls > 0; });  // an object
  CHECK(calls == 0);
}

TEST_CASE("to_json writes canonical compact JSON", "[document]") {
  DocumentReader reader;
  struct Case {
    const char* input;
    const char* expected;
  };
  const Case cases[] = {
      {R"({ "b" : [ 1 , 2.50 , -0.0 , 1E2 , 1e-5 ] , "a" : { } })", R"({"b":[1,2.5,-0.0,100.0,1e-05],"a":{}})"},
      {"[\n  true,\n  false,\n  null\n]\n", "[true,false,null]"},
      {R"({"s":"\u00e9\n\u0001\/"})", "{\"s\":\"\xc3\xa9\\n\\u0001/\"}"},
      {R"({"big":18446744073709551615,"min":-9223372036854775808})",
       R"({"big":18446744073709551615,"min":-9223372036854775808})"},
      {R"({"x":0.1,"y":1.0,"z":1e100})", R"({"x":0.1,"y":1.0,"z":1e+100})"},
      {"[[],{},[[]]]", "[[],{},[[]]]"},
  };
  for (const Case& c : cases) {
    INFO("input " << c.input);
    Document doc = read_ok(reader, c.input);
    std::string out = doc.root().to_json();
    CHECK(out == c.expected);
    // Canonical: reading the output and writing it again changes nothing.
    Document again = read_ok(reader, out);
    CHECK(again.root().to_json() == out);
  }
}

TEST_CASE("a Document owns its bytes and survives moves and the reader's next read", "[document]") {
  DocumentReader reader;
  std::string text = R"({"k": "value"})";
  Document doc = read_ok(reader, text);
  text.assign(text.size(), 'x');   // the caller's buffer is gone
  CHECK(doc.size_bytes() == 14);
  Document moved = std::move(doc);
  Document other = read_ok(reader, R"({"k": "other"})");   // the reader reuses its parser
  CHECK(moved.root()["k"].as_string() == "value");
  CHECK(other.root()["k"].as_string() == "other");
  Document assigned;
  assigned = std::move(moved);
  CHECK(assigned.root()["k"].as_string() == "value");
  CHECK_FALSE(Document().root().exists());
}

TEST_CASE("Path::parse splits keys, quoted keys and indices", "[document][path]") {
  Path p = path(R"(a.b_c-d[12]["x.y"]['q"'].e)");
  const auto& s = p.segments();
  REQUIRE(s.size() == 6);
  CHECK((!s[0].is_index && s[0].key == "a"));
  CHECK((!s[1].is_index && s[1].key == "b_c-d"));
  CHECK((s[2].is_index && s[2].index == 12));
  CHECK((!s[3].is_index && s[3].key == "x.y"));
  CHECK((!s[4].is_index && s[4].key == "q\""));
  CHECK((!s[5].is_index && s[5].key == "e"));
}

TEST_CASE("Path::parse rejects malformed paths with the column of the problem", "[document][path]") {
  auto [text, offset] = GENERATE(table<std::string, int64_t>({
      {"", 0},                 // empty
      {"a..b", 2},             // the second '.'
      {".a", 0},
      {"a.", 2},               // ends with '.': points past the end
      {"a[", 2},               // nothing after '['
      {"a[x]", 2},             // 'x' is neither an index nor a quoted key
      {"a[1", 3},              // missing ']'
      {"a[-1]", 2},
      {R"(a["k)", 4},          // unclosed quoted key
      {"a[0]b", 4},            // a name right after ']'
      {"a b", 1},
      {"a.$", 2},
      {"a[99999999999999999999]", 15},   // index too large: after 13 digits (> 2^40)
  }));
  INFO("path '" << text << "'");
  auto p = Path::parse(text);
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().code == ErrorCode::kInvalidPath);
  CHECK(p.error().offset == offset);
  CHECK(p.error().line == 1);
  CHECK(p.error().column == offset + 1);
  CHECK_THAT(p.error().message, Catch::Contains("'" + text + "'"));
}

TEST_CASE("Path::to_string writes plain keys dotted and others bracketed", "[document][path]") {
  auto [text, expected] = GENERATE(table<std::string, std::string>({
      {"labels.service", "labels.service"},
      {R"(labels["k8s.namespace"])", R"(labels["k8s.namespace"])"},
      {R"(labels['k8s.namespace'])", R"(labels["k8s.namespace"])"},
      {R"(["plain"].x)", "plain.x"},
      {"items[1].name", "items[1].name"},
      {"[0]", "[0]"},
      {"[0].a", "[0].a"},
      {"a[0][1]", "a[0][1]"},
      {R"(a[""])", R"(a[""])"},
      {R"(a["q\"x"])", R"(a["q\"x"])"},
  }));
  INFO("path " << text);
  Path p = path(text);
  CHECK(p.to_string() == expected);
  // What to_string writes parses back to the same segments.
  Path again = path(p.to_string());
  CHECK(again.to_string() == expected);
  REQUIRE(again.segments().size() == p.segments().size());
  for (size_t i = 0; i < p.segments().size(); ++i) {
    CHECK(again.segments()[i].key == p.segments()[i].key);
    CHECK(again.segments()[i].is_index == p.segments()[i].is_index);
    CHECK(again.segments()[i].index == p.segments()[i].index);
  }
}

TEST_CASE("Path::of_keys takes keys literally", "[document][path]") {
  CHECK(Path::of_keys({"a", "b"}).to_string() == "a.b");
  CHECK(Path::of_keys({"a.b"}).to_string() == R"(["a.b"])");
  CHECK(Path::of_keys({}).segments().empty());
}

TEST_CASE("is_ndjson tells a stream of one-line documents from one document", "[document][ndjson]") {
  DocumentReader reader;
  struct Case {
    const char* what;
    std::string data;
    bool expected;
  };
  const Case cases[] = {
      {"two objects on two lines", "{\"a\":1}\n{\"a\":2}\n", true},
      {"no final newline", "{\"a\":1}\n{\"a\":2}", true},
      {"arrays", "[1]\n[2]\n", true},
      {"CRLF line ends", "{\"a\":1}\r\n{\"a\":2}\r\n", true},
      {"leading blank lines", "\n\n{\"a\":1}\n{\"a\":2}\n", true},
      {"first line broken, second good", "{\"a\":\n{\"a\":2}\n{\"a\":3}\n", true},
      {"pretty-printed object", "{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n", false},
      {"one line with a newline", "{\"a\":1}\n", false},
      {"one line, trailing blank lines", "{\"a\":1}\n\n  \n", false},
      {"one line without a newline", "{\"a\":1}", false},
      {"empty", "", false},
      {"scalars on lines", "1\n2\n3\n", false},
      {"first two lines broken", "{\n\"a\":1,\n{\"b\":2}\n{\"c\":3}\n", false},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    CHECK(reader.is_ndjson(c.data) == c.expected);
  }
}

TEST_CASE("is_ndjson does not take a pretty-printed array of one-line objects for NDJSON",
          "[document][ndjson]") {
  // Regression test for a fixed bug: `[`, `{"id":1}`, `]` on three lines is one valid JSON document, but its
  // second line is a complete object with more after it, so is_ndjson says yes and
  // Engine::read in auto mode reads it as a stream of three broken lines.
  DocumentReader reader;
  CHECK_FALSE(reader.is_ndjson("[\n{\"id\":1}\n]"));
  CHECK_FALSE(reader.is_ndjson("[\n[1, 2]\n]\n"));
}
