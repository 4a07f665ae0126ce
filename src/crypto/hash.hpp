// Hashes, HMAC and randomness: the OpenSSL calls every other layer needs, behind plain types
// (STYLE.md §3: OpenSSL types never leave src/crypto/).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sipcred::crypto {

using Bytes = std::vector<uint8_t>;

enum class HashAlg { md5, sha1, sha256, sha512, sha512_256 };

// The hash's common name ("MD5", "SHA-1", "SHA-256", "SHA-512", "SHA-512-256"); for the MD5,
// SHA-256 and SHA-512-256 this is also the digest `algorithm` token of RFC 7616 / RFC 8760.
std::string_view to_string(HashAlg alg);
size_t digest_size(HashAlg alg);

Bytes hash(HashAlg alg, std::span<const uint8_t> data);
Bytes hash(HashAlg alg, std::string_view data);

// Incremental hashing, for inputs that come in pieces (digest A1/A2 strings, files).
class Hasher {
 public:
  explicit Hasher(HashAlg alg);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher& update(std::span<const uint8_t> data);
  Hasher& update(std::string_view data);
  Bytes finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Bytes hmac(HashAlg alg, std::span<const uint8_t> key, std::span<const uint8_t> data);
Bytes hmac(HashAlg alg, std::string_view key, std::string_view data);

// Cryptographically strong random bytes (OpenSSL's DRBG). Fails only if the DRBG cannot be seeded.
Result<Bytes> random_bytes(size_t n);
// Fills `out`; aborts the process if the DRBG fails (for callers that cannot proceed without it:
// nonces, tags, salts).
void random_fill(std::span<uint8_t> out);

// Lower-case hex, and the colon-separated upper-case form of certificate fingerprints.
std::string to_hex(std::span<const uint8_t> data);
std::string to_colon_hex(std::span<const uint8_t> data);

// Constant-time equality for secrets (MACs, digest responses).
bool equal_ct(std::span<const uint8_t> a, std::span<const uint8_t> b);
bool equal_ct(std::string_view a, std::string_view b);

inline std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace sipcred::crypto
