#include "serve/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>

namespace verdict::serve {

std::string rfc3339_ns(int64_t ns) {
  int64_t secs = ns >= 0 ? ns / 1000000000 : -((-ns + 999999999) / 1000000000);
  int64_t ms = (ns - secs * 1000000000) / 1000000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
  return buf;
}

std::string clock_now() {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch());
  return rfc3339_ns(ns.count());
}

void log_line(const char* level, const char* msg, nlohmann::ordered_json fields) {
  nlohmann::ordered_json j;
  j["ts"] = clock_now();
  j["level"] = level;
  j["msg"] = msg;
  for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
  // Replace invalid UTF-8 (a path from a request) rather than fail: a log line is never lost.
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::cerr << line << "\n" << std::flush;
}

}  // namespace verdict::serve
