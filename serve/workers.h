// The connection queue of `verdict serve`: cpp-httplib hands each accepted connection to a
// task queue, and a worker serves it for as long as it is kept alive. httplib's own ThreadPool
// queues without bound, so under a flood every client waits and none is told; this one keeps
// at most `max_queued` connections waiting for a worker. A connection beyond that goes to a
// small refusal pool that answers its request with 503 and Retry-After (is_refusing() is true
// on those threads: the pre-routing handler answers at once) and closes it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

namespace verdict::serve {

class BoundedPool : public httplib::TaskQueue {
 public:
  // `on_refused` is called (under no lock) for each connection sent to the refusal pool.
  BoundedPool(size_t workers, size_t max_queued, size_t refusers, std::function<void()> on_refused);
  ~BoundedPool() override;
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;
  // True on a refusal thread: the request being read there is answered 503.
  static bool is_refusing();

 private:
  struct Lane {
    std::deque<std::function<void()>> jobs;
    std::vector<std::thread> threads;
  };
  void run(Lane& lane, bool refusing);

  std::mutex mu_;
  std::condition_variable cv_;
  bool shutdown_ = false;
  size_t max_queued_;
  Lane work_, refuse_;
  std::function<void()> on_refused_;
};

}  // namespace verdict::serve
