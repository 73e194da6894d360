// The C ABI (verdict/verdict.h) over the C++ engine. Nothing may throw out of
// here: the core does not throw, and in WebAssembly a throw aborts the instance.
#include "verdict/verdict.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "engine/result_buffer.h"
#include "verdict/engine.h"
#include "verdict/json_writer.h"

struct verdict_engine {
  verdict::Engine engine;
  std::string result;
  std::string last_error;
  // verdict_eval's decisions: one string that keeps its capacity from call to call.
  verdict::ResultBuffer decisions;
  bool result_is_decisions = false;  // the last call's result is decisions.text()
};

namespace {

// Records the last error of a call whose result is already in place.
int finish_errors(verdict_engine* e, const std::vector<verdict::Error>& errors) {
  e->last_error.clear();
  if (errors.empty()) return VERDICT_OK;
  verdict::JsonWriter w;
  w.begin_object().key("ok").boolean(false).key("errors").begin_array();
  for (const auto& err : errors) verdict::write_error_json(w, err);
  w.end_array().end_object();
  e->last_error = w.take();
  return static_cast<int>(errors.front().code);
}

int finish(verdict_engine* e, std::string result, const std::vector<verdict::Error>& errors) {
  e->result = std::move(result);
  e->result_is_decisions = false;
  return finish_errors(e, errors);
}

// A failure of the call itself: the result and the last error are the same JSON.
int fail(verdict_engine* e, const verdict::Error& err) {
  verdict::JsonWriter w;
  w.begin_object().key("ok").boolean(false).key("errors").begin_array();
  verdict::write_error_json(w, err);
  w.end_array().end_object();
  return finish(e, w.take(), {err});
}

}  // namespace

extern "C" {

uint32_t verdict_abi_version(void) { return VERDICT_ABI_VERSION; }

const char* verdict_version(void) { return verdict::version(); }

verdict_engine* verdict_engine_new(void) { return new (std::nothrow) verdict_engine(); }

void verdict_engine_free(verdict_engine* engine) { delete engine; }

void* verdict_alloc(size_t size) { return std::malloc(size == 0 ? 1 : size); }

void verdict_free(void* ptr) { std::free(ptr); }

int verdict_read(verdict_engine* engine, const char* data, size_t size, uint32_t flags) {
  if (!engine) return static_cast<int>(verdict::ErrorCode::kInvalidArgument);
  if (!data && size > 0) return fail(engine, {verdict::ErrorCode::kInvalidArgument, "data is NULL but size is not 0"});
  if ((flags & VERDICT_READ_JSON) && (flags & VERDICT_READ_NDJSON))
    return fail(engine, {verdict::ErrorCode::kInvalidArgument, "flags name both JSON and NDJSON"});
  if (flags & ~(VERDICT_READ_JSON | VERDICT_READ_NDJSON | VERDICT_READ_VALUES | VERDICT_READ_COUNT))
    return fail(engine, {verdict::ErrorCode::kInvalidArgument, "unknown flags"});
  verdict::ReadOptions options;
  if (flags & VERDICT_READ_JSON) options.format = verdict::InputFormat::kJson;
  if (flags & VERDICT_READ_NDJSON) options.format = verdict::InputFormat::kNdjson;
  options.include_values = (flags & VERDICT_READ_VALUES) != 0;
  options.summaries = (flags & VERDICT_READ_COUNT) == 0;
  verdict::ReadReport report = engine->engine.read(std::string_view(data ? data : "", size), options);
  return finish(engine, std::move(report.json), report.errors);
}

static std::string_view view(const char* p, size_t n) { return p ? std::string_view(p, n) : std::string_view(); }

int verdict_load_policy(verdict_engine* engine, const char* data, size_t size, const char* source, size_t source_size) {
  if (!engine) return static_cast<int>(verdict::ErrorCode::kInvalidArgument);
  auto r = engine->engine.load_policies(view(data, size), std::string(view(source, source_size)));
  return finish(engine, std::move(r.json), r.errors);
}

int verdict_lint(verdict_engine* engine, const char* data, size_t size, const char* source, size_t source_size) {
  if (!engine) return static_cast<int>(verdict::ErrorCode::kInvalidArgument);
  auto r = engine->engine.lint(view(data, size), std::string(view(source, source_size)));
  return finish(engine, std::move(r.json), r.errors);
}

int verdict_load_data(verdict_engine* engine, const char* data, size_t size, const char* source, size_t source_size) {
  if (!engine) return static_cast<int>(verdict::ErrorCode::kInvalidArgument);
  auto r = engine->engine.load_data(view(data, size), std::string(view(source, source_size)));
  return finish(engine, std::move(r.json), r.errors);
}

void verdict_clear(verdict_engine* engine) {
  if (engine) engine->engine.clear();
}

}  // extern "C"

namespace {

// verdict_eval and verdict_eval_lines: the decisions are appended as they are made into a buffer
// that grows geometrically from a first estimate and is reused by the next call
// (engine/result_buffer.h).
int eval_into_result(verdict_engine* engine, verdict::EvalOptions& options, std::string_view in) {
  verdict::ResultBuffer& out = engine->decisions;
  out.begin(in, options.format);
  options.sink = [&out](std::string_view piece) { out.append(piece); };
  engine->result.clear();
  engine->result.shrink_to_fit();
  engine->result_is_decisions = true;
  auto r = engine->engine.evaluate(in, options);
  return finish_errors(engine, r.errors);
}

}  // namespace

extern "C" {

int verdict_eval(verdict_engine* engine, const char* policy, size_t policy_size, const char* input, size_t input_size,
                 const char* now, size_t now_size, uint32_t flags) {
  if (!engine) return static_cast<int>(verdict::ErrorCode::kInvalidArgument);
  if (((flags & VERDICT_EVAL_JSON) != 0) + ((flags & VERDICT_EVAL_NDJSON) != 0) + ((flags & VERDICT_EVAL_YAML) != 0) > 1)
    return fail(engine, {verdict::ErrorCode::kInvalidArgument, "flags name more than one of JSON, NDJSON and YAML"});
  if (flags & ~(VERDICT_EVAL_EXPLAIN | VERDICT_EVAL_JSON | VERDICT_EVAL_NDJSON | VERDICT_EVAL_YAML))
    return fail(engine, {verdict::ErrorCode::kInvalidArgument, "unknown flags"});
  verdict::EvalOptions options;
  options.policy = std::string(view(policy, policy_size));
  options.now = std::string(view(now, now_size));
  options.explain = (flags & VERDICT_EVAL_EXPLAIN) != 0;
  if (flags & VERDICT_EVAL_JSON) options.format = verdict::InputFormat::kJson;
  if (flags & VERDICT_EVAL_NDJSON) options.format = verdict::InputFormat::kNdjson;
  if (flags & VERDICT_EVAL_YAML) options.format = verdict::InputFormat::kYaml;
  return eval_into_result(engine, options, view(input, input_size));
}

int verdict_eval_lines(verdict_engine* engine, const char* policy, size_t policy_size, const char* input, size_t input_size,
                       const char* now, size_t now_size, uint32_t flags, double lines_before, double bytes_before) {
  if (!engine) return static_cast<int>(verdict::ErrorCode::kInvalidArgument);
  if (flags & ~uint32_t{VERDICT_EVAL_EXPLAIN})
    return fail(engine, {verdict::ErrorCode::kInvalidArgument, "unknown flags (the input of verdict_eval_lines is NDJSON)"});
  // Whole numbers below 2^53 and below SIZE_MAX (2^32 in WebAssembly); written so that NaN fails too.
  const double limit = std::min(9007199254740992.0, static_cast<double>(SIZE_MAX));
  if (!(lines_before >= 0 && lines_before < limit && bytes_before >= 0 && bytes_before < limit) ||
      lines_before != static_cast<double>(static_cast<uint64_t>(lines_before)) ||
      bytes_before != static_cast<double>(static_cast<uint64_t>(bytes_before)))
    return fail(engine, {verdict::ErrorCode::kInvalidArgument,
                         "lines_before and bytes_before must be whole numbers from 0 to " + std::to_string(static_cast<uint64_t>(limit))});
  verdict::EvalOptions options;
  options.policy = std::string(view(policy, policy_size));
  options.now = std::string(view(now, now_size));
  options.explain = (flags & VERDICT_EVAL_EXPLAIN) != 0;
  options.format = verdict::InputFormat::kNdjson;
  if (engine->engine.decides_on_whole_input(options))
    return fail(engine, {verdict::ErrorCode::kInvalidArgument,
                         "the policy decides on its whole input (ErrorBudget): it has no per-line decisions to hand over in pieces"});
  options.lines_before = static_cast<size_t>(lines_before);
  options.bytes_before = static_cast<size_t>(bytes_before);
  return eval_into_result(engine, options, view(input, input_size));
}

int verdict_alerts_push(verdict_engine* engine, const char* policy, size_t policy_size, const char* input, size_t input_size,
                        const char* now, size_t now_size, uint32_t flags) {
  if (!engine) return static_cast<int>(verdict::ErrorCode::kInvalidArgument);
  if ((flags & VERDICT_EVAL_JSON) && (flags & VERDICT_EVAL_NDJSON))
    return fail(engine, {verdict::ErrorCode::kInvalidArgument, "flags name both JSON and NDJSON"});
  if (flags & ~(VERDICT_EVAL_JSON | VERDICT_EVAL_NDJSON | VERDICT_ALERTS_RECEIVED))
    return fail(engine, {verdict::ErrorCode::kInvalidArgument, "unknown flags"});
  if ((flags & VERDICT_ALERTS_RECEIVED) && now_size == 0)
    return fail(engine, {verdict::ErrorCode::kInvalidArgument, "VERDICT_ALERTS_RECEIVED needs a receipt time in now"});
  verdict::AlertOptions options;
  options.policy = std::string(view(policy, policy_size));
  ((flags & VERDICT_ALERTS_RECEIVED) ? options.received : options.now) = std::string(view(now, now_size));
  if (flags & VERDICT_EVAL_JSON) options.format = verdict::InputFormat::kJson;
  if (flags & VERDICT_EVAL_NDJSON) options.format = verdict::InputFormat::kNdjson;
  auto r = engine->engine.alerts_push(view(input, input_size), options);
  return finish(engine, std::move(r.json), r.errors);
}

int verdict_alerts_stats(verdict_engine* engine) {
  if (!engine) return static_cast<int>(verdict::ErrorCode::kInvalidArgument);
  return finish(engine, engine->engine.alerts_stats(), {});
}

int verdict_alerts_snapshot(verdict_engine* engine) {
  if (!engine) return static_cast<int>(verdict::ErrorCode::kInvalidArgument);
  return finish(engine, engine->engine.alerts_snapshot(), {});
}

int verdict_alerts_restore(verdict_engine* engine, const char* data, size_t size) {
  if (!engine) return static_cast<int>(verdict::ErrorCode::kInvalidArgument);
  verdict::Status s = engine->engine.alerts_restore(view(data, size));
  if (!s.ok()) return fail(engine, s.error());
  return finish(engine, "{\"ok\":true}", {});
}

static const std::string& result_of(const verdict_engine* engine) {
  return engine->result_is_decisions ? engine->decisions.text() : engine->result;
}

const char* verdict_result(const verdict_engine* engine) { return engine ? result_of(engine).c_str() : ""; }

size_t verdict_result_size(const verdict_engine* engine) { return engine ? result_of(engine).size() : 0; }

const char* verdict_last_error(const verdict_engine* engine) { return engine ? engine->last_error.c_str() : ""; }

size_t verdict_last_error_size(const verdict_engine* engine) { return engine ? engine->last_error.size() : 0; }

}  // extern "C"
