// What the native benchmarks share: reading a whole file, this process's CPU time, and its
// memory from /proc. One copy here instead of one per benchmark.
#pragma once

#include <time.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace verdict::bench {

// The whole file ("" when it cannot be read).
inline std::string slurp(const char* path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// CPU time of this process: on a shared machine the wall clock also counts other work.
inline double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// kB from /proc/self/status ("VmRSS:" or "VmHWM:"); -1 when absent.
inline long status_kb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  size_t n = std::char_traits<char>::length(field);
  while (std::getline(f, line))
    if (line.compare(0, n, field) == 0) return std::atol(line.c_str() + n);
  return -1;
}

}  // namespace verdict::bench
