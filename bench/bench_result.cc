// The one-string result path against the streamed one (issue 13, item 2): the same batch of
// NDJSON documents decided (a) through the C ABI, every decision in one result string
// (verdict_eval, what the Wasm batch path and any C host get: a buffer reused from call to
// call, reserved from a first estimate), (b) in process with each decision handed to a sink as
// it is made, and (c) Engine::evaluate returning a new string per call (what the C ABI did
// before: a fresh buffer, reserved at twice the input, held until the next call). Interleaved
// runs; prints the first (cold) run and the median of the others in process CPU time.
//   bench_result POLICY.json CMDB.json INPUTS.ndjson [REPEATS] [abi|before]
// With abi or before, only that path runs (REPEATS times, no rows): for a profiler.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "verdict/engine.h"
#include "verdict/verdict.h"
#include "bench_util.h"

namespace {

using verdict::bench::slurp;
using verdict::bench::cpu_seconds;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: bench_result POLICY.json CMDB.json INPUTS.ndjson [REPEATS]\n";
    return 4;
  }
  const int repeats = argc > 4 ? std::max(2, std::atoi(argv[4])) : 5;
  const std::string policy = slurp(argv[1]), cmdb = slurp(argv[2]), input = slurp(argv[3]);
  const std::string now = "2026-03-02T10:00:00Z";
  const std::string only = argc > 5 ? argv[5] : "";

  verdict_engine* e = verdict_engine_new();
  if (verdict_load_policy(e, policy.data(), policy.size(), argv[1], std::char_traits<char>::length(argv[1])) != VERDICT_OK ||
      verdict_load_data(e, cmdb.data(), cmdb.size(), argv[2], std::char_traits<char>::length(argv[2])) != VERDICT_OK) {
    std::cerr << verdict_result(e) << "\n";
    return 3;
  }
  verdict::Engine engine;
  if (!engine.load_policies(policy, argv[1]).ok() || !engine.load_data(cmdb, argv[2]).ok()) return 3;
  verdict::EvalOptions streamed;
  streamed.now = now;
  streamed.format = verdict::InputFormat::kNdjson;
  size_t streamed_bytes = 0, decisions = 0;
  streamed.sink = [&](std::string_view s) { streamed_bytes += s.size(); };

  verdict::EvalOptions whole = streamed;
  whole.sink = nullptr;
  std::string held;  // the previous call's result, as the C ABI held it

  std::vector<double> one_string, sink, fresh;
  size_t result_bytes = 0;
  if (!only.empty()) {
    for (int r = 0; r < repeats; ++r) {
      if (only == "abi") (void)verdict_eval(e, nullptr, 0, input.data(), input.size(), now.data(), now.size(), VERDICT_EVAL_NDJSON);
      else held = engine.evaluate(input, whole).json;
    }
    return 0;
  }
  for (int r = 0; r < repeats; ++r) {
    double c0 = cpu_seconds();
    (void)verdict_eval(e, nullptr, 0, input.data(), input.size(), now.data(), now.size(), VERDICT_EVAL_NDJSON);
    one_string.push_back(cpu_seconds() - c0);
    result_bytes = verdict_result_size(e);
    streamed_bytes = 0;
    c0 = cpu_seconds();
    decisions = engine.evaluate(input, streamed).decisions;
    sink.push_back(cpu_seconds() - c0);
    c0 = cpu_seconds();
    held = engine.evaluate(input, whole).json;
    fresh.push_back(cpu_seconds() - c0);
  }
  if (result_bytes != streamed_bytes || held.size() != streamed_bytes) {
    std::cerr << "bench_result: the one string has " << result_bytes << " bytes, the stream " << streamed_bytes << "\n";
    return 1;
  }
  auto row = [&](const char* what, const std::vector<double>& runs) {
    std::vector<double> warm(runs.begin() + 1, runs.end());
    const double med = median(warm);
    std::printf("{\"target\":\"native\",\"what\":\"%s\",\"docs\":%zu,\"bytes\":%zu,\"out_bytes_per_doc\":%.1f,"
                "\"cold_cpu_s\":%.4f,\"median_cpu_s\":%.4f,\"docs_per_cpu_s\":%.0f}\n",
                what, decisions, input.size(), static_cast<double>(result_bytes) / static_cast<double>(decisions), runs[0], med,
                static_cast<double>(decisions) / med);
  };
  row("C ABI verdict_eval, every decision in one result string", one_string);
  row("Engine::evaluate, decisions streamed to a sink", sink);
  row("Engine::evaluate, a new string per call (the C ABI before)", fresh);
  auto warm = [](const std::vector<double>& v) { return median({v.begin() + 1, v.end()}); };
  std::printf("{\"target\":\"native\",\"what\":\"one string / streamed\",\"ratio\":%.3f,\"before\":%.3f}\n",
              warm(sink) / warm(one_string), warm(sink) / warm(fresh));
  verdict_engine_free(e);
  return 0;
}
