// Structured log lines of `verdict serve`: one JSON object per line on stderr,
// {"ts":"2026-03-02T10:00:00.123Z","level":"info","msg":"listening",...}. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace verdict::serve {

void log_line(const char* level, const char* msg, nlohmann::ordered_json fields = nlohmann::ordered_json::object());

// RFC 3339 UTC with milliseconds, from nanoseconds since the epoch (the server clock's or a
// snapshot's time).
std::string rfc3339_ns(int64_t ns);
// The server clock as RFC 3339 UTC with milliseconds: the `now` of a request that gives none.
std::string clock_now();

}  // namespace verdict::serve
