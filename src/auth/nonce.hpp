// Server nonces. RFC 7616 §3.3 leaves the nonce's content to the server and suggests a time stamp
// with a keyed hash; ours is stateless so that any node holding the secret can check what another
// issued, and a restart does not invalidate the nonces out there:
//
//   nonce = base64url( version(1) | issued, seconds since 1970 (8, big-endian) | random (11)
//                      | HMAC-SHA-256(secret, "sipcred-nonce" 0x00 | those 20 octets |
//                      realm)[0..16) )
//
// 36 octets, 48 characters without padding. The realm is inside the MAC, so a nonce issued for
// one domain is invalid in another.
//
// Replay (RFC 7616 §5.5: nc lets the server notice a replayed request) needs state: the
// NonceCountTable keeps the highest nc seen per nonce, bounded and forgetting expired nonces.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"

namespace sipcred::auth {

class NonceCodec {
 public:
  static constexpr size_t kTagBytes = 16;
  static constexpr size_t kNonceChars = 48;

  // `secret` of at least 16 octets (the Verifier checks); `lifetime` after which a nonce is stale.
  NonceCodec(std::vector<uint8_t> secret, std::chrono::seconds lifetime);

  std::string issue(std::string_view realm, WallTime now) const;

  enum class State {
    valid,
    stale,    // ours and intact, but older than the lifetime, or issued ahead of our clock
    invalid,  // not ours: malformed, tampered, another secret or another realm
  };
  struct Checked {
    State state = State::invalid;
    WallTime issued{};
    std::string key;  // the MAC tag: identifies the nonce in the NonceCountTable
  };
  // Compares the MAC in constant time; never throws on any input.
  Checked check(std::string_view nonce, std::string_view realm, WallTime now) const;

  // opaque (RFC 7616 §3.3): a per-realm value the client returns unchanged; derived from the
  // secret so that it needs no state either.
  std::string opaque(std::string_view realm) const;

  std::chrono::seconds lifetime() const { return lifetime_; }

 private:
  std::vector<uint8_t> secret_;
  std::chrono::seconds lifetime_;
};

// Highest nonce-count per nonce, for at most `capacity` nonces. Entries leave when their nonce
// expires. When full, the entry of the oldest nonce goes first (the one nearest to expiry), and
// its issue time becomes a floor: a nonce issued at or before the floor that is not in the table
// may have been evicted, so it is answered "forgotten" (the caller sends stale=true and a fresh
// nonce) rather than accepted with an unknown history. Memory stays bounded without ever
// accepting a replay.
class NonceCountTable {
 public:
  explicit NonceCountTable(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  enum class Use { fresh, replay, forgotten };
  // Records `nc` for the nonce `key` issued at `issued`; `replay` when nc is not above the
  // highest seen for that nonce (RFC 7616 §3.4: the nc value increases with every request).
  Use use(const std::string& key, WallTime issued, uint32_t nc, WallTime now,
          std::chrono::seconds lifetime);

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint32_t nc = 0;
    std::multimap<WallTime, std::string>::iterator by_issue;
  };
  void erase_oldest();

  size_t capacity_;
  std::unordered_map<std::string, Entry> entries_;
  std::multimap<WallTime, std::string> by_issue_;
  WallTime floor_{};
  bool evicted_ = false;
};

}  // namespace sipcred::auth
