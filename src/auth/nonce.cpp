#include "auth/nonce.hpp"

#include "mime/base64.hpp"

#include <algorithm>
#include <cstdint>
#include <span>

#include "crypto/hash.hpp"

namespace sipcred::auth {

namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kRandomBytes = 11;
constexpr size_t kHeadBytes = 1 + 8 + kRandomBytes;
constexpr size_t kNonceBytes = kHeadBytes + NonceCodec::kTagBytes;
static_assert(kNonceBytes % 3 == 0, "a whole number of base64 groups: no padding, no spare bits");
static_assert(kNonceBytes / 3 * 4 == NonceCodec::kNonceChars);

crypto::Bytes tag(const std::vector<uint8_t>& secret, std::span<const uint8_t> head,
                  std::string_view realm) {
  std::string msg = "sipcred-nonce";
  msg.push_back('\0');
  msg.append(reinterpret_cast<const char*>(head.data()), head.size());
  msg.append(realm);
  crypto::Bytes mac = crypto::hmac(crypto::HashAlg::sha256, secret, crypto::as_bytes(msg));
  mac.resize(NonceCodec::kTagBytes);  // 128 bits of HMAC-SHA-256 (RFC 2104 §5 allows truncation)
  return mac;
}

}  // namespace

namespace {

std::string base64url(std::span<const uint8_t> data) {
  return mime::base64url_encode({reinterpret_cast<const char*>(data.data()), data.size()});
}

}  // namespace

NonceCodec::NonceCodec(std::vector<uint8_t> secret, std::chrono::seconds lifetime)
    : secret_(std::move(secret)), lifetime_(lifetime) {}

std::string NonceCodec::issue(std::string_view realm, WallTime now) const {
  std::array<uint8_t, kNonceBytes> n{};
  n[0] = kVersion;
  auto t = static_cast<uint64_t>(now.time_since_epoch().count());
  for (int i = 0; i < 8; ++i) n[1 + i] = static_cast<uint8_t>(t >> (56 - 8 * i));
  crypto::random_fill(std::span<uint8_t>{n.data() + 9, kRandomBytes});
  crypto::Bytes mac = tag(secret_, std::span<const uint8_t>{n.data(), kHeadBytes}, realm);
  std::copy(mac.begin(), mac.end(), n.begin() + kHeadBytes);
  return base64url(n);
}

NonceCodec::Checked NonceCodec::check(std::string_view nonce, std::string_view realm,
                                      WallTime now) const {
  Checked out;
  if (nonce.size() != kNonceChars) return out;
  auto decoded = mime::base64url_decode(nonce);
  if (!decoded || decoded->size() != kNonceBytes) return out;
  std::span<const uint8_t> n{reinterpret_cast<const uint8_t*>(decoded->data()), decoded->size()};
  if (n[0] != kVersion) return out;
  std::span<const uint8_t> head{n.data(), kHeadBytes};
  std::span<const uint8_t> got{n.data() + kHeadBytes, kTagBytes};
  crypto::Bytes want = tag(secret_, head, realm);
  if (!crypto::equal_ct(got, want)) return out;

  uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = (t << 8) | n[1 + i];
  // Only we write this field, so it is a sane time; keep the arithmetic in range regardless.
  if (t > static_cast<uint64_t>(INT64_MAX / 2)) return out;
  out.issued = WallTime{std::chrono::seconds{static_cast<int64_t>(t)}};
  out.key.assign(reinterpret_cast<const char*>(got.data()), got.size());
  // A nonce from the future comes from a node whose clock runs ahead; a few seconds are normal,
  // more is treated as stale so that the client takes a nonce of ours.
  constexpr std::chrono::seconds kSkew{30};
  bool ahead = out.issued > now + kSkew;
  bool expired = now - out.issued > lifetime_;
  out.state = (ahead || expired) ? State::stale : State::valid;
  return out;
}

std::string NonceCodec::opaque(std::string_view realm) const {
  std::string msg = "sipcred-opaque";
  msg.push_back('\0');
  msg.append(realm);
  crypto::Bytes mac = crypto::hmac(crypto::HashAlg::sha256, secret_, crypto::as_bytes(msg));
  mac.resize(12);
  return base64url(mac);
}

NonceCountTable::Use NonceCountTable::use(const std::string& key, WallTime issued, uint32_t nc,
                                          WallTime now, std::chrono::seconds lifetime) {
  // Expired nonces are refused as stale before they get here; their entries can go.
  while (!by_issue_.empty() && now - by_issue_.begin()->first > lifetime) erase_oldest();

  auto it = entries_.find(key);
  if (it != entries_.end()) {
    if (nc <= it->second.nc) return Use::replay;
    it->second.nc = nc;
    return Use::fresh;
  }
  if (evicted_ && issued <= floor_) return Use::forgotten;
  auto pos = by_issue_.emplace(issued, key);
  entries_.emplace(key, Entry{nc, pos});
  while (entries_.size() > capacity_) {
    floor_ = std::max(floor_, by_issue_.begin()->first);
    evicted_ = true;
    erase_oldest();
  }
  return entries_.count(key) ? Use::fresh : Use::forgotten;
}

void NonceCountTable::erase_oldest() {
  auto first = by_issue_.begin();
  entries_.erase(first->second);
  by_issue_.erase(first);
}

}  // namespace sipcred::auth
