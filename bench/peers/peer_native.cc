// One native contestant of `scripts/bench.sh peers` (bench/peers/compare.py), run as a worker:
// it loads its inputs, prints {"ready":...}, then does one full pass over the incidents for
// each "run" line on stdin and prints what it measured; "end" prints its peak RSS and exits.
// The orchestrator interleaves the runs of every contestant, so they share the machine's moods.
//   peer_native verdict POLICY CMDB INCIDENTS.ndjson   (the engine in process, decisions streamed)
//   peer_native simdjson - - INCIDENTS.ndjson          (parse_many, parse only: the ceiling)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <simdjson.h>

#include "verdict/engine.h"
#include "../bench_util.h"

namespace {

using verdict::bench::cpu_seconds;
using verdict::bench::slurp;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: peer_native verdict|simdjson POLICY CMDB INCIDENTS.ndjson\n";
    return 4;
  }
  const std::string mode = argv[1];
  auto t0 = std::chrono::steady_clock::now();
  const std::string data = slurp(argv[4]);
  verdict::Engine engine;
  verdict::EvalOptions options;
  simdjson::dom::parser parser;
  simdjson::padded_string padded;
  if (mode == "verdict") {
    if (!engine.load_policies(slurp(argv[2]), argv[2]).ok() || !engine.load_data(slurp(argv[3]), argv[3]).ok()) {
      std::cerr << "peer_native: the policy or the CMDB did not load\n";
      return 3;
    }
    options.now = "2026-03-02T10:00:00Z";
    options.format = verdict::InputFormat::kNdjson;
  } else if (mode == "simdjson") {
    padded = simdjson::padded_string(data);
  } else {
    std::cerr << "peer_native: unknown mode " << mode << "\n";
    return 4;
  }
  double setup_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"ready\":true,\"setup_ms\":%.3f,\"bytes\":%zu}\n", setup_ms, data.size());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line == "end") break;
    size_t docs = 0, out_bytes = 0;
    double c0 = cpu_seconds();
    auto r0 = std::chrono::steady_clock::now();
    if (mode == "verdict") {
      // Decisions as a host writing them out sees them: streamed through the sink.
      options.sink = [&](std::string_view s) { out_bytes += s.size(); };
      docs = engine.evaluate(data, options).decisions;
    } else {
      simdjson::dom::document_stream stream;
      if (!parser.parse_many(padded).get(stream))
        for (auto doc : stream) {
          simdjson::dom::element e;
          if (!doc.get(e)) ++docs;
        }
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
    std::printf("{\"seconds\":%.6f,\"cpu_s\":%.6f,\"docs\":%zu,\"out_bytes\":%zu}\n", secs, cpu_seconds() - c0, docs, out_bytes);
    std::fflush(stdout);
  }
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("{\"max_rss_kb\":%ld}\n", ru.ru_maxrss);
  return 0;
}
