#include "crypto/hash.hpp"

#include "crypto/openssl_util.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace sipcred::crypto {

std::string_view to_string(HashAlg alg) {
  switch (alg) {
    case HashAlg::md5:
      return "MD5";
    case HashAlg::sha1:
      return "SHA-1";
    case HashAlg::sha256:
      return "SHA-256";
    case HashAlg::sha512:
      return "SHA-512";
    case HashAlg::sha512_256:
      return "SHA-512-256";
  }
  return "?";
}

const EVP_MD* evp_md(HashAlg alg) {
  static const std::array<const EVP_MD*, kHashAlgCount> fetched = [] {
    auto get = [](const char* name, const EVP_MD* legacy) -> const EVP_MD* {
      const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);  // kept for the process' life
      return md != nullptr ? md : legacy;
    };
    std::array<const EVP_MD*, kHashAlgCount> a{};
    a[static_cast<size_t>(HashAlg::md5)] = get("MD5", EVP_md5());
    a[static_cast<size_t>(HashAlg::sha1)] = get("SHA1", EVP_sha1());
    a[static_cast<size_t>(HashAlg::sha256)] = get("SHA256", EVP_sha256());
    a[static_cast<size_t>(HashAlg::sha512)] = get("SHA512", EVP_sha512());
    a[static_cast<size_t>(HashAlg::sha512_256)] = get("SHA512-256", EVP_sha512_256());
    ERR_clear_error();  // a failed fetch (no MD5 in a FIPS-only setup) leaves an error queued
    return a;
  }();
  auto i = static_cast<size_t>(alg);
  return i < fetched.size() ? fetched[i] : fetched[static_cast<size_t>(HashAlg::sha256)];
}

size_t digest_size(HashAlg alg) {
  return static_cast<size_t>(EVP_MD_get_size(evp_md(alg)));
}

struct Hasher::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Hasher::Hasher(HashAlg alg) : impl_(std::make_unique<Impl>()) {
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, evp_md(alg), nullptr) != 1) {
    std::fprintf(stderr, "sipcred: cannot initialise hash %s\n", to_string(alg).data());
    std::abort();  // only when OpenSSL is unusable: nothing can proceed
  }
}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

Hasher& Hasher::update(std::span<const uint8_t> data) {
  EVP_DigestUpdate(impl_->ctx, data.data(), data.size());
  return *this;
}
Hasher& Hasher::update(std::string_view data) {
  return update(as_bytes(data));
}

Bytes Hasher::finish() {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  EVP_DigestFinal_ex(impl_->ctx, out.data(), &n);
  out.resize(n);
  return out;
}

Bytes hash(HashAlg alg, std::span<const uint8_t> data) {
  return Hasher{alg}.update(data).finish();
}
Bytes hash(HashAlg alg, std::string_view data) {
  return hash(alg, as_bytes(data));
}

Bytes hmac(HashAlg alg, std::span<const uint8_t> key, std::span<const uint8_t> data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  HMAC(evp_md(alg), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
       &n);
  out.resize(n);
  return out;
}
Bytes hmac(HashAlg alg, std::string_view key, std::string_view data) {
  return hmac(alg, as_bytes(key), as_bytes(data));
}

Result<Bytes> random_bytes(size_t n) {
  Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    return fail(Errc::crypto, "the random generator failed");
  }
  return out;
}

void random_fill(std::span<uint8_t> out) {
  if (!out.empty() && RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    std::fprintf(stderr, "sipcred: the random generator failed\n");
    std::abort();
  }
}

std::string to_hex(std::span<const uint8_t> data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string to_colon_hex(std::span<const uint8_t> data) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < data.size(); ++i) {
    if (i) out.push_back(':');
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 15]);
  }
  return out;
}

bool equal_ct(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}
bool equal_ct(std::string_view a, std::string_view b) {
  return equal_ct(as_bytes(a), as_bytes(b));
}

}  // namespace sipcred::crypto
