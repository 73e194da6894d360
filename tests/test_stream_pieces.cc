// A stream handed to the engine in pieces (the CLI reading a pipe as it arrives, cli/input.h)
// gives the same bytes as the stream in one call: lines and offsets count from the start of
// the stream, and AlertDedup's flush at `now` waits for the last piece.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "verdict/engine.h"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Splits `stream` after each newline: the pieces a slow pipe delivers.
std::vector<std::string> lines_of(const std::string& stream) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < stream.size()) {
    size_t nl = stream.find('\n', at);
    size_t end = nl == std::string::npos ? stream.size() : nl + 1;
    out.push_back(stream.substr(at, end - at));
    at = end;
  }
  return out;
}

}  // namespace

TEST_CASE("evaluate on a stream in pieces gives the bytes of the stream in one call", "[eval][stream]") {
  verdict::Engine engine;
  const char* policy = R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"s"},
    "spec":{"input":"incident","rules":[{"name":"big","when":"incident.affected_users > 10","set":{"page":"true"}}]}})";
  REQUIRE(engine.load_policies(policy, "s.json").ok());
  const std::string stream =
      "{\"kind\":\"incident\",\"affected_users\":50}\n\n{\"broken\"\n{\"kind\":\"incident\",\"affected_users\":5}\n";
  verdict::EvalOptions options;
  options.now = "2026-03-02T10:00:00Z";
  options.format = verdict::InputFormat::kNdjson;
  options.source = "stdin";
  verdict::EvalReport whole = engine.evaluate(stream, options);
  REQUIRE(whole.errors.size() == 1);
  CHECK(whole.errors[0].line == 3);

  std::string joined;
  std::vector<verdict::Error> errors;
  size_t lines = 0, bytes = 0;
  for (const std::string& piece : lines_of(stream)) {
    verdict::EvalOptions o = options;
    o.lines_before = lines;
    o.bytes_before = bytes;
    verdict::EvalReport r = engine.evaluate(piece, o);
    joined += r.json;
    for (auto& e : r.errors) errors.push_back(e);
    ++lines;
    bytes += piece.size();
  }
  CHECK(joined == whole.json);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == whole.errors[0].line);
  CHECK(errors[0].column == whole.errors[0].column);
  CHECK(errors[0].offset == whole.errors[0].offset);
  CHECK(joined.find("\"line\":4") != std::string::npos);  // so the comparison compares line numbers

  // Without the counts, each piece would be line 1: the fields are what makes them agree.
  CHECK(engine.evaluate(lines_of(stream)[3], options).json.find("\"line\":1,") != std::string::npos);
}

TEST_CASE("decides_on_whole_input names the kinds that decide once on the whole input", "[eval][stream]") {
  verdict::Engine engine;
  verdict::EvalOptions options;
  CHECK_FALSE(engine.decides_on_whole_input(options));  // nothing is loaded
  REQUIRE(engine.load_policies(slurp(VERDICT_SOURCE_DIR "/policies/budget/default.json"), "budget.json").ok());
  CHECK(engine.decides_on_whole_input(options));
  REQUIRE(engine.load_policies(slurp(VERDICT_SOURCE_DIR "/policies/rules/incident-basics.json"), "rules.json").ok());
  options.kind = "Rules";
  CHECK_FALSE(engine.decides_on_whole_input(options));
  options.kind = "";
  CHECK_FALSE(engine.decides_on_whole_input(options));  // two policies, none named: none is selected
}

TEST_CASE("alerts_push on a stream in pieces, now flushed with the last, gives the bytes of one call", "[alerts][stream]") {
  const std::string policy = slurp(VERDICT_SOURCE_DIR "/policies/alerts/default.json");
  const std::string stream =
      "{\"labels\":{\"alertname\":\"DiskFull\",\"instance\":\"db-1\"}}\n"
      "{\"labels\":{\"alertname\":\"DiskFull\",\"instance\":\"db-1\"}}\n"
      "{\"labels\": \n"
      "{\"labels\":{\"alertname\":\"CPU\",\"instance\":\"db-2\"}}\n";
  verdict::AlertOptions options;
  options.now = "2025-03-14T10:00:00Z";  // the receipt time of events without one
  options.source = "stdin";

  verdict::Engine one;
  REQUIRE(one.load_policies(policy, "p.json").ok());
  verdict::AlertReport whole = one.alerts_push(stream, options);
  // `now` gives the events a time; a notification due at the end of the batch needs a later now.
  verdict::AlertOptions later = options;
  later.now = "2025-03-14T10:10:00Z";
  std::string whole_json = whole.json + one.alerts_push("", later).json;
  REQUIRE(whole_json.find("\"line\":3") != std::string::npos);

  verdict::Engine pieces;
  REQUIRE(pieces.load_policies(policy, "p.json").ok());
  std::string joined;
  size_t lines = 0, bytes = 0;
  for (const std::string& piece : lines_of(stream)) {
    verdict::AlertOptions o = options;
    o.format = verdict::InputFormat::kNdjson;
    o.lines_before = lines;
    o.bytes_before = bytes;
    o.flush_at_now = false;
    joined += pieces.alerts_push(piece, o).json;
    ++lines;
    bytes += piece.size();
  }
  joined += pieces.alerts_push("", options).json;  // the end of the input: the flush at now
  joined += pieces.alerts_push("", later).json;
  CHECK(joined == whole_json);
  CHECK(pieces.alerts_snapshot() == one.alerts_snapshot());
}

TEST_CASE("alerts_push with flush_at_now false leaves the notifications due by now for a later call", "[alerts][stream]") {
  verdict::Engine engine;
  REQUIRE(engine.load_policies(slurp(VERDICT_SOURCE_DIR "/policies/alerts/default.json"), "p.json").ok());
  verdict::AlertOptions options;
  options.format = verdict::InputFormat::kNdjson;
  options.flush_at_now = false;
  options.now = "2025-03-14T10:05:00Z";  // long after group_wait of an alert at 10:00
  std::string out = engine.alerts_push("{\"labels\":{\"alertname\":\"A\"},\"at\":\"2025-03-14T10:00:00Z\"}\n", options).json;
  CHECK(out.find("\"type\":\"notification\"") == std::string::npos);
  options.flush_at_now = true;
  out = engine.alerts_push("", options).json;
  CHECK(out.find("\"type\":\"notification\"") != std::string::npos);
}
