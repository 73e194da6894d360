// AlertDedup state, native (issue 13 item 5): what a new fingerprint costs against a
// repeat, the memory each active alert holds, and snapshot/restore against ingest.
// The input (bench/gen_alerts.py state) is N events that each create an alert, then the
// same N label sets firing again (each a repeat). Every repetition runs in a fresh
// Engine; the first repetition is the cold one (a fresh heap), and the table reports it
// apart from the median. Prints JSON lines (bench/bench_alert_state.mjs prints the same
// in Wasm; docs/performance.md, "Alert state", has the table).
//   bench_alert_state POLICY.json STATE.ndjson [REPEATS]
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "verdict/document.h"
#include "verdict/engine.h"
#include "verdict/json_writer.h"
#include "bench_util.h"

namespace {

using verdict::bench::slurp;
using verdict::bench::cpu_seconds;
using verdict::bench::status_kb;

size_t heap_in_use() { return mallinfo2().uordblks; }

// Batches of 10,000 whole lines of `text`.
std::vector<std::string_view> batches_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0, n = 0;
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n' && ++n == 10000) {
      out.push_back(text.substr(start, i + 1 - start));
      start = i + 1;
      n = 0;
    }
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_alert_state POLICY.json STATE.ndjson [REPEATS]\n";
    return 4;
  }
  int repeats = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  const std::string policy = slurp(argv[1]);
  const std::string input = slurp(argv[2]);
  size_t lines = static_cast<size_t>(std::count(input.begin(), input.end(), '\n'));
  size_t n = lines / 2;
  size_t half = 0;
  for (size_t i = 0, seen = 0; i < input.size(); ++i)
    if (input[i] == '\n' && ++seen == n) {
      half = i + 1;
      break;
    }
  const auto fresh = batches_of(std::string_view(input).substr(0, half));
  const auto repeat = batches_of(std::string_view(input).substr(half));

  for (int r = 0; r < repeats; ++r) {
    long rss0 = status_kb("VmRSS:");
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
    size_t heap1 = heap_in_use();
    double c0 = cpu_seconds();
    for (std::string_view b : fresh) (void)engine.alerts_push(b, options);
    double new_s = cpu_seconds() - c0;
    size_t heap2 = heap_in_use();
    long hwm = status_kb("VmHWM:");
    c0 = cpu_seconds();
    for (std::string_view b : repeat) (void)engine.alerts_push(b, options);
    double repeat_s = cpu_seconds() - c0;
    c0 = cpu_seconds();
    std::string snapshot = engine.alerts_snapshot();
    double snap_s = cpu_seconds() - c0;
    verdict::Engine restored;
    (void)restored.load_policies(policy, argv[1]);
    c0 = cpu_seconds();
    verdict::Status st = restored.alerts_restore(snapshot);
    double restore_s = cpu_seconds() - c0;
    // The part of a restore that is reading the text (copy, simdjson, limits): a fresh reader,
    // as the restored engine's was.
    double parse_s = 0;
    {
      verdict::DocumentReader reader;
      c0 = cpu_seconds();
      auto doc = reader.read(snapshot);
      parse_s = cpu_seconds() - c0;
      if (!doc.ok()) return 3;
    }
    if (!st.ok()) {
      std::cerr << "restore failed: " << st.error().to_string() << "\n";
      return 3;
    }
    if (restored.alerts_snapshot() != snapshot) {
      std::cerr << "the restored state's snapshot differs from the one restored\n";
      return 3;
    }
    auto per = [&](double s) { return s * 1e6 / static_cast<double>(n); };
    verdict::JsonWriter w;
    w.begin_object().key("target").string("native").key("run").number(static_cast<int64_t>(r)).key("alerts").number(static_cast<uint64_t>(n));
    w.key("new_us").number(per(new_s)).key("repeat_us").number(per(repeat_s));
    w.key("snapshot_us").number(per(snap_s)).key("restore_us").number(per(restore_s));
    w.key("restore_parse_us").number(per(parse_s));
    w.key("heap_bytes_per_alert").number(static_cast<double>(heap2 - heap1) / static_cast<double>(n));
    // Peak RSS growth while ingesting, per alert: meaningful on the cold run (later runs
    // reuse the pages the earlier ones freed).
    w.key("peak_bytes_per_alert").number(static_cast<double>(hwm - rss0) * 1024.0 / static_cast<double>(n));
    w.key("snapshot_bytes").number(static_cast<uint64_t>(snapshot.size())).key("out_bytes").number(static_cast<uint64_t>(bytes));
    w.end_object();
    std::cout << w.view() << "\n";
  }
  return 0;
}
