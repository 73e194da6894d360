// Prometheus metrics of `verdict serve` (GET /metrics, text exposition format 0.0.4).
// Thread-safe: every member function takes the one mutex (a scrape is rare, a request
// updates a few counters).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace verdict::serve {

class Metrics {
 public:
  Metrics();
  // One HTTP request: its route (the pattern, not the raw path), status and duration.
  void request(const std::string& route, int status, double seconds);
  // Decisions made by a policy kind ("TriageRouting", ...).
  void decisions(const std::string& kind, uint64_t n);
  // Alert decisions of the AlertDedup stream ("new", "duplicate", ...) and notifications.
  void alert_lines(const std::string& type_or_decision, uint64_t n);
  void journal(uint64_t bytes, uint64_t records);
  // Webhook notifications by receiver: "sent" (delivered, 2xx), "failed" (given up after the
  // last attempt), "retried" (an attempt that failed and will be tried again).
  void notification(const std::string& receiver, const char* result);
  void outbox(uint64_t pending);
  // A connection refused because the queue was full (answered 503).
  void refused();
  // A bundle reload: swapped in, or refused (the old bundle keeps serving).
  void reload(bool ok);
  std::string render(const std::string& bundle_digest) const;
  // More lines for render (the fleet's, serve/cluster.h); set before serving.
  void set_extra(std::function<std::string()> extra) { extra_ = std::move(extra); }

 private:
  mutable std::mutex mu_;
  std::vector<double> bounds_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  struct Histogram {
    std::vector<uint64_t> buckets;  // cumulative at render time; here per bucket
    uint64_t count = 0;
    double sum = 0;
  };
  std::map<std::string, Histogram> latency_;
  std::map<std::string, uint64_t> decisions_;
  std::map<std::string, uint64_t> alerts_;
  uint64_t journal_bytes_ = 0, journal_records_ = 0;
  std::map<std::pair<std::string, std::string>, uint64_t> notifications_;  // (result, receiver)
  uint64_t outbox_ = 0;
  uint64_t refused_ = 0;
  uint64_t reloads_ok_ = 0, reloads_failed_ = 0;
  std::function<std::string()> extra_;
};

}  // namespace verdict::serve
