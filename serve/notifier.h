// Notifications of `verdict serve` on the server clock (docs/serve.md#notifications).
//
// The AlertDedup stream decides when a group notifies (group_wait, group_interval,
// repeat_interval; Engine::alerts_next_flush says when the next flush is due). The timer
// thread pushes the server clock into the stream (a journaled, empty push) when a flush is
// due; every "notification" line a push makes becomes one webhook delivery per
// `webhook_configs` entry of its receiver, as an Alertmanager webhook v4 payload, kept in the
// alert store's outbox (journaled with the push, in the snapshot) until it is delivered or
// given up (a journaled "done" record), so a restart neither loses nor repeats one. The
// sender thread delivers them with retries and exponential backoff.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace verdict::serve {

class AlertStore;
class Metrics;

// One `webhook_configs` entry, with Alertmanager's keys.
struct WebhookConfig {
  std::string url;
  bool send_resolved = true;
  size_t max_alerts = 0;  // 0: all
};
// Receiver name -> its webhook_configs.
using Receivers = std::map<std::string, std::vector<WebhookConfig>>;

// Reads --receivers: JSON with Alertmanager's `receivers` section,
// {"receivers": [{"name": "pager", "webhook_configs": [{"url": "http://...", "send_resolved": true}]}]}.
// Unknown keys, non-http(s) URLs and duplicate names are errors (false, with why).
bool read_receivers(const std::string& path, Receivers& out, std::string& why);

// One webhook delivery: its id ("<journal seq>.<line>.<config>": the same after a replay),
// receiver, URL and payload.
struct Outgoing {
  std::string id, receiver, url, payload;
};

// The deliveries of the "notification" lines of `ndjson` (a push's output, journal record
// `seq`): one per webhook_configs entry of the line's receiver. `state` gives the stream's
// state (Engine::alerts_snapshot's stream object, JSON text), read only when needed, for the
// alerts' labels and times. Receivers without webhook_configs get none (`unrouted` counts them).
std::vector<Outgoing> webhook_payloads(const std::string& ndjson, uint64_t seq, const Receivers& receivers,
                                       const std::function<std::string()>& state, const std::string& external_url,
                                       size_t& unrouted);

// The group labels of an AlertDedup group key (`{}/{severity="critical"}:{alertname="A", x="y"}`)
// as a JSON object text; "{}" when the key has none.
std::string group_labels_json(const std::string& group_key);

// What a fleet's notification log (serve/cluster.h) says of a delivery before it is tried.
enum class NotifyClaim {
  kSend,   // this replica sends it
  kSkip,   // another replica sent it (or gave it up): drop it
  kLater,  // another replica holds a live claim: look again later
};

struct NotifyOptions {
  size_t attempts = 8;                                  // deliveries tried before giving up
  std::chrono::milliseconds backoff{500};               // first retry delay, doubled each time
  std::chrono::milliseconds backoff_max{30000};         // longest retry delay
  std::chrono::milliseconds timeout{10000};             // connect + read + write per attempt
  // With --cluster: asked before each attempt, and told when a delivery is over ("sent", "failed").
  std::function<NotifyClaim(const Outgoing&)> claim;
  std::function<void(const Outgoing&, const std::string&)> finished;
};

class Notifier {
 public:
  Notifier(AlertStore& store, Metrics& metrics, NotifyOptions options);
  ~Notifier();
  void start();
  // Stops both threads (an attempt in flight finishes first); what is undelivered stays in the
  // outbox and is sent after a restart.
  void stop();
  // Something changed (a push, a new delivery): look again now.
  void kick();

 private:
  void timer_loop();
  void send_loop();
  bool deliver(const Outgoing& o, std::string& why);

  AlertStore& store_;
  Metrics& metrics_;
  NotifyOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  uint64_t kicks_ = 0;
  struct Attempt {
    size_t tries = 0;
    std::chrono::steady_clock::time_point next{};
  };
  std::map<std::string, Attempt> attempts_;  // by outbox id (sender thread only)
  std::thread timer_, sender_;
};

}  // namespace verdict::serve
