// The bundle `verdict serve` loads: policy and data texts read once from disk, and a pool
// of engines loaded from them (one per worker thread: an Engine is not thread-safe, so each
// worker gets its own, loaded from the same texts; the digests are checked equal).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "verdict/engine.h"

namespace verdict::serve {

struct BundleFile {
  std::string path, text;
};

struct BundleTexts {
  std::vector<BundleFile> policies, data;
};

// Reads policy files (a folder: every *.json under it but *.test.json, in path order) and
// data files. On failure returns false and says why.
bool read_bundle(const std::vector<std::string>& bundle, const std::vector<std::string>& data, BundleTexts& out,
                 std::string& why);

// Loads the texts into `engine`; the errors of every file (none: the bundle loaded).
std::vector<Error> load_engine(Engine& engine, const BundleTexts& texts);

// A fixed set of engines; acquire() blocks until one is free. Thread-safe.
class EnginePool {
 public:
  class Lease {
   public:
    Lease(EnginePool& pool, Engine* e) : pool_(pool), engine_(e) {}
    ~Lease() { pool_.release(engine_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Engine* operator->() { return engine_; }
    Engine& operator*() { return *engine_; }

   private:
    EnginePool& pool_;
    Engine* engine_;
  };

  void add(std::unique_ptr<Engine> e);
  Lease acquire();
  size_t size() const { return all_.size(); }

 private:
  void release(Engine* e);
  std::vector<std::unique_ptr<Engine>> all_;
  std::vector<Engine*> free_;
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace verdict::serve
