#include "serve/metrics.h"

#include <algorithm>
#include <sstream>

namespace verdict::serve {

namespace {
// A label value in the exposition format: backslash, quote and newline escaped.
std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '\\') o += "\\\\";
    else if (c == '"') o += "\\\"";
    else if (c == '\n') o += "\\n";
    else o.push_back(c);
  }
  return o;
}
}  // namespace

Metrics::Metrics() : bounds_{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5} {}

void Metrics::request(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  if (h.buckets.empty()) h.buckets.assign(bounds_.size(), 0);
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin());
  if (i < h.buckets.size()) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::decisions(const std::string& kind, uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  decisions_[kind] += n;
}

void Metrics::alert_lines(const std::string& what, uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  alerts_[what] += n;
}

void Metrics::journal(uint64_t bytes, uint64_t records) {
  std::lock_guard<std::mutex> lock(mu_);
  journal_bytes_ = bytes;
  journal_records_ = records;
}

void Metrics::notification(const std::string& receiver, const char* result) {
  std::lock_guard<std::mutex> lock(mu_);
  ++notifications_[{result, receiver}];
}

void Metrics::outbox(uint64_t pending) {
  std::lock_guard<std::mutex> lock(mu_);
  outbox_ = pending;
}

void Metrics::reload(bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  ++(ok ? reloads_ok_ : reloads_failed_);
}

void Metrics::refused() {
  std::lock_guard<std::mutex> lock(mu_);
  ++refused_;
}

std::string Metrics::render(const std::string& bundle_digest) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream o;
  o << "# HELP verdict_http_requests_total HTTP requests by route and status.\n"
       "# TYPE verdict_http_requests_total counter\n";
  for (const auto& [k, n] : requests_)
    o << "verdict_http_requests_total{route=\"" << esc(k.first) << "\",status=\"" << k.second << "\"} " << n << "\n";
  o << "# HELP verdict_http_request_duration_seconds Time from the request read to the response written, by route.\n"
       "# TYPE verdict_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    uint64_t cum = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      cum += h.buckets[i];
      std::ostringstream le;
      le << bounds_[i];
      o << "verdict_http_request_duration_seconds_bucket{route=\"" << esc(route) << "\",le=\"" << le.str() << "\"} " << cum
        << "\n";
    }
    o << "verdict_http_request_duration_seconds_bucket{route=\"" << esc(route) << "\",le=\"+Inf\"} " << h.count << "\n";
    o << "verdict_http_request_duration_seconds_sum{route=\"" << esc(route) << "\"} " << h.sum << "\n";
    o << "verdict_http_request_duration_seconds_count{route=\"" << esc(route) << "\"} " << h.count << "\n";
  }
  o << "# HELP verdict_decisions_total Decisions made, by policy kind.\n# TYPE verdict_decisions_total counter\n";
  for (const auto& [k, n] : decisions_) o << "verdict_decisions_total{kind=\"" << esc(k) << "\"} " << n << "\n";
  o << "# HELP verdict_alert_events_total Lines of the alert stream, by decision (alerts), notification, silence and error.\n"
       "# TYPE verdict_alert_events_total counter\n";
  for (const auto& [k, n] : alerts_) o << "verdict_alert_events_total{decision=\"" << esc(k) << "\"} " << n << "\n";
  o << "# HELP verdict_journal_bytes Size of the alert journal.\n# TYPE verdict_journal_bytes gauge\n"
    << "verdict_journal_bytes " << journal_bytes_ << "\n";
  o << "# HELP verdict_journal_records Records in the alert journal since the last snapshot.\n"
       "# TYPE verdict_journal_records gauge\n"
    << "verdict_journal_records " << journal_records_ << "\n";
  for (const char* result : {"sent", "failed", "retried", "sent_elsewhere"}) {
    const std::string name = std::string("verdict_notifications_") + result + "_total";
    const std::string r = result;
    o << "# HELP " << name << " Webhook notifications "
      << (r == "retried" ? "retried (attempts that failed and were tried again)"
                         : r == "sent_elsewhere" ? "dropped because another replica of the fleet sent them" : r)
      << ", by receiver.\n# TYPE "
      << name << " counter\n";
    for (const auto& [k, n] : notifications_)
      if (k.first == result) o << name << "{receiver=\"" << esc(k.second) << "\"} " << n << "\n";
  }
  o << "# HELP verdict_notifications_pending Webhook notifications not yet delivered.\n"
       "# TYPE verdict_notifications_pending gauge\n"
    << "verdict_notifications_pending " << outbox_ << "\n";
  o << "# HELP verdict_connections_refused_total Connections answered 503 because every worker was busy and the queue full.\n"
       "# TYPE verdict_connections_refused_total counter\n"
    << "verdict_connections_refused_total " << refused_ << "\n";
  o << "# HELP verdict_bundle_reloads_total Bundle reloads, swapped in (ok) or refused (error).\n"
       "# TYPE verdict_bundle_reloads_total counter\n"
    << "verdict_bundle_reloads_total{result=\"ok\"} " << reloads_ok_ << "\n"
    << "verdict_bundle_reloads_total{result=\"error\"} " << reloads_failed_ << "\n";
  o << "# HELP verdict_bundle_info The loaded bundle's digest.\n# TYPE verdict_bundle_info gauge\n"
    << "verdict_bundle_info{digest=\"" << esc(bundle_digest) << "\"} 1\n";
  if (extra_) o << extra_();
  return o.str();
}

}  // namespace verdict::serve
