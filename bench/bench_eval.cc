// Policy evaluation throughput and latency, native: a Rules policy (bench/gen_rules.py)
// over an NDJSON stream of incidents, with the sample CMDB. Prints JSON lines that
// bench/table.mjs joins with the Wasm figures.
//   bench_eval POLICY.json DATA[,DATA...] INPUTS.ndjson [REPEATS]
// DATA: the CMDB and any other data files (scheduled changes, windows), comma-separated.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "verdict/engine.h"
#include "verdict/json_writer.h"
#include "bench_util.h"

namespace {

using verdict::bench::slurp;
using verdict::bench::cpu_seconds;

void line(const char* what, const std::string& extra) {
  std::cout << R"({"target":"native","what":")" << what << "\"," << extra << "}\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: bench_eval POLICY.json CMDB.json INCIDENTS.ndjson [REPEATS]\n";
    return 4;
  }
  int repeats = argc > 4 ? std::atoi(argv[4]) : 3;
  verdict::Engine engine;
  verdict::EngineOptions no_sets_options;
  no_sets_options.regex_sets = false;
  verdict::Engine no_sets(no_sets_options);
  std::vector<std::string> data_files;
  for (std::string_view rest = argv[2]; !rest.empty();) {
    size_t comma = rest.find(',');
    data_files.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  (void)no_sets.load_policies(slurp(argv[1]), argv[1]);
  for (const auto& f : data_files) (void)no_sets.load_data(slurp(f.c_str()), f);
  auto load_t0 = std::chrono::steady_clock::now();
  auto p = engine.load_policies(slurp(argv[1]), argv[1]);
  if (!p.ok()) {
    std::cerr << p.json << "\n";
    return 3;
  }
  for (const auto& f : data_files) {
    auto d = engine.load_data(slurp(f.c_str()), f);
    if (!d.ok()) {
      std::cerr << d.json << "\n";
      return 3;
    }
  }
  {
    // Loading checks and keeps the files; the first evaluation builds the indexes.
    verdict::EvalOptions warm;
    warm.now = "2026-03-02T10:00:00Z";
    (void)engine.evaluate("{}", warm);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_t0).count();
    line("load", "\"load_ms\":" + std::to_string(ms));
  }
  const std::string input = slurp(argv[3]);
  verdict::EvalOptions options;
  options.now = "2026-03-02T10:00:00Z";
  options.format = verdict::InputFormat::kNdjson;

  double best = 1e30;
  size_t decisions = 0;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    verdict::EvalReport rep = engine.evaluate(input, options);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, secs);
    decisions = rep.decisions;
  }
  {
    verdict::JsonWriter w;
    w.begin_object().key("docs").number(static_cast<int64_t>(decisions)).key("bytes").number(static_cast<int64_t>(input.size()))
        .key("seconds").number(best).key("docs_per_s").number(static_cast<double>(decisions) / best)
        .key("mb_per_s").number(static_cast<double>(input.size()) / best / 1e6).end_object();
    std::string s(w.view());
    line("evaluate NDJSON stream (one call)", s.substr(1, s.size() - 2));
  }
  {
    // Streamed: each decision goes to a sink as it is made (what `verdict eval` and
    // `verdict triage` do with stdout), instead of one string with every decision.
    size_t bytes_out = 0;
    verdict::EvalOptions streamed = options;
    streamed.sink = [&](std::string_view line) { bytes_out += line.size(); };
    double best_stream = 1e30, best_cpu = 1e30;
    for (int r = 0; r < repeats; ++r) {
      bytes_out = 0;
      auto t0 = std::chrono::steady_clock::now();
      double c0 = cpu_seconds();
      (void)engine.evaluate(input, streamed);
      best_cpu = std::min(best_cpu, cpu_seconds() - c0);
      best_stream = std::min(best_stream, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    verdict::JsonWriter w;
    w.begin_object().key("docs").number(static_cast<int64_t>(decisions)).key("bytes").number(static_cast<int64_t>(input.size()))
        .key("seconds").number(best_stream).key("docs_per_s").number(static_cast<double>(decisions) / best_stream)
        .key("mb_per_s").number(static_cast<double>(input.size()) / best_stream / 1e6).end_object();
    std::string s(w.view());
    line("decisions streamed to a sink (native only)", s.substr(1, s.size() - 2));
    verdict::JsonWriter wc;
    wc.begin_object().key("docs").number(static_cast<int64_t>(decisions)).key("bytes").number(static_cast<int64_t>(input.size()))
        .key("seconds").number(best_cpu).key("docs_per_s").number(static_cast<double>(decisions) / best_cpu)
        .key("mb_per_s").number(static_cast<double>(input.size()) / best_cpu / 1e6)
        .key("bytes_out_per_doc").number(static_cast<double>(bytes_out) / static_cast<double>(decisions)).end_object();
    std::string sc(wc.view());
    line("the same per CPU second (native only, process CPU time)", sc.substr(1, sc.size() - 2));
  }
  {
    // The same without RE2::Set (TriageRouting matches each sibling's regex on its own).
    double best_plain = 1e30;
    for (int r = 0; r < repeats; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      verdict::EvalReport rep = no_sets.evaluate(input, options);
      best_plain = std::min(best_plain, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      if (rep.decisions != decisions) std::cerr << "decision count differs without RE2::Set\n";
    }
    verdict::JsonWriter w;
    w.begin_object().key("docs").number(static_cast<int64_t>(decisions)).key("bytes").number(static_cast<int64_t>(input.size()))
        .key("seconds").number(best_plain).key("docs_per_s").number(static_cast<double>(decisions) / best_plain)
        .key("mb_per_s").number(static_cast<double>(input.size()) / best_plain / 1e6).end_object();
    std::string s(w.view());
    line("same, without RE2::Set (native only)", s.substr(1, s.size() - 2));
  }

  // Latency of one decision: each document in its own call (parse + evaluate + JSON).
  std::vector<double> us;
  verdict::EvalOptions one = options;
  one.format = verdict::InputFormat::kJson;
  size_t pos = 0;
  while (pos < input.size() && us.size() < 20000) {
    size_t nl = input.find('\n', pos);
    if (nl == std::string::npos) nl = input.size();
    std::string_view doc(input.data() + pos, nl - pos);
    auto t0 = std::chrono::steady_clock::now();
    verdict::EvalReport rep = engine.evaluate(doc, one);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    pos = nl + 1;
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double q) { return us[static_cast<size_t>(q * static_cast<double>(us.size() - 1))]; };
  verdict::JsonWriter w;
  w.begin_object().key("p50_us").number(pct(0.5)).key("p99_us").number(pct(0.99)).key("n").number(static_cast<int64_t>(us.size())).end_object();
  std::string s(w.view());
  line("one decision per call (latency)", s.substr(1, s.size() - 2));
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  line("peak RSS", "\"max_rss_kb\":" + std::to_string(ru.ru_maxrss));
  return 0;
}
