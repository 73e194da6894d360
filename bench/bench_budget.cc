// ErrorBudget, native: 1,000 SLOs, each 30 days of one-minute samples (43,200 points), one
// evaluation per SLO with the default budget policy; and one SLO of 10,000,000 points as an
// NDJSON stream (a sample a line). Inputs are generated in memory by the same integer
// generator as bench/bench_budget.mjs, so both targets evaluate the same bytes; the
// checksum of the decisions must agree. Prints JSON lines for bench/budget_table.mjs.
//   bench_budget POLICY.json [SLOS] [POINTS] [BIG_POINTS]   (defaults 1000 43200 10000000; BIG_POINTS 0: skip)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "verdict/engine.h"
#include "bench_util.h"

namespace {

using verdict::bench::slurp;

// xorshift32: the same sequence in JavaScript (bench_budget.mjs).
struct Rng {
  uint32_t s;
  uint32_t next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }
};

constexpr int64_t kNow = 1772445600;  // 2026-03-02T10:00:00Z

// One SLO and its series: totals 500-1499 a minute, errors mostly 0-1, a burst now and then.
void make_slo(int i, int points, std::string& out) {
  out.clear();
  out += R"({"kind":"slo","name":"slo-)" + std::to_string(i) + R"(","service":"svc-)" + std::to_string(i % 97) +
         R"(","objective":99.9,"window":"30d"})" "\n";
  out += R"({"slo":"slo-)" + std::to_string(i) + R"(","start":)" + std::to_string(kNow - 60LL * (points - 1)) + R"(,"step":"1m","total":[)";
  Rng r{static_cast<uint32_t>(2654435761u * static_cast<uint32_t>(i + 1))};
  std::vector<int> bad(static_cast<size_t>(points));
  for (int k = 0; k < points; ++k) {
    uint32_t x = r.next();
    int total = 500 + static_cast<int>(x % 1000);
    bad[static_cast<size_t>(k)] = (x >> 12) % 997 == 0 ? total / 20 : static_cast<int>((x >> 22) % 2);
    if (k) out += ',';
    out += std::to_string(total);
  }
  out += R"(],"bad":[)";
  for (int k = 0; k < points; ++k) {
    if (k) out += ',';
    out += std::to_string(bad[static_cast<size_t>(k)]);
  }
  out += "]}\n";
}

uint32_t fnv(std::string_view s, uint32_t h) {
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

void line(const std::string& what, const std::string& extra) {
  std::cout << R"({"target":"native","what":")" << what << "\"," << extra << "}\n" << std::flush;
}

long rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bench_budget POLICY.json [SLOS] [POINTS] [BIG_POINTS]\n";
    return 4;
  }
  const int slos = argc > 2 ? std::atoi(argv[2]) : 1000;
  const int points = argc > 3 ? std::atoi(argv[3]) : 43200;
  const long long big = argc > 4 ? std::atoll(argv[4]) : 10000000;
  verdict::Engine engine;
  if (!engine.load_policies(slurp(argv[1]), argv[1]).ok()) return 3;
  verdict::EvalOptions opt;
  opt.now = "2026-03-02T10:00:00Z";

  std::string input;
  std::vector<double> each;
  double total = 0, bytes = 0;
  uint32_t sum = 2166136261u;
  for (int i = 0; i < slos; ++i) {
    make_slo(i, points, input);
    double t0 = now_s();
    verdict::EvalReport r = engine.evaluate(input, opt);
    double dt = now_s() - t0;
    if (!r.ok()) {
      std::cerr << r.json.substr(0, 400) << "\n";
      return 3;
    }
    each.push_back(dt);
    total += dt;
    bytes += static_cast<double>(input.size());
    sum = fnv(r.json, sum);
  }
  std::sort(each.begin(), each.end());
  line(std::to_string(slos) + " SLOs x " + std::to_string(points) + " points", "\"slos\":" + std::to_string(slos) + ",\"points\":" + std::to_string(points) +
                                         ",\"seconds\":" + std::to_string(total) + ",\"bytes\":" + std::to_string(bytes) +
                                         ",\"p50_ms\":" + std::to_string(each[each.size() / 2] * 1e3) +
                                         ",\"p99_ms\":" + std::to_string(each[each.size() * 99 / 100] * 1e3) +
                                         ",\"checksum\":" + std::to_string(sum) + ",\"max_rss_kb\":" + std::to_string(rss_kb()));
  if (big > 0) {
    // One SLO, one sample a line: the NDJSON stream form, the heaviest per point.
    std::string in = R"({"kind":"slo","name":"big","service":"svc","objective":99.9,"window":"7000d"})" "\n";
    in.reserve(static_cast<size_t>(big) * 40);
    Rng r{12345};
    char buf[96];
    for (long long k = big - 1; k >= 0; --k) {
      uint32_t x = r.next();
      int tot = 500 + static_cast<int>(x % 1000);
      int n = std::snprintf(buf, sizeof buf, "{\"t\":%lld,\"good\":%d,\"total\":%d}\n", kNow - 60LL * k, tot - static_cast<int>((x >> 22) % 2), tot);
      in.append(buf, static_cast<size_t>(n));
    }
    long before = rss_kb();
    double t0 = now_s();
    verdict::EvalReport rep = engine.evaluate(in, opt);
    double dt = now_s() - t0;
    if (!rep.ok()) {
      std::cerr << rep.json.substr(0, 400) << "\n";
      return 3;
    }
    line("one SLO x " + std::to_string(big) + " points (NDJSON)", "\"points\":" + std::to_string(big) + ",\"seconds\":" + std::to_string(dt) +
                                                                    ",\"bytes\":" + std::to_string(in.size()) + ",\"rss_before_kb\":" + std::to_string(before) +
                                                                    ",\"max_rss_kb\":" + std::to_string(rss_kb()));
  }
  return 0;
}
