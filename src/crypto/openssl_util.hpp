// Internal to src/crypto/: RAII for OpenSSL objects and error text.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "core/result.hpp"
#include "crypto/hash.hpp"

namespace sipcred::crypto {

struct KeyHandle {
  EVP_PKEY* pkey = nullptr;
  explicit KeyHandle(EVP_PKEY* k) : pkey(k) {}
  ~KeyHandle() { EVP_PKEY_free(pkey); }
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

inline const EVP_MD* evp_md(HashAlg alg) {
  switch (alg) {
    case HashAlg::md5:
      return EVP_md5();
    case HashAlg::sha1:
      return EVP_sha1();
    case HashAlg::sha256:
      return EVP_sha256();
    case HashAlg::sha512:
      return EVP_sha512();
    case HashAlg::sha512_256:
      return EVP_sha512_256();
  }
  return EVP_sha256();
}

}  // namespace sipcred::crypto
