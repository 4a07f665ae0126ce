#include "auth/rate_limit.hpp"

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

std::chrono::seconds FailureLimiter::blocked_for(std::string_view key, WallTime now) {
  return cells_.blocked_for(key.empty() ? key : key_of(key), now);
}

void FailureLimiter::record_failure(std::string_view key, WallTime now) {
  cells_.record(key.empty() ? key : key_of(key), now);
}

}  // namespace sipcred::auth
