// PackedArrays: several arrays of trivially copyable elements in one heap allocation (the
// per-alert data an AlertDedup stream derives from an alert's labels).
//
//   PackedArrays<uint64_t, const Route*, RuleSide> p;
//   p.assign(std::span<const uint64_t>(keys), std::span<const Route* const>(routes), ...);
//   for (const Route* r : p.get<1>()) ...
//
// The block starts with the element counts (uint32_t each), then each array at its
// element type's alignment. Every offset is computed from sizeof and alignof of the types,
// by the one function that both assign() and get() use: an offset written by hand for one
// target's sizes (8 bytes per pointer) read another array's bytes in Wasm, where a pointer
// has 4 (perf2's compact state, reverted for it).
//
// An empty PackedArrays (every count 0) holds no allocation. Movable, not copyable; not
// thread-safe for writing, any number of readers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <tuple>
#include <type_traits>

namespace verdict::alerts {

template <typename... Ts>
class PackedArrays {
  static_assert(sizeof...(Ts) > 0);
  static_assert((std::is_trivially_copyable_v<Ts> && ...), "elements are copied as bytes");
  static_assert(((alignof(Ts) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__) && ...), "operator new[] aligns to this");

 public:
  static constexpr size_t kArrays = sizeof...(Ts);
  template <size_t I>
  using Element = std::tuple_element_t<I, std::tuple<Ts...>>;

  PackedArrays() = default;
  PackedArrays(PackedArrays&&) noexcept = default;
  PackedArrays& operator=(PackedArrays&&) noexcept = default;

  // Replaces the contents with copies of the arrays. Each size must fit in uint32_t.
  void assign(std::span<const Ts>... arrays) {
    const std::array<uint32_t, kArrays> counts{static_cast<uint32_t>(arrays.size())...};
    bool any = false;
    for (uint32_t n : counts) any = any || n != 0;
    if (!any) {
      block_.reset();
      return;
    }
    const Layout layout = layout_of(counts);
    block_.reset(new std::byte[layout.bytes]);
    std::memcpy(block_.get(), counts.data(), sizeof counts);
    size_t i = 0;
    ((arrays.empty() ? void() : void(std::memcpy(block_.get() + layout.offsets[i], arrays.data(), arrays.size_bytes())), ++i), ...);
  }

  template <size_t I>
  std::span<const Element<I>> get() const {
    if (!block_) return {};
    const std::array<uint32_t, kArrays> counts = this->counts();
    const Layout layout = layout_of(counts);
    return {reinterpret_cast<const Element<I>*>(block_.get() + layout.offsets[I]), counts[I]};
  }

  // The bytes of the block (0 when empty): for measuring.
  size_t bytes() const { return block_ ? layout_of(counts()).bytes : 0; }

 private:
  struct Layout {
    std::array<size_t, kArrays> offsets{};
    size_t bytes = 0;
  };
  static constexpr std::array<size_t, kArrays> kSizes{sizeof(Ts)...};
  static constexpr std::array<size_t, kArrays> kAligns{alignof(Ts)...};

  static constexpr size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }
  static constexpr Layout layout_of(const std::array<uint32_t, kArrays>& counts) {
    Layout l;
    size_t at = sizeof(uint32_t) * kArrays;  // the counts
    for (size_t i = 0; i < kArrays; ++i) {
      at = align_up(at, kAligns[i]);
      l.offsets[i] = at;
      at += kSizes[i] * counts[i];
    }
    l.bytes = at;
    return l;
  }
  std::array<uint32_t, kArrays> counts() const {
    std::array<uint32_t, kArrays> c;
    std::memcpy(c.data(), block_.get(), sizeof c);
    return c;
  }

  std::unique_ptr<std::byte[]> block_;
};

}  // namespace verdict::alerts
