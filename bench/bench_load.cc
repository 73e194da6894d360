// Document loading throughput, native. Prints one JSON object per measurement
// (bench/table.mjs joins them with the Wasm figures into one table).
//   bench_load FILE.ndjson [REPEATS]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>

#include <simdjson.h>

#include "verdict/engine.h"
#include "verdict/json_writer.h"

namespace {

double best_seconds(int repeats, const std::function<size_t()>& run, size_t& docs) {
  double best = 1e30;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    docs = run();
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

void report(const char* what, size_t bytes, size_t docs, double secs) {
  verdict::JsonWriter w;
  w.begin_object()
      .key("target").string("native")
      .key("what").string(what)
      .key("docs").number(static_cast<int64_t>(docs))
      .key("bytes").number(static_cast<int64_t>(bytes))
      .key("seconds").number(secs)
      .key("docs_per_s").number(static_cast<double>(docs) / secs)
      .key("mb_per_s").number(static_cast<double>(bytes) / secs / 1e6)
      .end_object();
  std::cout << w.view() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bench_load FILE.ndjson [REPEATS]\n";
    return 4;
  }
  int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  std::ifstream f(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string data = ss.str();
  size_t docs = 0;

  // The ceiling: simdjson's parse_many over the same bytes, parse only.
  simdjson::dom::parser parser;
  simdjson::padded_string padded(data);
  double t = best_seconds(repeats, [&] {
    size_t n = 0;
    simdjson::dom::document_stream stream;
    if (parser.parse_many(padded).get(stream)) return n;
    for (auto doc : stream) {
      simdjson::dom::element e;
      if (!doc.get(e)) ++n;
    }
    return n;
  }, docs);
  report("simdjson parse_many (parse only, ceiling)", data.size(), docs, t);

  // verdict's document layer: every line parsed, checked and handed over as a view.
  verdict::DocumentReader reader;
  t = best_seconds(repeats, [&] {
    size_t n = 0;
    reader.read_ndjson(data, [&](const verdict::StreamItem& item) {
      n += item.document != nullptr;
      return true;
    });
    return n;
  }, docs);
  report("verdict DocumentReader::read_ndjson", data.size(), docs, t);

  // Through the engine as a host sees it (counts and errors, no per-document list).
  verdict::Engine engine;
  verdict::ReadOptions count_only;
  count_only.format = verdict::InputFormat::kNdjson;
  count_only.summaries = false;
  t = best_seconds(repeats, [&] { return engine.read(data, count_only).read; }, docs);
  report("verdict engine read (count only)", data.size(), docs, t);

  // The main job of today's CLI: a summary of each document as JSON.
  verdict::ReadOptions summaries;
  summaries.format = verdict::InputFormat::kNdjson;
  t = best_seconds(repeats, [&] { return engine.read(data, summaries).read; }, docs);
  report("verdict engine read (summaries)", data.size(), docs, t);

  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::cout << R"({"target":"native","what":"peak RSS","max_rss_kb":)" << ru.ru_maxrss << "}\n";
  return 0;
}
