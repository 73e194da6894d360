// A fleet of `verdict serve` replicas sharing alert state through NATS JetStream
// (docs/scale.md). With --cluster, each replica keeps its own stream, journal and snapshot as
// before, and shares through two key-value buckets:
//
//   <prefix>_silences  one key per silence id: the last silence command (add or expire) made
//                      on any replica. Every replica watches the bucket and applies what another
//                      replica wrote, so a silence set or expired anywhere holds everywhere.
//   <prefix>_alerts    (--cluster-share-alerts) a stream of the alert bodies each replica took,
//                      which every other replica consumes (a durable consumer per replica name):
//                      for senders that send each alert to one replica only.
//   <prefix>_nflog     the notification log: one key per notification (webhook URL, receiver,
//                      group key and its firing and resolved alerts). Before sending, a replica
//                      claims the key with a compare-and-set (kvStore_Create, or kvStore_Update
//                      on the revision it read); the one that wins sends and marks it sent, the
//                      others drop their copy. A claim left by a replica that died is taken over
//                      once its lease has run out.
//
// NATS unreachable: the replica goes on deciding and notifying alone (it is "degraded" in
// /readyz and /metrics), keeps what it sent and the silences it made, and writes them when the
// connection returns; a notification another replica already marked sent is not sent again.
//
// Thread-safe. Owns its NATS connection and a watcher thread; not copyable.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "serve/cluster_options.h"
#include "serve/notifier.h"
#include "verdict/result.h"

namespace verdict::serve {


class Cluster {
 public:
  // `apply_silence` pushes a silence command written by another replica into the local stream,
  // `apply_alerts` a request body of alerts another replica took (--cluster-share-alerts); each
  // returns an empty string or why it was refused.
  Cluster(ClusterOptions options, std::function<std::string(const std::string&)> apply_silence,
          std::function<std::string(const std::string&)> apply_alerts);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Checks the options and starts connecting (in the background: an unreachable NATS is a
  // degraded start, not a failure). An error for options that can never work.
  Status start();
  void stop();

  // Connected, and both buckets bound.
  bool ready() const { return ready_.load(); }

  // A silence command (its JSON text) this replica accepted: written to the bucket now, or when
  // NATS returns.
  void publish_silence(const std::string& id, const std::string& command);

  // With --cluster-share-alerts: a request body of alerts this replica took (and journaled), for
  // the stream PREFIX_alerts that every other replica consumes. Published in order by a thread of
  // its own; kept while NATS is away (at most 100,000 bodies; beyond, the oldest are dropped,
  // counted and logged).
  void share_alerts(std::string body);

  // Whether this replica sends `o` now (NotifyClaim in notifier.h).
  NotifyClaim claim(const Outgoing& o);
  // The delivery this replica claimed is over: "sent" or "failed".
  void finished(const Outgoing& o, const std::string& result);

  // {"cluster":"connected"|"degraded", ...} for /readyz.
  std::string status_json() const;
  // Prometheus lines (verdict_cluster_*).
  std::string metrics_text() const;

  // The notification log's key of a delivery: the same on every replica for the same
  // notification (URL, receiver, group key, firing and resolved fingerprints).
  static std::string claim_key(const Outgoing& o);

 private:
  struct Nats;
  void loop();
  bool bind_locked();
  void unbind_locked();
  void reconcile_locked();
  void watch_once(int64_t timeout_ms);
  int fetch_once();  // the messages fetched
  void share_loop();
  NotifyClaim claim_locked(const std::string& key, int64_t now, bool& failed);
  NotifyClaim alone(int64_t now);
  bool write_sent_locked(const std::string& key, const std::string& result, int64_t at);

  ClusterOptions options_;
  std::function<std::string(const std::string&)> apply_silence_, apply_alerts_;
  std::string subject_;  // PREFIX.alerts.NAME: where this replica's alerts are published
  std::string name_;
  std::unique_ptr<Nats> nats_;
  mutable std::mutex mu_;               // the KV handles and the maps below
  std::condition_variable cv_;
  bool stop_ = false;
  bool rebind_ = false;                 // reconnected: watch again and reconcile
  std::atomic<bool> connected_{false}, ready_{false};
  std::map<std::string, std::string> applied_;   // silence id -> the value applied or written
  std::map<std::string, std::string> unsent_silences_;  // made while degraded: id -> command
  struct Pending {
    std::string result;
    int64_t at;
  };
  std::map<std::string, Pending> unsent_results_;  // claim key -> sent/failed while degraded
  std::map<std::string, uint64_t> claimed_;        // claim key -> revision of our claim
  std::map<std::string, uint64_t> counters_;       // metric name{labels} -> count
  int64_t degraded_since_ = 0;                     // ns; 0 while NATS answers
  size_t unsent_bodies() const;
  mutable std::mutex queue_mu_;                    // outgoing_alerts_ and stop_sharing_ (never held over NATS calls)
  std::condition_variable queue_cv_;
  std::deque<std::string> outgoing_alerts_;        // to publish, oldest first
  bool stop_sharing_ = false;
  std::atomic<uint64_t> bodies_published_{0}, bodies_applied_{0}, bodies_refused_{0}, bodies_dropped_{0};
  std::thread thread_, share_thread_;
};

}  // namespace verdict::serve
