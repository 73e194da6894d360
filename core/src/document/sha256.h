// SHA-256 (FIPS 180-4), for the bundle digest that every decision carries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace verdict {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  std::string hex_digest();  // finishes; 64 lowercase hex digits

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

}  // namespace verdict
