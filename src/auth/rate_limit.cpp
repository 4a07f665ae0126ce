#include "auth/rate_limit.hpp"

#include <algorithm>

#include "crypto/hash.hpp"

namespace sipcred::auth {

namespace {
constexpr size_t kMaxKeyBytes = 128;
}

// Keys are caller-supplied (a user name from the request, an address); a long one is kept as its
// hash so that the memory per cell stays bounded.
std::string FailureLimiter::key_of(std::string_view key) const {
  if (key.size() <= kMaxKeyBytes) return std::string{key};
  return "#" + crypto::to_hex(crypto::hash(crypto::HashAlg::sha256, key));
}

void FailureLimiter::sweep(WallTime now) {
  while (!by_tat_.empty() && by_tat_.begin()->first <= now) {
    cells_.erase(by_tat_.begin()->second);
    by_tat_.erase(by_tat_.begin());
  }
}

std::chrono::seconds FailureLimiter::blocked_for(std::string_view key, WallTime now) {
  if (limit_.burst == 0 || key.empty()) return std::chrono::seconds{0};
  sweep(now);
  auto it = cells_.find(key_of(key));
  if (it == cells_.end()) return std::chrono::seconds{0};
  // Allowed while the debt is at most (burst - 1) intervals: one more failure still fits.
  const auto tolerance = limit_.interval * (limit_.burst - 1);
  auto wait = it->second.tat - now - tolerance;
  return std::max(wait, std::chrono::seconds{0});
}

void FailureLimiter::record_failure(std::string_view key, WallTime now) {
  if (limit_.burst == 0 || key.empty()) return;
  sweep(now);
  std::string k = key_of(key);
  auto it = cells_.find(k);
  WallTime tat = now;
  if (it != cells_.end()) {
    tat = std::max(it->second.tat, now);
    by_tat_.erase(it->second.by_tat);
    cells_.erase(it);
  }
  // Debt beyond the burst adds nothing to what blocked_for() answers but the wait: cap it so
  // that a flood of failures cannot push a key's release arbitrarily far.
  const auto cap = now + limit_.interval * (limit_.burst + 1);
  tat = std::min(tat + limit_.interval, cap);
  auto pos = by_tat_.emplace(tat, k);
  cells_.emplace(std::move(k), Cell{tat, pos});
  while (cells_.size() > std::max<size_t>(limit_.capacity, 1)) {
    cells_.erase(by_tat_.begin()->second);
    by_tat_.erase(by_tat_.begin());
  }
}

}  // namespace sipcred::auth
