// The decision log of `verdict serve` (--decision-log FILE; docs/serve.md#decision-log): one
// NDJSON record per decision,
//
//   {"time":"...Z","route":"/v1/triage","policy":"default-triage","kind":"TriageRouting",
//    "bundle":"sha256:...","input_sha256":"...","line":2,"latency_ms":0.41,"decision":{...}}
//
// `decision` is the engine's output object for that decision (an error line for a broken NDJSON
// line), `line` the NDJSON input line (absent for one JSON document), `input_sha256` the SHA-256
// of the document's bytes (the line's, without its line ending). A request hands its body and
// output over (submit) and goes on; one writer thread hashes, formats and appends, so the
// request's answer never waits on the disk. When FILE would grow past max_bytes it is rotated:
// FILE.(keep-1) -> FILE.keep, ..., FILE -> FILE.1 (the oldest beyond `keep` is removed), and a new
// FILE begins. close() writes everything submitted before it returns: nothing is lost at SIGTERM.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace verdict::serve {

class DecisionLog {
 public:
  struct Entry {
    std::string time, route, policy, kind, bundle;
    double latency_ms = 0;
    bool ndjson = false;                         // the body was read as NDJSON: `line` is its line
    std::shared_ptr<const std::string> input;  // the request body
    std::string output;                          // the engine's decisions (one JSON object or NDJSON)
  };

  DecisionLog() = default;
  ~DecisionLog();
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;

  // Opens (appends to) `path` and starts the writer. max_bytes: rotate before FILE would pass
  // it; keep: rotated files kept (FILE.1 .. FILE.keep). False with why when the file cannot be opened.
  bool open(const std::string& path, uint64_t max_bytes, unsigned keep, std::string& why);
  // Queues one request's decisions. Waits only when `max_pending` bytes are already queued
  // (the disk is slower than the requests): backpressure, never a dropped record.
  void submit(Entry e);
  // Writes what is queued and stops the writer.
  void close();

  uint64_t records() const;  // records written
  uint64_t rotations() const;
  uint64_t failures() const;  // records that could not be written (logged)

 private:
  void run();
  void write_entry(const Entry& e, std::string& out);
  void append(const std::string& text);
  void rotate();

  std::string path_;
  uint64_t max_bytes_ = 0;
  unsigned keep_ = 0;
  int fd_ = -1;
  uint64_t size_ = 0;  // of the current FILE

  mutable std::mutex mu_;
  std::condition_variable cv_, space_cv_;
  std::deque<Entry> queue_;
  size_t pending_bytes_ = 0;
  const size_t max_pending_ = 64u << 20;
  bool stop_ = false;
  uint64_t records_ = 0, rotations_ = 0, failures_ = 0;
  std::thread writer_;
};

}  // namespace verdict::serve
