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

TEST_CASE("expression limits are engine options: a small step limit fails a decision with a reason", "[eval][limits]") {
  const char* policy = R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"l"},
    "spec":{"input":"doc","rules":[{"name":"r","when":"doc.xs.map(x, doc.xs.filter(y, y > x).size()).size() > 0"}]}})";
  const std::string input = R"({"xs":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]})";
  verdict::EvalOptions eval;
  eval.format = verdict::InputFormat::kJson;

  verdict::Engine roomy;  // defaults: 100,000 steps is plenty for 20 x 20
  REQUIRE(roomy.load_policies(policy, "l.json").ok());
  CHECK(roomy.evaluate(input, eval).ok());

  verdict::EngineOptions options;
  options.expressions.max_steps = 100;
  verdict::Engine tight(options);
  REQUIRE(tight.load_policies(policy, "l.json").ok());
  verdict::EvalReport r = tight.evaluate(input, eval);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == verdict::ErrorCode::kLimitExceeded);
  CHECK(r.errors[0].message.find("100 steps") != std::string::npos);
  CHECK(r.errors[0].line == 2);

  options = {};
  options.expressions.max_expression_bytes = 20;
  verdict::Engine short_exprs(options);
  verdict::LoadReport load = short_exprs.load_policies(policy, "l.json");
  REQUIRE(!load.ok());
  CHECK(load.errors[0].code == verdict::ErrorCode::kLimitExceeded);
}

TEST_CASE("EvalOptions::stop ends an NDJSON stream before the line it refuses", "[eval][stop]") {
  verdict::Engine engine;
  const char* policy = R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"s"},
    "spec":{"input":"incident","rules":[{"name":"big","when":"incident.affected_users > 10","set":{"page":"true"}}]}})";
  REQUIRE(engine.load_policies(policy, "s.json").ok());
  std::string input;
  for (int i = 0; i < 10; ++i) input += "{\"kind\":\"incident\",\"affected_users\":" + std::to_string(i * 3) + "}\n";
  verdict::EvalOptions options;
  options.now = "2026-03-02T10:00:00Z";
  verdict::EvalReport whole = engine.evaluate(input, options);
  REQUIRE(whole.decisions == 10);  // so that stopping at 4 is a difference
  CHECK_FALSE(whole.stopped);

  int asked = 0;
  options.stop = [&] { return ++asked > 4; };
  verdict::EvalReport cut = engine.evaluate(input, options);
  CHECK(cut.stopped);
  CHECK(cut.decisions == 4);
  CHECK(asked == 5);
  // The decisions made are the first four lines of the whole result, byte for byte.
  size_t end = 0;
  for (int i = 0; i < 4; ++i) end = whole.json.find('\n', end) + 1;
  CHECK(cut.json == whole.json.substr(0, end));

  options.stop = [] { return false; };
  CHECK(engine.evaluate(input, options).json == whole.json);
}
