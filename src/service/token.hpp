// Tags (RFC 3261 §19.3) and branches (§8.1.1.7) need to be unique, not secret: a fast generator
// seeded once from the system's entropy (or a fixed seed in tests) is enough. Entity tags, which
// must be unguessable (RFC 3903 §4.1 lets a holder modify a publication), come from the store's
// generator instead.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace sipcred::service {

class TokenSource {
 public:
  explicit TokenSource(uint64_t seed) : rng_(seed != 0 ? seed : std::random_device{}()) {}
  // `digits` lowercase hex digits.
  std::string hex(size_t digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(digits);
    while (out.size() < digits) {
      uint64_t v = rng_();
      for (int i = 0; i < 16 && out.size() < digits; ++i, v >>= 4) out.push_back(kHex[v & 15]);
    }
    return out;
  }
  uint32_t below(uint32_t bound) { return static_cast<uint32_t>(rng_() % bound); }

 private:
  std::mt19937_64 rng_;
};

}  // namespace sipcred::service
