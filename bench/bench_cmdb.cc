// CMDB index benchmark, native. Generates a deterministic layered CMDB (business
// services -> applications -> containers -> hosts -> infrastructure, with a few
// shared infrastructure hubs) of 100,000 items and 300,000 dependency edges as
// native JSON in memory, reads it with DocumentReader, then measures:
//   - index build: CmdbIndex::add() + finalize() (best and median of 5 rounds),
//   - peak RSS (getrusage ru_maxrss),
//   - blast_radius() latency over 10,000 random starts (max_depth 16): p50, p99.
// Prints a Markdown table.
//   bench_cmdb [ITEMS] [EDGES]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cmdb/cmdb.h"
#include "verdict/document.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Rng {  // splitmix64: deterministic across platforms
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next() >> 32) * n) >> 32); }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

// Layer boundaries as fractions of the item count.
constexpr double kLayerEnd[] = {0.02, 0.12, 0.52, 0.92, 1.0};
constexpr const char* kLayerClass[] = {"business_service", "application", "container", "host", "database"};
constexpr int kLayers = 5;

std::string generate(uint32_t items, uint32_t edges) {
  uint32_t bound[kLayers + 1] = {0};
  for (int l = 0; l < kLayers; ++l) bound[l + 1] = static_cast<uint32_t>(kLayerEnd[l] * items);
  bound[kLayers] = items;
  auto layer_of = [&](uint32_t i) {
    int l = 0;
    while (i >= bound[l + 1]) ++l;
    return l;
  };
  const uint32_t sources = bound[kLayers - 1];  // the last layer depends on nothing
  std::vector<std::vector<uint32_t>> deps(items);
  Rng rng{42};
  for (uint32_t e = 0; e < edges; ++e) {
    const uint32_t src = e % sources;
    const int l = layer_of(src);
    for (;;) {
      int tl = l + 1;
      if (tl < kLayers - 1 && rng.unit() < 0.3) ++tl;
      const uint32_t lo = bound[tl];
      const uint32_t n = bound[tl + 1] - lo;
      const uint32_t hubs = std::max<uint32_t>(1, n / 100);
      const uint32_t dst = lo + (rng.unit() < 0.1 ? rng.below(hubs) : rng.below(n));
      if (std::find(deps[src].begin(), deps[src].end(), dst) != deps[src].end()) continue;
      deps[src].push_back(dst);
      break;
    }
  }
  std::string json;
  json.reserve(static_cast<size_t>(items) * 160);
  json += "{\"kind\":\"cmdb\",\"items\":[";
  char buf[256];
  for (uint32_t i = 0; i < items; ++i) {
    const int l = layer_of(i);
    std::snprintf(buf, sizeof buf,
                  "%s{\"id\":\"ci-%06u\",\"name\":\"%s-%u\",\"class\":\"%s\",\"tier\":%u,\"owner\":\"team-%02u\","
                  "\"environment\":\"production\",\"service\":\"svc-%04u\",\"depends_on\":[",
                  i ? "," : "", i, kLayerClass[l], i, kLayerClass[l], i % 4 + 1, i % 37, i % 2000);
    json += buf;
    for (size_t k = 0; k < deps[i].size(); ++k) {
      std::snprintf(buf, sizeof buf, "%s\"ci-%06u\"", k ? "," : "", deps[i][k]);
      json += buf;
    }
    json += "]}";
  }
  json += "]}";
  return json;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(k, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  const uint32_t items = argc > 1 ? static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 100000;
  const uint32_t edges = argc > 2 ? static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10)) : 300000;
  constexpr int kRounds = 5;
  constexpr int kQueries = 10000;
  constexpr uint32_t kDepth = 16;

  const std::string json = generate(items, edges);
  verdict::DocumentReader reader;

  std::vector<double> build_ms;
  std::vector<double> read_ms;
  double rss_before_index = 0;
  std::unique_ptr<verdict::CmdbIndex> kept;
  for (int round = 0; round < kRounds; ++round) {
    auto t0 = Clock::now();
    auto doc = reader.read(json);
    read_ms.push_back(ms_since(t0));
    if (!doc.ok()) {
      std::fprintf(stderr, "read failed: %s\n", doc.error().to_string().c_str());
      return 1;
    }
    if (round == 0) rss_before_index = peak_rss_mb();
    auto index = std::make_unique<verdict::CmdbIndex>();
    t0 = Clock::now();
    verdict::Status st = index->add(std::move(doc).value(), "generated");
    index->finalize();
    build_ms.push_back(ms_since(t0));
    if (!st.ok() || !index->problems().empty() || index->size() != items) {
      std::fprintf(stderr, "indexing failed: %s\n", st.ok() ? "wrong counts" : st.error().to_string().c_str());
      return 1;
    }
    if (round == kRounds - 1) kept = std::move(index);
  }
  size_t edge_count = 0;
  for (const auto& item : kept->items()) edge_count += item.depends_on.size();

  // Queries from any item, and from items that something depends on (the others reach nothing).
  struct Latency {
    std::vector<double> us;
    size_t reached_total = 0;
    size_t reached_max = 0;
  };
  auto run_queries = [&](const std::vector<uint32_t>& pool, uint64_t seed) {
    Latency lat;
    lat.us.reserve(kQueries);
    Rng rng{seed};
    for (int q = 0; q < kQueries; ++q) {
      const uint32_t start = pool[rng.below(static_cast<uint32_t>(pool.size()))];
      auto t0 = Clock::now();
      auto r = kept->blast_radius(start, kDepth);
      lat.us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      lat.reached_total += r.size();
      lat.reached_max = std::max(lat.reached_max, r.size());
    }
    return lat;
  };
  std::vector<uint32_t> all(items);
  std::vector<uint32_t> depended_on;
  for (uint32_t i = 0; i < items; ++i) {
    all[i] = i;
    if (!kept->items()[i].dependents.empty()) depended_on.push_back(i);
  }
  const Latency any = run_queries(all, 7);
  const Latency inner = run_queries(depended_on, 11);
  const double rss_peak = peak_rss_mb();

  std::printf("| CMDB index (native) | value |\n");
  std::printf("|---|---|\n");
  std::printf("| items / dependency edges | %u / %zu |\n", items, edge_count);
  std::printf("| native JSON | %.1f MB |\n", static_cast<double>(json.size()) / 1e6);
  std::printf("| read (DocumentReader), median | %.1f ms |\n", percentile(read_ms, 0.5));
  std::printf("| index build: add + finalize, best of %d | %.1f ms |\n", kRounds,
              *std::min_element(build_ms.begin(), build_ms.end()));
  std::printf("| index build: add + finalize, median | %.1f ms |\n", percentile(build_ms, 0.5));
  std::printf("| peak RSS before the first index build (JSON text + document) | %.1f MB |\n", rss_before_index);
  std::printf("| peak RSS (getrusage ru_maxrss) | %.1f MB |\n", rss_peak);
  auto rows = [&](const char* what, const Latency& lat) {
    std::printf("| blast_radius p50 / p99, %d random starts %s, max_depth %u | %.2f / %.2f us |\n", kQueries, what,
                kDepth, percentile(lat.us, 0.5), percentile(lat.us, 0.99));
    std::printf("| items reached per query %s: mean / max | %.1f / %zu |\n", what,
                static_cast<double>(lat.reached_total) / kQueries, lat.reached_max);
  };
  rows("(any item)", any);
  rows("(items with dependents)", inner);
  return 0;
}
