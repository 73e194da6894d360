#include "serve/workers.h"

namespace verdict::serve {

namespace {
thread_local bool t_refusing = false;
}

BoundedPool::BoundedPool(size_t workers, size_t max_queued, size_t refusers, std::function<void()> on_refused)
    : max_queued_(max_queued), on_refused_(std::move(on_refused)) {
  for (size_t i = 0; i < workers; ++i) work_.threads.emplace_back([this] { run(work_, false); });
  for (size_t i = 0; i < refusers; ++i) refuse_.threads.emplace_back([this] { run(refuse_, true); });
}

BoundedPool::~BoundedPool() { shutdown(); }

bool BoundedPool::is_refusing() { return t_refusing; }

void BoundedPool::enqueue(std::function<void()> fn) {
  bool refused = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Every connection is served or refused: a refused one still runs (on a refusal thread),
    // which answers it and closes its socket.
    if (work_.jobs.size() >= max_queued_) {
      refuse_.jobs.push_back(std::move(fn));
      refused = true;
    } else {
      work_.jobs.push_back(std::move(fn));
    }
  }
  cv_.notify_all();
  if (refused && on_refused_) on_refused_();
}

void BoundedPool::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_ && work_.threads.empty() && refuse_.threads.empty()) return;
    shutdown_ = true;
  }
  cv_.notify_all();
  for (Lane* lane : {&work_, &refuse_}) {
    for (auto& t : lane->threads)
      if (t.joinable()) t.join();
    lane->threads.clear();
  }
}

void BoundedPool::run(Lane& lane, bool refusing) {
  t_refusing = refusing;
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return shutdown_ || !lane.jobs.empty(); });
      if (lane.jobs.empty()) return;  // shut down, and nothing left to serve or close
      fn = std::move(lane.jobs.front());
      lane.jobs.pop_front();
    }
    fn();
  }
}

}  // namespace verdict::serve
