// The alert state of `verdict serve`: one engine's AlertDedup stream behind a mutex, with a
// write-ahead journal. Every push (alerts, silence commands) is appended to the journal before
// it is applied, and answered once an fsync covers it (one fsync serves the pushes that arrived
// meanwhile: group commit); a snapshot (the engine's alerts_snapshot, with
// the journal sequence it covers) bounds replay; open() restores the snapshot, replays the
// records after it and cuts a torn tail. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "serve/notifier.h"
#include "verdict/engine.h"

namespace verdict::serve {

class Metrics;

class AlertStore {
 public:
  // `policy`: the AlertDedup policy of the stream ("" when the bundle has none: every call
  // then fails with kNotFound).
  AlertStore(std::unique_ptr<Engine> engine, std::string policy, Metrics& metrics);
  ~AlertStore();

  // Deliveries: every "notification" line a push (or a replay) makes becomes an outbox entry per
  // webhook of its receiver; `on_change` is called after each push and delivery change. Before open().
  void set_notify(Receivers receivers, std::string external_url, std::function<void()> on_change);

  // With a state folder: restores its snapshot, replays the journal after it (a torn tail is
  // cut, with a log line saying how many bytes), and journals from then on. "" keeps the
  // state in memory only.
  Status open(const std::string& state_dir, uint64_t snapshot_every);

  struct Pushed {
    std::string ndjson;         // the stream's output lines
    std::vector<Error> errors;  // bad lines or alerts, or why nothing ran
    bool journal_failed = false;
  };
  // Journals and pushes one request body at `now` (RFC 3339).
  Pushed push(std::string_view body, const std::string& now);

  // This policy's stream from the engine's snapshot (nlohmann JSON text of one stream
  // object; "{}" when it has no state yet).
  std::string stream_state();
  // Writes a snapshot and empties the journal.
  Status checkpoint();
  const std::string& policy() const { return policy_; }

  // When the stream's next group flush is due (ns since the epoch), -1 when none is.
  int64_t next_flush_ns();
  // The deliveries not yet done, oldest first.
  std::vector<Outgoing> outbox();
  // A delivery is over ("sent" or "failed"): journaled (a restart does not send it again) and
  // taken out of the outbox.
  void done(const std::string& id, const std::string& result);

 private:
  Pushed apply(std::string_view body, const std::string& now);
  Pushed push_locked(std::string_view body, const std::string& now, uint64_t& seq);
  void wait_durable(uint64_t seq);
  Status append(std::string_view body, const std::string& now, char type = 'R');
  // The deliveries of a push's output (journal record `seq`) into the outbox.
  void collect(const std::string& ndjson, uint64_t seq);
  Status checkpoint_locked();
  std::string stream_state_locked();

  std::mutex mu_;
  std::unique_ptr<Engine> engine_;
  std::string policy_;
  Metrics& metrics_;
  std::string dir_;
  int journal_fd_ = -1;
  uint64_t seq_ = 0;             // the last record's sequence number
  uint64_t records_ = 0;         // records since the snapshot
  uint64_t bytes_ = 0;           // journal size
  uint64_t snapshot_every_ = 0;  // 0: only at shutdown
  Receivers receivers_;
  std::string external_url_;
  std::function<void()> on_change_;
  std::vector<Outgoing> outbox_;
  size_t unrouted_ = 0;  // notifications whose receiver has no webhook_configs

  // Group commit (wait_durable): records written (under mu_) and records fsync'd.
  std::atomic<uint64_t> written_{0};
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  uint64_t synced_ = 0;
  bool syncing_ = false;
};

}  // namespace verdict::serve
