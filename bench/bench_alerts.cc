// AlertDedup throughput, native: a generated alert storm (bench/gen_alerts.py) pushed
// through a generated policy (50 inhibition rules, 100 silences) in batches, as a server
// would receive it; then snapshot and restore of the resulting state. Prints JSON lines
// that bench/table.mjs joins with the Wasm figures (bench/bench_alerts.mjs).
//   bench_alerts POLICY.json ALERTS.ndjson [REPEATS] [BATCH_LINES]
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

void line(const char* what, verdict::JsonWriter& w) {
  std::string s(w.view());
  std::cout << R"({"target":"native","what":")" << what << "\"," << s.substr(1, s.size() - 2) << "}\n";
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_alerts POLICY.json ALERTS.ndjson [REPEATS] [BATCH_LINES]\n";
    return 4;
  }
  int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  size_t batch_lines = argc > 4 ? static_cast<size_t>(std::atoll(argv[4])) : 10000;
  const std::string policy = slurp(argv[1]);
  const std::string input = slurp(argv[2]);
  // Batches of whole lines.
  std::vector<std::string_view> batches;
  for (size_t start = 0, n = 0, i = 0; i < input.size(); ++i) {
    if (input[i] == '\n' && ++n == batch_lines) {
      batches.emplace_back(input.data() + start, i + 1 - start);
      start = i + 1;
      n = 0;
    }
    if (i + 1 == input.size() && start < input.size()) batches.emplace_back(input.data() + start, input.size() - start);
  }
  size_t events = static_cast<size_t>(std::count(input.begin(), input.end(), '\n'));

  double best = 1e30, best_cpu = 1e30;
  size_t out_bytes = 0;
  std::string snapshot;
  std::string stats;
  for (int r = 0; r < repeats; ++r) {
    verdict::Engine engine;
    auto p = engine.load_policies(policy, argv[1]);
    if (!p.ok()) {
      std::cerr << p.json << "\n";
      return 3;
    }
    verdict::AlertOptions options;
    options.format = verdict::InputFormat::kNdjson;
    size_t bytes = 0;
    options.sink = [&](std::string_view out) { bytes += out.size(); };
    auto t0 = std::chrono::steady_clock::now();
    double c0 = cpu_seconds();
    for (std::string_view b : batches) (void)engine.alerts_push(b, options);
    double secs = since(t0);
    best = std::min(best, secs);
    best_cpu = std::min(best_cpu, cpu_seconds() - c0);
    out_bytes = bytes;
    if (r + 1 == repeats) {
      stats = engine.alerts_stats();
      auto s0 = std::chrono::steady_clock::now();
      snapshot = engine.alerts_snapshot();
      double snap_s = since(s0);
      verdict::Engine restored;
      (void)restored.load_policies(policy, argv[1]);
      auto r0 = std::chrono::steady_clock::now();
      verdict::Status st = restored.alerts_restore(snapshot);
      double restore_s = since(r0);
      if (!st.ok()) {
        std::cerr << "restore failed: " << st.error().to_string() << "\n";
        return 3;
      }
      verdict::JsonWriter w;
      w.begin_object().key("snapshot_ms").number(snap_s * 1e3).key("restore_ms").number(restore_s * 1e3)
          .key("snapshot_bytes").number(static_cast<uint64_t>(snapshot.size())).end_object();
      line("snapshot and restore", w);
    }
  }
  verdict::JsonWriter w;
  w.begin_object().key("docs").number(static_cast<uint64_t>(events)).key("bytes").number(static_cast<uint64_t>(input.size()))
      .key("seconds").number(best).key("docs_per_s").number(static_cast<double>(events) / best)
      .key("mb_per_s").number(static_cast<double>(input.size()) / best / 1e6).key("out_bytes").number(static_cast<uint64_t>(out_bytes))
      .key("batches").number(static_cast<uint64_t>(batches.size())).end_object();
  line("alerts_push (batches of 10,000 lines)", w);
  verdict::JsonWriter wc;
  wc.begin_object().key("docs").number(static_cast<uint64_t>(events)).key("bytes").number(static_cast<uint64_t>(input.size()))
      .key("seconds").number(best_cpu).key("docs_per_s").number(static_cast<double>(events) / best_cpu)
      .key("mb_per_s").number(static_cast<double>(input.size()) / best_cpu / 1e6).end_object();
  line("alerts_push per CPU second (native, process CPU time)", wc);
  std::cerr << stats << "\n";
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::cout << R"({"target":"native","what":"peak RSS","max_rss_kb":)" << ru.ru_maxrss << "}\n";
  return 0;
}
