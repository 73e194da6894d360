#include "cli/common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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
int read_failure_exit() { return g_last_read_limited ? kExitInvalid : kExitUsage; }

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
  auto fail = [&](std::string message, bool limited) {
    why = std::move(message);
    g_last_read_limited = limited;
    if (!is_stdin) ::close(fd);
    return false;
  };
  const std::string over = " is larger than the input limit of " + std::to_string(g_max_input_bytes) +
                           " bytes (--max-input-bytes; docs/limits.md)";
  struct stat st {};
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) return fail(name + " is a directory, not a file", false);
    // A regular file says its size: refuse it before reading a byte.
    if (S_ISREG(st.st_mode)) {
      if (static_cast<uint64_t>(st.st_size) > g_max_input_bytes) return fail(name + over, true);
      out.reserve(static_cast<size_t>(st.st_size));
    }
  }
  // Pipes, terminals and special files (/dev/zero) are read in chunks up to the limit, never further.
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot read " + name + ": " + std::strerror(errno), false);
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > g_max_input_bytes) {
      out.clear();
      out.shrink_to_fit();
      return fail(name + over, true);
    }
    out.append(buf, static_cast<size_t>(n));
  }
  if (!is_stdin) ::close(fd);
  return true;
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
