// SmallVector: a vector of trivially copyable elements that keeps up to N of them inside
// itself and allocates only beyond N (an alert's groups, state changes and silences: mostly
// one or none, where a std::vector costs 24 bytes plus a 32-byte allocation).
// Only what an AlertDedup stream needs. 16 bytes for N * sizeof(T) <= 8.
// Movable, not copyable; not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>

namespace verdict::alerts {

template <typename T, uint32_t N>
class SmallVector {
  static_assert(std::is_trivially_copyable_v<T>, "elements are moved as bytes");
  static_assert(N > 0);

 public:
  SmallVector() = default;
  SmallVector(const SmallVector&) = delete;
  SmallVector& operator=(const SmallVector&) = delete;
  SmallVector(SmallVector&& o) noexcept { take(o); }
  SmallVector& operator=(SmallVector&& o) noexcept {
    if (this != &o) {
      release();
      take(o);
    }
    return *this;
  }
  ~SmallVector() { release(); }

  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }

  void clear() { size_ = 0; }
  void push_back(const T& v) {
    if (size_ == cap_) grow();
    data()[size_++] = v;
  }
  template <typename It>
  void assign(It first, It last) {
    clear();
    for (; first != last; ++first) push_back(*first);
  }
  // Removes the element at `it`, keeping the order of the others.
  T* erase(T* it) {
    std::memmove(it, it + 1, sizeof(T) * static_cast<size_t>(end() - it - 1));
    --size_;
    return it;
  }

 private:
  bool on_heap() const { return cap_ > N; }
  T* data() { return on_heap() ? heap_ : inline_; }
  const T* data() const { return on_heap() ? heap_ : inline_; }
  void grow() {
    const uint32_t cap = cap_ * 2;
    T* p = new T[cap];
    std::copy(begin(), end(), p);
    release();
    heap_ = p;
    cap_ = cap;
  }
  void release() {
    if (on_heap()) delete[] heap_;
    cap_ = N;
  }
  void take(SmallVector& o) {
    size_ = o.size_;
    cap_ = o.cap_;
    if (o.on_heap()) heap_ = o.heap_;
    else std::copy(o.inline_, o.inline_ + o.size_, inline_);
    o.size_ = 0;
    o.cap_ = N;
  }

  uint32_t size_ = 0;
  uint32_t cap_ = N;
  union {
    T inline_[N];
    T* heap_;
  };
};

}  // namespace verdict::alerts
