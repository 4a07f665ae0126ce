// Failed-attempt limiting for digest (per user and per source address), sans-I/O: the caller
// passes the time. Each key is one GCRA cell (core/gcra.hpp): `burst` failures at once, then one
// more per `interval`.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/gcra.hpp"

namespace sipcred::auth {

struct RateLimit {
  unsigned burst = 5;                 // failures allowed back to back; 0 switches limiting off
  std::chrono::seconds interval{60};  // then one failure per interval
  size_t capacity = 10'000;           // keys remembered at most
};

class FailureLimiter {
 public:
  explicit FailureLimiter(RateLimit limit) : cells_(limit.burst, limit.interval, limit.capacity) {}

  // How long `key` must wait before its next attempt; zero when it may try now.
  std::chrono::seconds blocked_for(std::string_view key, WallTime now);
  void record_failure(std::string_view key, WallTime now);

  size_t size() const { return cells_.size(); }

 private:
  std::string key_of(std::string_view key) const;

  Gcra<WallTime> cells_;
};

}  // namespace sipcred::auth
