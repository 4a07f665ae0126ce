// Internal to src/crypto/: RAII for OpenSSL objects and error text.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "crypto/hash.hpp"

namespace sipcred::crypto {

inline constexpr size_t kHashAlgCount = 5;  // the values of HashAlg

struct KeyHandle {
  EVP_PKEY* pkey = nullptr;
  // Signing contexts already through EVP_PKEY_sign_init, one free list per hash (key.cpp's
  // sign()): setting one up costs more than a P-256 signature's own arithmetic, and a server
  // signs with the same key all day. A context is used by one thread at a time.
  std::mutex sign_mutex;
  std::array<std::vector<EVP_PKEY_CTX*>, kHashAlgCount> sign_ctxs;

  explicit KeyHandle(EVP_PKEY* k) : pkey(k) {}
  ~KeyHandle() {
    for (auto& list : sign_ctxs) {
      for (EVP_PKEY_CTX* c : list) EVP_PKEY_CTX_free(c);
    }
    EVP_PKEY_free(pkey);
  }
  KeyHandle(const KeyHandle&) = delete;
  KeyHandle& operator=(const KeyHandle&) = delete;
};

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
template <class T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using BioPtr = Owned<BIO, BIO_free_all>;
using X509Ptr = Owned<X509, X509_free>;
using P8InfoPtr = Owned<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;
using X509SigPtr = Owned<X509_SIG, X509_SIG_free>;
using MdCtxPtr = Owned<EVP_MD_CTX, EVP_MD_CTX_free>;

// The last OpenSSL error as text (and clears the queue), for Error::detail.
inline std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

inline Unexpected openssl_fail(const std::string& what) {
  return fail(Errc::crypto, what + " (" + openssl_error() + ")");
}

// The digest, fetched from the default provider once per process (hash.cpp). OpenSSL 3 looks a
// legacy EVP_sha256()-style object up again by name on every init; a fetched one goes straight
// to the provider. Falls back to the legacy object if the fetch fails.
const EVP_MD* evp_md(HashAlg alg);

}  // namespace sipcred::crypto
