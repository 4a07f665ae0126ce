#include "crypto/cms_aes.hpp"

#include <openssl/cms.h>

#include "crypto/openssl_util.hpp"

namespace sipcred::crypto {
namespace {

using CmsPtr = Owned<CMS_ContentInfo, CMS_ContentInfo_free>;

void free_cert_stack(STACK_OF(X509) * s) {
  sk_X509_pop_free(s, X509_free);
}
using CertStackPtr = Owned<STACK_OF(X509), free_cert_stack>;

Result<X509Ptr> cert_of(std::span<const uint8_t> der) {
  const unsigned char* p = der.data();
  X509Ptr x{d2i_X509(nullptr, &p, static_cast<long>(der.size()))};
  if (!x || p != der.data() + der.size()) {
    ERR_clear_error();
    return fail(Errc::parse, "not a DER certificate");
  }
  return x;
}

Result<Bytes> bio_bytes(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  if (n < 0) return fail(Errc::internal, "memory BIO");
  return Bytes(reinterpret_cast<uint8_t*>(data), reinterpret_cast<uint8_t*>(data) + n);
}

}  // namespace

Result<Bytes> cms_aes_encrypt(std::span<const uint8_t> plaintext,
                              const std::vector<Bytes>& recipient_certs, CmsAes cipher) {
  if (recipient_certs.empty()) return fail(Errc::invalid_argument, "no recipient");
  CertStackPtr certs{sk_X509_new_null()};
  if (!certs) return openssl_fail("certificate stack");
  for (const auto& der : recipient_certs) {
    auto x = cert_of(der);
    if (!x) return Unexpected{x.error()};
    if (sk_X509_push(certs.get(), x->get()) <= 0) return openssl_fail("certificate stack");
    (void)x->release();
  }
  BioPtr in{BIO_new_mem_buf(plaintext.data(), static_cast<int>(plaintext.size()))};
  if (!in) return openssl_fail("memory BIO");
  const EVP_CIPHER* c = cipher == CmsAes::aes128_cbc ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
  CmsPtr cms{CMS_encrypt(certs.get(), in.get(), c, CMS_BINARY)};
  if (!cms) return openssl_fail("CMS encryption");
  unsigned char* out = nullptr;
  const int n = i2d_CMS_ContentInfo(cms.get(), &out);
  if (n <= 0) return openssl_fail("CMS encoding");
  Bytes der(out, out + n);
  OPENSSL_free(out);
  return der;
}

Result<Bytes> cms_aes_decrypt(std::span<const uint8_t> der, std::span<const uint8_t> cert_der,
                              const PrivateKey& key) {
  const unsigned char* p = der.data();
  CmsPtr cms{d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size()))};
  if (!cms || p != der.data() + der.size()) {
    ERR_clear_error();
    return fail(Errc::parse, "not a DER CMS ContentInfo");
  }
  auto cert = cert_of(cert_der);
  if (!cert) return Unexpected{cert.error()};
  BioPtr out{BIO_new(BIO_s_mem())};
  if (!out) return openssl_fail("memory BIO");
  if (CMS_decrypt(cms.get(), key.handle()->pkey, cert->get(), nullptr, out.get(), CMS_BINARY) !=
      1) {
    ERR_clear_error();
    return fail(Errc::crypto, "CMS decryption failed");
  }
  return bio_bytes(out.get());
}

}  // namespace sipcred::crypto
