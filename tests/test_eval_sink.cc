// EvalOptions::sink: decisions streamed one by one are the same bytes as the one-string result.
#include <catch2/catch.hpp>

#include <string>

#include "verdict/engine.h"

TEST_CASE("a decision sink receives exactly the bytes of the one-string result, line by line", "[eval][sink]") {
  verdict::Engine engine;
  const char* policy = R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"s"},
    "spec":{"input":"incident","rules":[{"name":"big","when":"incident.affected_users > 10","set":{"page":"true"}}]}})";
  REQUIRE(engine.load_policies(policy, "s.json").ok());
  const std::string input =
      "{\"kind\":\"incident\",\"affected_users\":50}\n{\"broken\"\n\n{\"kind\":\"incident\",\"affected_users\":5}\n";
  verdict::EvalOptions options;
  options.now = "2026-03-02T10:00:00Z";
  verdict::EvalReport whole = engine.evaluate(input, options);
  std::string streamed;
  int calls = 0;
  options.sink = [&](std::string_view line) {
    ++calls;
    CHECK(!line.empty());
    streamed.append(line);
  };
  verdict::EvalReport parts = engine.evaluate(input, options);
  CHECK(calls == 3);                 // two decisions and the broken line, one call each
  CHECK(parts.json.empty());
  CHECK(streamed == whole.json);     // NDJSON: each line with its newline
  CHECK(parts.decisions == whole.decisions);
  CHECK(parts.errors.size() == 1);   // the broken line, reported in both
  CHECK(whole.errors.size() == 1);

  // A single document and an input error go to the sink too.
  streamed.clear();
  calls = 0;
  options.format = verdict::InputFormat::kJson;
  (void)engine.evaluate("\"not a document\"", options);
  CHECK(calls == 1);
  CHECK(streamed.find("wrong_type") != std::string::npos);
}
