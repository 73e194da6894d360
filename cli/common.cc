#include "cli/common.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iostream>

namespace verdict::cli {

namespace {
size_t g_max_input_bytes = kDefaultMaxInputBytes;
bool g_last_read_limited = false;
}  // namespace

void set_max_input_bytes(size_t n) { g_max_input_bytes = n; }
size_t max_input_bytes() { return g_max_input_bytes; }
void set_read_limited(bool limited) { g_last_read_limited = limited; }
int read_failure_exit() { return g_last_read_limited ? kExitInvalid : kExitUsage; }

namespace {

// Memory for up to `bytes` of input in `out` (its capacity), asked of the kernel in 2 MiB
// pages where it can (transparent huge pages on madvise): reading 128 MiB from a pipe or
// /dev/zero then faults 64 pages instead of 32,768, which was most of the time it took to
// refuse such an input. A hint only; nothing depends on it.
void reserve_input(std::string& out, size_t bytes) {
  out.reserve(bytes);
#ifdef MADV_HUGEPAGE
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  if (bytes < 2 * kHuge) return;
  auto begin = reinterpret_cast<uintptr_t>(out.data());
  uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1), last = (begin + out.capacity()) & ~(kHuge - 1);
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#endif
}

}  // namespace

void widen_pipe(int fd) {
#ifdef F_SETPIPE_SZ
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) ::fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#else
  (void)fd;
#endif
}

void grow_input(std::string& out, size_t needed) {
  if (needed <= out.capacity()) return;
  // Doubling, but never past the limit and one byte: std::string's own growth doubles too, so
  // from 128 MiB it would ask for 256 MiB (and hold both while it copies) to read one byte more.
  // A fresh string reserves exactly what it is asked for.
  const size_t limit = g_max_input_bytes;
  // Powers of two, whatever sizes the reads returned, and the limit and one byte once a power
  // of two would reach the limit: the step before it holds at most half the limit (for a
  // power-of-two limit), so growing to the limit holds at most 1.5 times it. (Doubling from
  // whatever the first read returned could stop just under the limit, then hold nearly twice
  // it while copying: out of memory under `ulimit -v` 256 MB with a 128 MiB limit.)
  size_t cap = std::bit_ceil(std::max(needed, 2 * out.capacity()));
  if (cap >= limit) cap = limit + 1;
  cap = std::max(cap, needed);
  std::string bigger;
  reserve_input(bigger, cap);
  bigger.append(out);
  out.swap(bigger);
}

bool read_to_end(int fd, std::string& out, size_t size_hint, const std::string& name, std::string& why) {
  g_last_read_limited = false;
  const size_t limit = g_max_input_bytes;
  // Room for the size expected and one byte more (the end is seen by the read that fills it);
  // of unknown size, room that doubles as it fills.
  size_t have = out.size();
  reserve_input(out, have + std::min(size_hint, limit) + 1);
  // Read straight into the string's memory, in chunks: no copy from a buffer.
  constexpr size_t kChunk = size_t{1} << 20;
  for (;;) {
    size_t want = std::min(kChunk, limit + 1 - std::min(have, limit));
    // A file of known size is read in reads of what is left of it and one byte (which sees its
    // end): resize() zero-fills what it adds, and a whole chunk for a 3 kB policy file cost
    // 256 page faults of memset, a sixth of `verdict budget`'s time (docs/performance.md).
    if (size_hint > 0 && have <= size_hint) want = std::min(want, size_hint - have + 1);
    grow_input(out, have + want);
    out.resize(have + want);
    ssize_t got = ::read(fd, out.data() + have, want);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      out.resize(have);
      why = "cannot read " + name + ": " + std::strerror(errno);
      return false;
    }
    have += static_cast<size_t>(got);
    out.resize(have);
    if (have > limit) {
      out.clear();
      out.shrink_to_fit();
      why = name + " is larger than the input limit of " + std::to_string(limit) + " bytes (--max-input-bytes; docs/limits.md)";
      g_last_read_limited = true;
      return false;
    }
    if (got == 0) return true;
  }
}

bool read_file(const std::string& path, std::string& out, std::string& why) {
  g_last_read_limited = false;
  out.clear();
  const bool is_stdin = path == "-";
  const std::string name = is_stdin ? "standard input" : path;
  int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    why = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  struct Closer {
    int fd;
    bool close;
    ~Closer() {
      if (close) ::close(fd);
    }
  } closer{fd, !is_stdin};
  struct stat st {};
  size_t size_hint = 0;
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      why = name + " is a directory, not a file";
      return false;
    }
    // A regular file says its size: refuse it before reading a byte.
    if (S_ISREG(st.st_mode)) {
      if (static_cast<uint64_t>(st.st_size) > g_max_input_bytes) {
        why = name + " is larger than the input limit of " + std::to_string(g_max_input_bytes) +
              " bytes (--max-input-bytes; docs/limits.md)";
        g_last_read_limited = true;
        return false;
      }
      size_hint = static_cast<size_t>(st.st_size);
    }
  }
  // Pipes, terminals and special files (/dev/zero) are read up to the limit, never further.
  widen_pipe(fd);
  return read_to_end(fd, out, size_hint, name, why);
}

std::string os_reason() { return errno ? std::string(": ") + std::strerror(errno) : std::string(); }

int load_bundle(Engine& engine, const std::vector<std::string>& policies, const std::vector<std::string>& data) {
  int rc = kExitOk;
  auto report = [&](const LoadReport& r) {
    for (const auto& e : r.errors) std::cerr << e.to_string() << "\n";
    for (const auto& w : r.warnings) std::cerr << w.to_string() << " [warning]\n";
    if (!r.ok()) rc = kExitInvalid;
  };
  for (const auto& path : policies) {
    std::string text, why;
    if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return read_failure_exit();
    }
    report(engine.load_policies(text, path));
  }
  for (const auto& path : data) {
    std::string text, why;
    if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return read_failure_exit();
    }
    report(engine.load_data(text, path));
  }
  return rc;
}

std::string now_utc() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int exit_code_for(DecisionClass c) {
  switch (c) {
    case DecisionClass::kAllowed: return kExitOk;
    case DecisionClass::kReview: return kExitReview;
    case DecisionClass::kDenied: return kExitDenied;
    case DecisionClass::kError: return kExitInvalid;
  }
  return kExitInvalid;
}

int exit_code_for(const EvalReport& r) {
  if (r.decisions == 0)
    for (const Error& e : r.errors)
      if (e.code == ErrorCode::kWrongKind || e.code == ErrorCode::kAmbiguous) return kExitUsage;
  return exit_code_for(r.worst);
}

}  // namespace verdict::cli
