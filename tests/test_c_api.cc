// Engine::read and the C ABI (verdict.h): what every host sees.
//
// The result JSON is deterministic; the expected strings below are written by
// hand from the field order in core/src/engine.cc (ok, format, read, failed,
// documents, errors; per document line, bytes, kind, id?, title?, service?,
// fields, value?; per error code, message, source?, offset?, line?, column?).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <string>

#include "verdict/engine.h"
#include "verdict/json_writer.h"
#include "verdict/verdict.h"

using verdict::ErrorCode;

namespace {

// Owns one engine of the C ABI.
struct CEngine {
  verdict_engine* e = verdict_engine_new();
  CEngine() { REQUIRE(e != nullptr); }
  ~CEngine() { verdict_engine_free(e); }
  CEngine(const CEngine&) = delete;
  CEngine& operator=(const CEngine&) = delete;

  int read(const std::string& data, uint32_t flags) { return verdict_read(e, data.data(), data.size(), flags); }
  std::string result() const {
    std::string r = verdict_result(e);
    CHECK(verdict_result_size(e) == r.size());
    return r;
  }
  std::string last_error() const {
    std::string r = verdict_last_error(e);
    CHECK(verdict_last_error_size(e) == r.size());
    return r;
  }
};

int code(ErrorCode c) { return static_cast<int>(c); }

// One incident, 67 bytes, counted by hand:
// {"kind":"incident",  = 19   "id":"INC-1",  = 13   "title":"Disk full",  = 20   "service":"db"}  = 15
const std::string kIncident = R"({"kind":"incident","id":"INC-1","title":"Disk full","service":"db"})";
const std::string kIncidentResult =
    R"({"ok":true,"format":"json","read":1,"failed":0,"documents":[)"
    R"({"line":1,"bytes":67,"kind":"incident","id":"INC-1","title":"Disk full","service":"db","fields":4}],)"
    R"("errors":[]})";

// A broken document: '{'0 '"'1 a2 '"'3 ':'4 '}'5.
const std::string kBroken = R"({"a":})";
const std::string kBrokenError =
    R"j({"code":"invalid_json","message":"unexpected '}' (a value, key or comma is missing or extra)",)j"
    R"("offset":5,"line":1,"column":6})";

void check_works(CEngine& engine) {
  REQUIRE(engine.read(kIncident, VERDICT_READ_AUTO) == VERDICT_OK);
  CHECK(engine.result() == kIncidentResult);
  CHECK(engine.last_error().empty());
}

}  // namespace

// ---------------------------------------------------------------------------
// Engine (C++)

TEST_CASE("Engine::read reports one document with its summary", "[engine]") {
  REQUIRE(kIncident.size() == 67);
  verdict::Engine engine;
  verdict::ReadReport r = engine.read(kIncident, {});
  CHECK(r.ok());
  CHECK(r.format == verdict::InputFormat::kJson);
  CHECK(r.read == 1);
  CHECK(r.failed == 0);
  REQUIRE(r.documents.size() == 1);
  const verdict::DocumentSummary& d = r.documents[0];
  CHECK(d.line == 1);
  CHECK(d.bytes == 67);
  CHECK(d.kind == "incident");
  CHECK(d.id == "INC-1");
  CHECK(d.title == "Disk full");
  CHECK(d.service == "db");
  CHECK(d.fields == 4);
  CHECK(r.errors.empty());
  CHECK(r.json == kIncidentResult);
}

TEST_CASE("Engine::read reads an NDJSON stream with a broken line and names the source", "[engine][ndjson]") {
  // Line 1, 81 bytes: {"kind":"alert",  = 16
  //   "labels":{"alertname":"Down","service":"web"},  = 46 (8+1+1+11+1+6+1+9+1+5+1, then ',')
  //   "fingerprint":"f1"}  = 19 (13+1+4+1)
  const std::string l1 = R"({"kind":"alert","labels":{"alertname":"Down","service":"web"},"fingerprint":"f1"})";
  // Line 2 from 82: '{'0 "kind"1-6 ':'7 "alert"8-14 ','15 '}'16 -> column 17, offset 82 + 16 = 98.
  const std::string l2 = R"({"kind":"alert",})";
  // Line 3 from 100, 60 bytes: {"number":"INC0001",  = 20   "short_description":"Slow",  = 27   "impact":"2"}  = 13
  const std::string l3 = R"({"number":"INC0001","short_description":"Slow","impact":"2"})";
  REQUIRE(l1.size() == 81);
  REQUIRE(l2.size() == 17);
  REQUIRE(l3.size() == 60);
  const std::string data = l1 + "\n" + l2 + "\n" + l3 + "\n";

  verdict::Engine engine;
  verdict::ReadOptions options;
  options.source = "alerts.ndjson";
  verdict::ReadReport r = engine.read(data, options);   // auto: detected as NDJSON
  CHECK_FALSE(r.ok());
  CHECK(r.format == verdict::InputFormat::kNdjson);
  CHECK(r.read == 2);
  CHECK(r.failed == 1);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].to_string() ==
        "alerts.ndjson:2:17: unexpected '}' (a value, key or comma is missing or extra)");
  CHECK(r.json ==
        R"({"ok":false,"format":"ndjson","read":2,"failed":1,"documents":[)"
        R"({"line":1,"bytes":81,"kind":"alert","id":"f1","title":"Down","service":"web","fields":3},)"
        R"({"line":3,"bytes":60,"kind":"incident","id":"INC0001","title":"Slow","fields":3}],)"
        R"j("errors":[{"code":"invalid_json","message":"unexpected '}' (a value, key or comma is missing or extra)",)j"
        R"("source":"alerts.ndjson","offset":98,"line":2,"column":17}]})");
}

TEST_CASE("Engine::read summarizes each kind of document", "[engine]") {
  verdict::Engine engine;
  auto [json, kind, id, title, service] =
      GENERATE(table<std::string, std::string, std::string, std::string, std::string>({
          // The canonical change, as ChangeRisk reads it: native and ServiceNow shapes.
          {R"({"kind":"change","id":"CHG1","title":"Patch","services":["web","db"]})", "change", "CHG1", "Patch", "web"},
          {R"({"sys_class_name":"change_request","number":"CHG2","short_description":"Patch",)"
           R"("business_service":{"value":"abc","display_value":"web"}})",
           "change", "CHG2", "Patch", "web"},
          {R"({"labels":{"alertname":"Down","service":"api"},"fingerprint":"ff"})", "alert", "ff", "Down", "api"},
          // The item as the CMDB index names it (Backstage: kind:namespace/name).
          {R"({"kind":"Component","metadata":{"name":"pay"},"spec":{"system":"payments"}})", "ci",
           "component:default/pay", "pay", ""},
          {R"({"kind":"ci","id":"ci-1","name":"db","service":"payments"})", "ci", "ci-1", "db", "payments"},
          {R"({"slo":"lat","t":"2025-03-14T08:01:00Z","latency":[0.1]})", "sli", "2025-03-14T08:01:00Z", "lat", "lat"},
          {R"({"kind":"sli","slo":"avail","timestamp":"t0","good":1,"bad":0})", "sli", "t0", "avail", "avail"},
          {R"({"key":"OPS-1","fields":{"summary":"Broken"}})", "incident", "OPS-1", "Broken", ""},
          {R"({"id":"x1","title":"Something"})", "unknown", "x1", "Something", ""},
      }));
  INFO(json);
  verdict::ReadReport r = engine.read(json, {});
  REQUIRE(r.documents.size() == 1);
  CHECK(r.documents[0].kind == kind);
  CHECK(r.documents[0].id == id);
  CHECK(r.documents[0].title == title);
  CHECK(r.documents[0].service == service);
}

TEST_CASE("Engine::read honours the engine's limits", "[engine]") {
  verdict::EngineOptions options;
  options.limits.max_depth = 4;
  verdict::Engine engine(options);
  CHECK(engine.reader().limits().max_depth == 4);
  CHECK(engine.read("[[[1]]]", {}).ok());
  CHECK(engine.read("[[[[]]]]", {}).ok());
  verdict::ReadReport r = engine.read("[[[[[1]]]]]", {});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == ErrorCode::kTooDeep);
  CHECK(r.errors[0].offset == 4);
}

TEST_CASE("write_error_json writes only the positions that are known", "[engine]") {
  verdict::Error full(ErrorCode::kDuplicateKey, "dup \"k\"");
  full.source = "f.json";
  full.offset = 12;
  full.line = 1;
  full.column = 13;
  verdict::JsonWriter w;
  verdict::write_error_json(w, full);
  CHECK(w.view() ==
        R"({"code":"duplicate_key","message":"dup \"k\"","source":"f.json","offset":12,"line":1,"column":13})");

  w.clear();
  verdict::write_error_json(w, verdict::Error());
  CHECK(w.view() == R"({"code":"internal","message":""})");

  w.clear();
  verdict::Error at_start(ErrorCode::kEmptyInput, "empty");
  at_start.offset = 0;   // offset 0 is known; line 0 and column 0 are not
  verdict::write_error_json(w, at_start);
  CHECK(w.view() == R"({"code":"empty_input","message":"empty","offset":0})");
}

// ---------------------------------------------------------------------------
// C ABI

TEST_CASE("the ABI and library versions are reported", "[c-api]") {
  CHECK(verdict_abi_version() == VERDICT_ABI_VERSION);
  CHECK(VERDICT_ABI_VERSION == 3);  // 2: VERDICT_ALERTS_RECEIVED, 3: VERDICT_EVAL_YAML and verdict_eval_lines
  const char* v = verdict_version();
  REQUIRE(v != nullptr);
  CHECK(std::strlen(v) > 0);
  CHECK_THAT(std::string(v), Catch::Matches("[0-9]+\\.[0-9]+\\.[0-9]+.*"));
  CHECK(std::string(v) == verdict::version());
}

TEST_CASE("a new engine has no result and no error", "[c-api]") {
  CEngine engine;
  CHECK(engine.result().empty());
  CHECK(engine.last_error().empty());
}

TEST_CASE("verdict_read returns 0 and the result JSON for a good document", "[c-api]") {
  CEngine engine;
  auto flags = GENERATE(VERDICT_READ_AUTO, VERDICT_READ_JSON);
  CHECK(engine.read(kIncident, flags) == VERDICT_OK);
  CHECK(engine.result() == kIncidentResult);
  CHECK(engine.last_error().empty());
}

TEST_CASE("VERDICT_READ_VALUES adds each document's canonical JSON", "[c-api]") {
  CEngine engine;
  // {"kind":"sli",  = 14   "slo":"api",  = 12   "good":9,  = 9   "bad":1}  = 8  -> 43 bytes
  const std::string line = R"({"kind":"sli","slo":"api","good":9,"bad":1})";
  REQUIRE(line.size() == 43);
  CHECK(engine.read(line + "\n", VERDICT_READ_NDJSON | VERDICT_READ_VALUES) == VERDICT_OK);
  CHECK(engine.result() ==
        R"({"ok":true,"format":"ndjson","read":1,"failed":0,"documents":[)"
        R"({"line":1,"bytes":43,"kind":"sli","title":"api","service":"api","fields":4,)"
        R"("value":{"kind":"sli","slo":"api","good":9,"bad":1}}],"errors":[]})");

  // Values are canonical: whitespace goes, numbers are reformatted.
  CHECK(engine.read(R"({ "x" : [ 1.50 , 2E1 ] })", VERDICT_READ_JSON | VERDICT_READ_VALUES) == VERDICT_OK);
  CHECK_THAT(engine.result(), Catch::Contains(R"("value":{"x":[1.5,20.0]})"));
}

TEST_CASE("VERDICT_READ_COUNT leaves out the documents list but keeps counts and errors", "[c-api]") {
  CEngine engine;
  CHECK(engine.read(kIncident, VERDICT_READ_COUNT) == VERDICT_OK);
  CHECK(engine.result() == R"({"ok":true,"format":"json","read":1,"failed":0,"errors":[]})");

  CHECK(engine.read("{\"a\":1}\n{\"a\":}\n{\"a\":3}\n", VERDICT_READ_NDJSON | VERDICT_READ_COUNT) ==
        code(ErrorCode::kInvalidJson));
  // Line 2 starts at 8; its '}' is at 5 in the line.
  CHECK(engine.result() ==
        R"j({"ok":false,"format":"ndjson","read":2,"failed":1,"errors":[{"code":"invalid_json",)j"
        R"j("message":"unexpected '}' (a value, key or comma is missing or extra)","offset":13,"line":2,"column":6}]})j");
  CHECK_THAT(engine.last_error(), Catch::StartsWith(R"({"ok":false,"errors":[{"code":"invalid_json")"));

  // COUNT wins over VALUES: there is no list to put values in.
  CHECK(engine.read(kIncident, VERDICT_READ_COUNT | VERDICT_READ_VALUES) == VERDICT_OK);
  CHECK(engine.result() == R"({"ok":true,"format":"json","read":1,"failed":0,"errors":[]})");
  check_works(engine);
}

TEST_CASE("ReadOptions::summaries = false is the C++ side of VERDICT_READ_COUNT", "[engine]") {
  verdict::Engine engine;
  verdict::ReadOptions options;
  options.summaries = false;
  verdict::ReadReport r = engine.read("{\"a\":1}\n{\"a\":2}\n", options);
  CHECK(r.ok());
  CHECK(r.read == 2);
  CHECK(r.documents.empty());
  CHECK(r.json == R"({"ok":true,"format":"ndjson","read":2,"failed":0,"errors":[]})");
}

TEST_CASE("a failed read returns the error code, and the result and last error say why", "[c-api]") {
  CEngine engine;
  CHECK(engine.read(kBroken, VERDICT_READ_JSON) == code(ErrorCode::kInvalidJson));
  CHECK(engine.result() ==
        R"({"ok":false,"format":"json","read":0,"failed":1,"documents":[],"errors":[)" + kBrokenError + "]}");
  CHECK(engine.last_error() == R"({"ok":false,"errors":[)" + kBrokenError + "]}");
  check_works(engine);   // and the last error is cleared by the next good call
}

TEST_CASE("verdict_read returns the ErrorCode of the first error for every kind of bad input", "[c-api][bad-input]") {
  CEngine engine;
  auto [input, expected, name] = GENERATE(table<std::string, ErrorCode, std::string>({
      {" \n ", ErrorCode::kEmptyInput, "empty_input"},
      {R"({"a":[1,2)", ErrorCode::kInvalidJson, "invalid_json"},
      {"{\"a\":\"\xff\"}", ErrorCode::kInvalidUtf8, "invalid_utf8"},
      {"{\"a\":\"\t\"}", ErrorCode::kControlCharacter, "control_character"},
      {std::string(1000, '[') + std::string(1000, ']'), ErrorCode::kTooDeep, "too_deep"},
      {R"({"a":")" + std::string(2u << 20, 'x') + R"("})", ErrorCode::kTooLarge, "too_large"},
      {R"({"a":1e400})", ErrorCode::kNumberOutOfRange, "number_out_of_range"},
      {R"({"a":1,"a":2})", ErrorCode::kDuplicateKey, "duplicate_key"},
      {"42", ErrorCode::kWrongType, "wrong_type"},
      {R"({"a":1} x)", ErrorCode::kTrailingContent, "trailing_content"},
  }));
  INFO("expected " << name);
  CHECK(engine.read(input, VERDICT_READ_AUTO) == code(expected));
  std::string result = engine.result();
  CHECK_THAT(result, Catch::StartsWith(R"({"ok":false,)"));
  CHECK_THAT(result, Catch::Contains(R"("errors":[{"code":")" + name + "\""));
  CHECK_THAT(engine.last_error(), Catch::StartsWith(R"({"ok":false,"errors":[{"code":")" + name + "\""));
  check_works(engine);
}

TEST_CASE("in a stream, the return code is that of the first broken line", "[c-api][ndjson]") {
  CEngine engine;
  const std::string data = "{\"n\":1}\n{\"a\":1,\"a\":2}\n{\"s\":\"\xff\"}\n{\"n\":4}\n";
  CHECK(engine.read(data, VERDICT_READ_NDJSON) == code(ErrorCode::kDuplicateKey));
  std::string result = engine.result();
  CHECK_THAT(result, Catch::Contains(R"("read":2,"failed":2)"));
  // Line 2 starts at 8, its second "a" is at 7 in the line; line 3 starts at 22, \xff at 6.
  CHECK_THAT(result, Catch::Contains(R"("code":"duplicate_key","message":"duplicate key \"a\" in an object","offset":15,"line":2,"column":8})"));
  CHECK_THAT(result, Catch::Contains(R"j("code":"invalid_utf8","message":"invalid UTF-8 (byte 0xFF)","offset":28,"line":3,"column":7})j"));
  CHECK_THAT(engine.last_error(), Catch::StartsWith(R"({"ok":false,"errors":[{"code":"duplicate_key")"));
  check_works(engine);
}

TEST_CASE("the read flags choose how the input is read", "[c-api]") {
  CEngine engine;
  const std::string stream = "{\"a\":1}\n{\"a\":2}\n";

  SECTION("AUTO detects NDJSON") {
    CHECK(engine.read(stream, VERDICT_READ_AUTO) == VERDICT_OK);
    CHECK_THAT(engine.result(), Catch::StartsWith(R"({"ok":true,"format":"ndjson","read":2,"failed":0,)"));
  }
  SECTION("JSON reads a stream as one document with trailing content on line 2") {
    CHECK(engine.read(stream, VERDICT_READ_JSON) == code(ErrorCode::kTrailingContent));
    CHECK_THAT(engine.result(), Catch::StartsWith(R"({"ok":false,"format":"json","read":0,"failed":1,)"));
    CHECK_THAT(engine.result(), Catch::Contains(R"("offset":8,"line":2,"column":1})"));
  }
  SECTION("NDJSON reads a pretty-printed document line by line") {
    // Lines "{", `  "a": 1` and "}" are each broken.
    CHECK(engine.read("{\n  \"a\": 1\n}\n", VERDICT_READ_NDJSON) == code(ErrorCode::kInvalidJson));
    CHECK_THAT(engine.result(), Catch::StartsWith(R"({"ok":false,"format":"ndjson","read":0,"failed":3,)"));
  }
  SECTION("AUTO reads a pretty-printed document as one document") {
    CHECK(engine.read("{\n  \"a\": 1\n}\n", VERDICT_READ_AUTO) == VERDICT_OK);
    CHECK_THAT(engine.result(), Catch::StartsWith(R"({"ok":true,"format":"json","read":1,)"));
  }
}

TEST_CASE("AUTO reads a pretty-printed array of one-line objects as one document", "[c-api]") {
  // Regression test for a fixed bug: is_ndjson takes "[\n{...}\n]" for NDJSON (its second line is a complete
  // object with more after it), so a valid JSON document fails to read in AUTO mode:
  // rc 2 and {"ok":false,"format":"ndjson","read":1,"failed":2,...}.
  CEngine engine;
  CHECK(engine.read("[\n{\"id\":1}\n]", VERDICT_READ_AUTO) == VERDICT_OK);
  CHECK_THAT(engine.result(), Catch::StartsWith(R"({"ok":true,"format":"json","read":1,"failed":0,)"));
}

TEST_CASE("verdict_read reads exactly size bytes, not up to a NUL", "[c-api]") {
  CEngine engine;
  const char buffer[] = "{\"a\":1}garbage";
  CHECK(verdict_read(engine.e, buffer, 7, VERDICT_READ_JSON) == VERDICT_OK);
  CHECK_THAT(engine.result(), Catch::Contains(R"("bytes":7)"));
  CHECK(verdict_read(engine.e, buffer, sizeof buffer - 1, VERDICT_READ_JSON) == code(ErrorCode::kTrailingContent));
}

TEST_CASE("invalid flags are invalid_argument, and the engine stays usable", "[c-api][bad-input]") {
  CEngine engine;
  auto [flags, message] = GENERATE(table<uint32_t, std::string>({
      {VERDICT_READ_JSON | VERDICT_READ_NDJSON, "flags name both JSON and NDJSON"},
      {VERDICT_READ_JSON | VERDICT_READ_NDJSON | VERDICT_READ_VALUES, "flags name both JSON and NDJSON"},
      {16u, "unknown flags"},
      {0x80000000u, "unknown flags"},
      {VERDICT_READ_JSON | VERDICT_READ_COUNT | 32u, "unknown flags"},
  }));
  INFO("flags " << flags);
  CHECK(engine.read(kIncident, flags) == code(ErrorCode::kInvalidArgument));
  const std::string expected = R"({"ok":false,"errors":[{"code":"invalid_argument","message":")" + message + "\"}]}";
  CHECK(engine.result() == expected);
  CHECK(engine.last_error() == expected);
  check_works(engine);
}

TEST_CASE("a NULL engine is invalid_argument and every getter copes", "[c-api][bad-input]") {
  CHECK(verdict_read(nullptr, "{}", 2, VERDICT_READ_AUTO) == code(ErrorCode::kInvalidArgument));
  CHECK(verdict_read(nullptr, nullptr, 0, VERDICT_READ_AUTO) == code(ErrorCode::kInvalidArgument));
  REQUIRE(verdict_result(nullptr) != nullptr);
  CHECK(std::string(verdict_result(nullptr)).empty());
  CHECK(verdict_result_size(nullptr) == 0);
  REQUIRE(verdict_last_error(nullptr) != nullptr);
  CHECK(std::string(verdict_last_error(nullptr)).empty());
  CHECK(verdict_last_error_size(nullptr) == 0);
  verdict_engine_free(nullptr);   // a no-op, like free(NULL)
}

TEST_CASE("NULL data with size 0 is empty input, with a size it is invalid_argument", "[c-api][bad-input]") {
  CEngine engine;
  SECTION("JSON and AUTO: empty_input") {
    auto flags = GENERATE(VERDICT_READ_AUTO, VERDICT_READ_JSON);
    CHECK(verdict_read(engine.e, nullptr, 0, flags) == code(ErrorCode::kEmptyInput));
    const std::string error =
        R"({"code":"empty_input","message":"no JSON value: the input is empty or only whitespace","offset":0,"line":1,"column":1})";
    CHECK(engine.result() == R"({"ok":false,"format":"json","read":0,"failed":1,"documents":[],"errors":[)" + error + "]}");
    CHECK(engine.last_error() == R"({"ok":false,"errors":[)" + error + "]}");
  }
  SECTION("NDJSON: an empty stream reads nothing") {
    CHECK(verdict_read(engine.e, nullptr, 0, VERDICT_READ_NDJSON) == VERDICT_OK);
    CHECK(engine.result() == R"({"ok":true,"format":"ndjson","read":0,"failed":0,"documents":[],"errors":[]})");
    CHECK(engine.last_error().empty());
  }
  SECTION("NULL with a size") {
    CHECK(verdict_read(engine.e, nullptr, 5, VERDICT_READ_AUTO) == code(ErrorCode::kInvalidArgument));
    const std::string expected =
        R"({"ok":false,"errors":[{"code":"invalid_argument","message":"data is NULL but size is not 0"}]})";
    CHECK(engine.result() == expected);
    CHECK(engine.last_error() == expected);
  }
  check_works(engine);
}

TEST_CASE("an engine survives a long run of failures and successes", "[c-api]") {
  CEngine engine;
  const std::string bad[] = {"", "{", "\xff", "[[[[", R"({"a":1,"a":1})", "1", "{} {}", R"({"a":1e999})"};
  for (int round = 0; round < 3; ++round) {
    for (const std::string& b : bad) {
      INFO("round " << round << " input " << b);
      CHECK(engine.read(b, VERDICT_READ_AUTO) != VERDICT_OK);
      CHECK_FALSE(engine.last_error().empty());
      CHECK(engine.read(kIncident, VERDICT_READ_AUTO) == VERDICT_OK);
      CHECK(engine.last_error().empty());
      CHECK(engine.result() == kIncidentResult);
    }
  }
}

TEST_CASE("engines are independent", "[c-api]") {
  CEngine a;
  CEngine b;
  CHECK(a.read(kBroken, VERDICT_READ_JSON) == code(ErrorCode::kInvalidJson));
  CHECK(b.read(kIncident, VERDICT_READ_JSON) == VERDICT_OK);
  CHECK(a.last_error() == R"({"ok":false,"errors":[)" + kBrokenError + "]}");
  CHECK(b.last_error().empty());
  CHECK(b.result() == kIncidentResult);
}

TEST_CASE("verdict_alloc gives writable memory that verdict_read can take", "[c-api]") {
  void* empty = verdict_alloc(0);
  CHECK(empty != nullptr);   // never NULL for size 0
  verdict_free(empty);
  verdict_free(nullptr);

  char* buf = static_cast<char*>(verdict_alloc(kIncident.size()));
  REQUIRE(buf != nullptr);
  std::memcpy(buf, kIncident.data(), kIncident.size());   // no NUL terminator
  CEngine engine;
  CHECK(verdict_read(engine.e, buf, kIncident.size(), VERDICT_READ_AUTO) == VERDICT_OK);
  verdict_free(buf);
  CHECK(engine.result() == kIncidentResult);   // the result does not point into the input
}
