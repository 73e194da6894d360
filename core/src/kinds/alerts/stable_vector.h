// StableVector: a growing sequence whose elements never move (an AlertDedup stream's
// alerts, which the stream's indexes name by position and its decisions by address).
//
// std::deque gives the same guarantee, but libstdc++ allocates a node per 512 bytes of
// elements: one allocation per two 192-byte alert records (about 8 bytes each of allocator
// overhead, and a call to malloc per two alerts). Here elements live in chunks of kChunk,
// allocated as needed, so an element costs its size.
// Only what a stream needs: emplace_back, pop_back, size, [] and iteration in order.
// Not copyable (the elements' addresses are its point); movable; not thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace verdict::alerts {

template <typename T, size_t kChunk = 256>
class StableVector {
 public:
  StableVector() = default;
  StableVector(const StableVector&) = delete;
  StableVector& operator=(const StableVector&) = delete;
  StableVector(StableVector&& o) noexcept : chunks_(std::move(o.chunks_)), size_(std::exchange(o.size_, 0)) {}
  StableVector& operator=(StableVector&& o) noexcept {
    if (this != &o) {
      clear();
      chunks_ = std::move(o.chunks_);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ~StableVector() { clear(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return slot(i); }
  const T& operator[](size_t i) const { return const_cast<StableVector*>(this)->slot(i); }

  template <typename... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::unique_ptr<Storage[]>(new Storage[kChunk]));  // not zeroed
    T* p = ::new (static_cast<void*>(&chunks_[size_ / kChunk][size_ % kChunk])) T(std::forward<Args>(args)...);
    ++size_;
    return *p;
  }

  // Destroys the last element (its chunk stays for the next emplace_back).
  void pop_back() {
    --size_;
    slot(size_).~T();
  }

  void clear() {
    for (size_t i = size_; i-- > 0;) slot(i).~T();
    size_ = 0;
    chunks_.clear();
  }

  template <typename V, typename Owner>
  class Iter {
   public:
    Iter(Owner* v, size_t i) : v_(v), i_(i) {}
    V& operator*() const { return (*v_)[i_]; }
    Iter& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iter& o) const { return i_ != o.i_; }

   private:
    Owner* v_;
    size_t i_;
  };
  Iter<T, StableVector> begin() { return {this, 0}; }
  Iter<T, StableVector> end() { return {this, size_}; }
  Iter<const T, const StableVector> begin() const { return {this, 0}; }
  Iter<const T, const StableVector> end() const { return {this, size_}; }

 private:
  struct Storage {
    alignas(T) unsigned char bytes[sizeof(T)];
  };
  T& slot(size_t i) { return *std::launder(reinterpret_cast<T*>(chunks_[i / kChunk][i % kChunk].bytes)); }

  std::vector<std::unique_ptr<Storage[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace verdict::alerts
