#include "cli/common.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

namespace verdict::cli {

bool read_file(const std::string& path, std::string& out, std::string& why) {
  std::ostringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    out = ss.str();
    return true;
  }
  errno = 0;
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    // The OS's reason, as every Unix tool gives it: "cannot open x.json: No such file or directory".
    why = "cannot open " + path + (errno ? std::string(": ") + std::strerror(errno) : std::string());
    return false;
  }
  ss << f.rdbuf();
  out = ss.str();
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
      return kExitUsage;
    }
    report(engine.load_policies(text, path));
  }
  for (const auto& path : data) {
    std::string text, why;
    if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return kExitUsage;
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
