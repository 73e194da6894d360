// The C ABI's one-string result (verdict_eval): the same bytes as the streamed decisions,
// one buffer reused from call to call, reserved once from a first estimate, released when
// far too large (core/src/engine/result_buffer.h).
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "engine/result_buffer.h"
#include "verdict/engine.h"
#include "verdict/verdict.h"

namespace {

const std::string kPolicy = R"({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"p"},
  "spec":{"input":"incident","mode":"all","rules":[{"name":"db","when":"incident.service == 'db'","set":{"team":"'dba'"}}]}})";
const std::string kNow = "2026-03-02T10:00:00Z";

std::string incidents(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i)
    s += R"({"kind":"incident","id":"INC-)" + std::to_string(i) + R"(","service":")" + (i % 3 ? "db" : "web") + "\"}\n";
  return s;
}

// The decisions of Engine::evaluate streamed to a sink, concatenated.
std::string streamed(const std::string& input, verdict::InputFormat format, const std::string& policy = "") {
  verdict::Engine engine;
  REQUIRE(engine.load_policies(kPolicy, "p.json").ok());
  verdict::EvalOptions o;
  o.now = kNow;
  o.format = format;
  o.policy = policy;
  std::string out;
  o.sink = [&](std::string_view s) { out.append(s); };
  (void)engine.evaluate(input, o);
  return out;
}

struct CEngine {
  verdict_engine* e = verdict_engine_new();
  CEngine() {
    REQUIRE(verdict_load_policy(e, kPolicy.data(), kPolicy.size(), "p.json", 6) == VERDICT_OK);
  }
  ~CEngine() { verdict_engine_free(e); }
  CEngine(const CEngine&) = delete;
  CEngine& operator=(const CEngine&) = delete;
  int eval(const std::string& input, uint32_t flags, const std::string& policy = "") {
    return verdict_eval(e, policy.data(), policy.size(), input.data(), input.size(), kNow.data(), kNow.size(), flags);
  }
  std::string result() const { return std::string(verdict_result(e), verdict_result_size(e)); }
};

}  // namespace

TEST_CASE("verdict_eval's one result string is the streamed decisions byte for byte", "[c_api][result]") {
  CEngine c;
  const std::string batch = incidents(500);
  const std::string broken = batch.substr(0, 200) + "{\"kind\":\n" + batch.substr(200);
  const std::string envelope = R"({"result":[{"number":"INC1","short_description":"a"},{"number":"INC2"}]})";
  struct Case {
    const char* what;
    std::string input;
    uint32_t flags;
    verdict::InputFormat format;
    std::string policy;
  };
  const Case cases[] = {
      {"NDJSON batch", batch, VERDICT_EVAL_NDJSON, verdict::InputFormat::kNdjson, ""},
      {"NDJSON detected", batch, 0, verdict::InputFormat::kAuto, ""},
      {"a broken line", broken, 0, verdict::InputFormat::kAuto, ""},
      {"one document", R"({"kind":"incident","service":"db"})", VERDICT_EVAL_JSON, verdict::InputFormat::kJson, ""},
      {"an envelope of records", envelope, 0, verdict::InputFormat::kAuto, ""},
      {"an unknown policy", batch, 0, verdict::InputFormat::kAuto, "nope"},
  };
  for (const Case& k : cases) {
    INFO(k.what);
    const int rc = c.eval(k.input, k.flags, k.policy);
    const std::string want = streamed(k.input, k.format, k.policy);
    CHECK(!want.empty());
    CHECK(c.result() == want);
    CHECK(std::string(verdict_result(c.e)).size() == verdict_result_size(c.e));  // NUL-terminated
    CHECK((rc == VERDICT_OK) == (verdict_last_error_size(c.e) == 0));
  }
  // Another call's result replaces the decisions.
  REQUIRE(verdict_read(c.e, "{}", 2, VERDICT_READ_JSON) == VERDICT_OK);
  CHECK(c.result().rfind("{\"ok\":true,\"format\":\"json\"", 0) == 0);
}

TEST_CASE("verdict_eval reuses its result buffer for the next batch", "[c_api][result]") {
  CEngine c;
  const std::string batch = incidents(2000);
  REQUIRE(c.eval(batch, VERDICT_EVAL_NDJSON) == VERDICT_OK);
  const char* first = verdict_result(c.e);
  const std::string first_text = c.result();
  REQUIRE(c.eval(batch, VERDICT_EVAL_NDJSON) == VERDICT_OK);
  CHECK(verdict_result(c.e) == first);  // the same memory, not a new allocation
  CHECK(c.result() == first_text);
  // A different (smaller) call writes into it too.
  REQUIRE(c.eval(incidents(10), VERDICT_EVAL_NDJSON) == VERDICT_OK);
  CHECK(verdict_result(c.e) == first);
}

namespace {

// Feeds `lines` pieces of `piece_bytes` for an NDJSON input of `lines` lines of `line_bytes`;
// returns how many times the capacity changed after the first kSampleLines pieces.
size_t growths_after_sample(verdict::ResultBuffer& b, verdict::InputFormat format, size_t lines, size_t line_bytes,
                            size_t piece_bytes) {
  std::string input;
  for (size_t i = 0; i < lines; ++i) input += "{\"a\":\"" + std::string(line_bytes - 9, 'x') + "\"}\n";
  const std::string piece(piece_bytes, 'd');
  b.begin(input, format);
  size_t growths = 0, capacity = 0;
  for (size_t i = 0; i < lines; ++i) {
    b.append(piece);
    if (i >= verdict::ResultBuffer::kSampleLines && b.text().capacity() != capacity) ++growths;
    capacity = b.text().capacity();
  }
  REQUIRE(b.text().size() == lines * piece_bytes);
  return growths;
}

}  // namespace

TEST_CASE("the result buffer is reserved once for an NDJSON batch from its first lines", "[result]") {
  {
    verdict::ResultBuffer b;
    CHECK(growths_after_sample(b, verdict::InputFormat::kNdjson, 20000, 100, 300) == 0);
    // Reserved for the whole batch plus an eighth, not more.
    CHECK(b.text().capacity() <= 20000 * 300 * 9 / 8 + 4096);
  }
  {
    // kAuto with one document per line counts as NDJSON.
    verdict::ResultBuffer b;
    CHECK(growths_after_sample(b, verdict::InputFormat::kAuto, 20000, 100, 300) == 0);
  }
  {
    // So the comparison compares something: without the estimate the string grows as it goes.
    verdict::ResultBuffer b;
    CHECK(growths_after_sample(b, verdict::InputFormat::kJson, 20000, 100, 300) > 3);
  }
  {
    // An odd sample cannot reserve without bound: at most 8x the input plus 1 MiB.
    verdict::ResultBuffer b;
    std::string input;
    for (size_t i = 0; i < verdict::ResultBuffer::kSampleLines; ++i) input += "{}\n";
    input += std::string(size_t{1} << 20, ' ') + "\n";
    b.begin(input, verdict::InputFormat::kNdjson);
    for (size_t i = 0; i < verdict::ResultBuffer::kSampleLines; ++i) b.append(std::string(16384, 'd'));
    // 1 MiB of output for 192 bytes of input would project to 5 GiB.
    CHECK(b.text().capacity() >= 8 * input.size());
    CHECK(b.text().capacity() <= 8 * input.size() + (size_t{1} << 20) + 4096);
  }
}

TEST_CASE("a result buffer far larger than the last result is released at the next call", "[result]") {
  verdict::ResultBuffer b;
  b.begin("", verdict::InputFormat::kJson);
  b.append(std::string(verdict::ResultBuffer::kKeepBytes + 1, 'd'));
  b.begin("", verdict::InputFormat::kJson);  // the last result filled it: kept
  CHECK(b.text().capacity() > verdict::ResultBuffer::kKeepBytes);
  CHECK(b.text().empty());
  b.append("small");
  b.begin("", verdict::InputFormat::kJson);  // the last result used a sliver of it: released
  CHECK(b.text().capacity() < verdict::ResultBuffer::kKeepBytes);
  // A buffer under kKeepBytes is always kept.
  b.append(std::string(1 << 20, 'd'));
  b.begin("", verdict::InputFormat::kJson);
  b.append("x");
  const size_t kept = b.text().capacity();
  b.begin("", verdict::InputFormat::kJson);
  CHECK(b.text().capacity() == kept);
}

TEST_CASE("verdict_eval_lines: a stream decided in pieces gives the whole stream's result", "[c_api][result]") {
  CEngine c;
  std::string stream = incidents(40);
  stream.insert(stream.find('\n', 1000) + 1, "{\"kind\":\n");  // a broken line in a later piece
  REQUIRE(c.eval(stream, VERDICT_EVAL_NDJSON) != VERDICT_OK);
  const std::string whole = c.result();
  const std::string whole_error = verdict_last_error(c.e);
  // Pieces of whole lines, of about 300 bytes.
  std::string joined;
  size_t lines = 0, at = 0;
  int last_rc = VERDICT_OK;
  while (at < stream.size()) {
    size_t end = stream.find('\n', std::min(stream.size() - 1, at + 300));
    end = end == std::string::npos ? stream.size() : end + 1;
    const std::string piece = stream.substr(at, end - at);
    const int rc = verdict_eval_lines(c.e, nullptr, 0, piece.data(), piece.size(), kNow.data(), kNow.size(), 0,
                                      static_cast<double>(lines), static_cast<double>(at));
    if (rc != VERDICT_OK) {
      last_rc = rc;
      CHECK(std::string(verdict_last_error(c.e)) == whole_error);  // the error at its place in the stream
    }
    joined += c.result();
    for (char ch : piece) lines += ch == '\n';
    at = end;
  }
  CHECK(last_rc != VERDICT_OK);
  CHECK(joined == whole);
  CHECK(whole.find("\"line\":40,") != std::string::npos);
}

TEST_CASE("verdict_eval_lines refuses what has no per-line decisions and counts it cannot carry", "[c_api][result]") {
  CEngine c;
  const std::string one = incidents(1);
  CHECK(verdict_eval_lines(c.e, nullptr, 0, one.data(), one.size(), kNow.data(), kNow.size(), VERDICT_EVAL_JSON, 0, 0) ==
        static_cast<int>(verdict::ErrorCode::kInvalidArgument));
  CHECK(verdict_eval_lines(c.e, nullptr, 0, one.data(), one.size(), kNow.data(), kNow.size(), 0, -1, 0) ==
        static_cast<int>(verdict::ErrorCode::kInvalidArgument));
  CHECK(verdict_eval_lines(c.e, nullptr, 0, one.data(), one.size(), kNow.data(), kNow.size(), 0, 0, 1.5) ==
        static_cast<int>(verdict::ErrorCode::kInvalidArgument));
  CHECK(verdict_eval_lines(c.e, nullptr, 0, one.data(), one.size(), kNow.data(), kNow.size(), 0, 2, 10) == VERDICT_OK);
  CHECK(c.result().rfind("{\"ok\":true,\"line\":3,", 0) == 0);
  // ErrorBudget decides on its whole input.
  verdict_engine* b = verdict_engine_new();
  std::string budget_policy;
  {
    std::FILE* f = std::fopen(VERDICT_SOURCE_DIR "/policies/budget/default.json", "rb");
    REQUIRE(f != nullptr);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) budget_policy.append(buf, n);
    std::fclose(f);
  }
  REQUIRE(verdict_load_policy(b, budget_policy.data(), budget_policy.size(), "b.json", 6) == VERDICT_OK);
  CHECK(verdict_eval_lines(b, nullptr, 0, one.data(), one.size(), kNow.data(), kNow.size(), 0, 0, 0) ==
        static_cast<int>(verdict::ErrorCode::kInvalidArgument));
  CHECK(std::string(verdict_last_error(b)).find("whole input") != std::string::npos);
  verdict_engine_free(b);
}
