// Failed-attempt limiting for digest (per user and per source address), sans-I/O: the caller
// passes the time. Each key is one GCRA cell (the "virtual scheduling" form of a token bucket):
// a single time stamp per key, `burst` failures at once, then one more per `interval`.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"

namespace sipcred::auth {

struct RateLimit {
  unsigned burst = 5;                 // failures allowed back to back; 0 switches limiting off
  std::chrono::seconds interval{60};  // then one failure per interval
  size_t capacity = 10'000;           // keys remembered at most
};

class FailureLimiter {
 public:
  explicit FailureLimiter(RateLimit limit) : limit_(limit) {}

  // How long `key` must wait before its next attempt; zero when it may try now.
  std::chrono::seconds blocked_for(std::string_view key, WallTime now);
  void record_failure(std::string_view key, WallTime now);

  size_t size() const { return cells_.size(); }

 private:
  struct Cell {
    WallTime tat;  // theoretical arrival time: now + the debt of recent failures
    std::multimap<WallTime, std::string>::iterator by_tat;
  };
  std::string key_of(std::string_view key) const;
  void sweep(WallTime now);

  RateLimit limit_;
  std::unordered_map<std::string, Cell> cells_;
  // Cells ordered by tat: those at or before now carry no debt and can go; when full, the one
  // with the least debt goes first, so an attacker who floods keys cannot wipe the debt of those
  // that failed most.
  std::multimap<WallTime, std::string> by_tat_;
};

}  // namespace sipcred::auth
