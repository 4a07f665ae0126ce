#include "crypto/key.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "crypto/openssl_util.hpp"

namespace sipcred::crypto {

Result<KeyType> parse_key_type(std::string_view name) {
  if (name == "rsa2048") return KeyType::rsa2048;
  if (name == "rsa3072") return KeyType::rsa3072;
  if (name == "rsa4096") return KeyType::rsa4096;
  if (name == "ec-p256") return KeyType::ec_p256;
  return fail(Errc::invalid_argument,
              "unknown key type '" + std::string{name} + "' (rsa2048, rsa3072, rsa4096, ec-p256)");
}

std::string_view to_string(KeyType t) {
  switch (t) {
    case KeyType::rsa2048:
      return "rsa2048";
    case KeyType::rsa3072:
      return "rsa3072";
    case KeyType::rsa4096:
      return "rsa4096";
    case KeyType::ec_p256:
      return "ec-p256";
  }
  return "?";
}

namespace {

std::shared_ptr<KeyHandle> adopt(EVP_PKEY* k) {
  return std::make_shared<KeyHandle>(k);
}

Result<Bytes> i2d_bytes(int (*i2d)(const void*, unsigned char**), const void* obj) {
  int n = i2d(obj, nullptr);
  if (n <= 0) return openssl_fail("DER encoding failed");
  Bytes out(static_cast<size_t>(n));
  unsigned char* p = out.data();
  i2d(obj, &p);
  return out;
}

}  // namespace

// --- PublicKey ---

bool PublicKey::valid() const {
  return key_ && key_->pkey != nullptr;
}

Result<PublicKey> PublicKey::from_der(std::span<const uint8_t> spki) {
  const unsigned char* p = spki.data();
  EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size()));
  if (k == nullptr) return openssl_fail("not a SubjectPublicKeyInfo");
  if (p != spki.data() + spki.size()) {
    EVP_PKEY_free(k);
    return fail(Errc::parse, "trailing bytes after the SubjectPublicKeyInfo");
  }
  return PublicKey{adopt(k)};
}

Bytes PublicKey::der() const {
  if (!valid()) return {};
  unsigned char* buf = nullptr;
  int n = i2d_PUBKEY(key_->pkey, &buf);
  Bytes out(buf, buf + (n > 0 ? n : 0));
  OPENSSL_free(buf);
  return out;
}

std::string PublicKey::algorithm() const {
  if (!valid()) return "unsupported";
  switch (EVP_PKEY_get_base_id(key_->pkey)) {
    case EVP_PKEY_RSA:
      return "RSA";
    case EVP_PKEY_EC:
      return "EC";
    default:
      return EVP_PKEY_get0_type_name(key_->pkey) ? EVP_PKEY_get0_type_name(key_->pkey) : "?";
  }
}

std::string PublicKey::curve() const {
  char name[64] = {0};
  size_t len = 0;
  if (!valid() || EVP_PKEY_get_base_id(key_->pkey) != EVP_PKEY_EC ||
      EVP_PKEY_get_utf8_string_param(key_->pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name,
                                     &len) != 1) {
    return {};
  }
  std::string n{name, len};
  if (n == "prime256v1") return "P-256";
  if (n == "secp384r1") return "P-384";
  if (n == "secp521r1") return "P-521";
  return n;
}

int PublicKey::bits() const {
  return valid() ? EVP_PKEY_get_bits(key_->pkey) : 0;
}

bool PublicKey::operator==(const PublicKey& other) const {
  return valid() && other.valid() && EVP_PKEY_eq(key_->pkey, other.key_->pkey) == 1;
}

bool PublicKey::verify(HashAlg alg, std::span<const uint8_t> data,
                       std::span<const uint8_t> signature) const {
  if (!valid()) return false;
  MdCtxPtr ctx{EVP_MD_CTX_new()};
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, evp_md(alg), nullptr, key_->pkey) != 1) {
    ERR_clear_error();
    return false;
  }
  bool ok = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(),
                             data.size()) == 1;
  ERR_clear_error();
  return ok;
}

// --- PrivateKey ---

Result<PrivateKey> PrivateKey::generate(KeyType type) {
  EVP_PKEY* k = nullptr;
  switch (type) {
    case KeyType::rsa2048:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
      break;
    case KeyType::rsa3072:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072});
      break;
    case KeyType::rsa4096:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096});
      break;
    case KeyType::ec_p256:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
  }
  if (k == nullptr) return openssl_fail("key generation failed");
  return PrivateKey{adopt(k)};
}

bool is_encrypted_pkcs8(std::span<const uint8_t> der) {
  const unsigned char* p = der.data();
  X509SigPtr sig{d2i_X509_SIG(nullptr, &p, static_cast<long>(der.size()))};
  ERR_clear_error();
  return sig != nullptr && p == der.data() + der.size();
}

Result<PrivateKey> PrivateKey::from_pkcs8(std::span<const uint8_t> der) {
  const unsigned char* p = der.data();
  P8InfoPtr info{d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()))};
  if (!info) return openssl_fail("not a PKCS#8 PrivateKeyInfo");
  if (p != der.data() + der.size()) return fail(Errc::parse, "trailing bytes after the PKCS#8");
  EVP_PKEY* k = EVP_PKCS82PKEY(info.get());
  if (k == nullptr) return openssl_fail("unsupported private key in the PKCS#8");
  return PrivateKey{adopt(k)};
}

Result<Pbes2Info> pbes2_info(std::span<const uint8_t> der) {
  const unsigned char* p = der.data();
  X509SigPtr sig{d2i_X509_SIG(nullptr, &p, static_cast<long>(der.size()))};
  if (!sig) return openssl_fail("not a PKCS#8 EncryptedPrivateKeyInfo");
  const X509_ALGOR* alg = nullptr;
  X509_SIG_get0(sig.get(), &alg, nullptr);
  const ASN1_OBJECT* oid = nullptr;
  int ptype = 0;
  const void* pval = nullptr;
  X509_ALGOR_get0(&oid, &ptype, &pval, alg);
  if (OBJ_obj2nid(oid) != NID_pbes2 || ptype != V_ASN1_SEQUENCE) {
    return fail(Errc::crypto, "the key is not encrypted with PBES2 (RFC 8018 §6.2)");
  }
  using Pbe2Ptr = Owned<PBE2PARAM, PBE2PARAM_free>;
  using Pbkdf2Ptr = Owned<PBKDF2PARAM, PBKDF2PARAM_free>;
  Pbe2Ptr pbe2{static_cast<PBE2PARAM*>(
      ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter))};
  if (!pbe2 || OBJ_obj2nid(pbe2->keyfunc->algorithm) != NID_id_pbkdf2 ||
      pbe2->keyfunc->parameter == nullptr) {
    ERR_clear_error();
    return fail(Errc::crypto, "PBES2 without PBKDF2 parameters");
  }
  Pbkdf2Ptr kdf{static_cast<PBKDF2PARAM*>(
      ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter))};
  if (!kdf) {
    ERR_clear_error();
    return fail(Errc::crypto, "malformed PBKDF2 parameters");
  }
  Pbes2Info info;
  info.iterations = ASN1_INTEGER_get(kdf->iter);
  // RFC 8018 §A.2: an absent PRF means hmacWithSHA1.
  info.prf = kdf->prf ? OBJ_nid2sn(OBJ_obj2nid(kdf->prf->algorithm)) : "hmacWithSHA1";
  info.cipher = OBJ_nid2sn(OBJ_obj2nid(pbe2->encryption->algorithm));
  return info;
}

Result<PrivateKey> PrivateKey::from_encrypted_pkcs8(std::span<const uint8_t> der,
                                                    std::string_view passphrase,
                                                    long max_iterations) {
  auto params = pbes2_info(der);
  if (!params) return Unexpected{params.error()};
  if (params->iterations < 1 || params->iterations > max_iterations) {
    return fail(Errc::limit, "PBKDF2 iteration count " + std::to_string(params->iterations) +
                                 " outside 1.." + std::to_string(max_iterations));
  }
  const unsigned char* p = der.data();
  X509SigPtr sig{d2i_X509_SIG(nullptr, &p, static_cast<long>(der.size()))};
  if (!sig) return openssl_fail("not a PKCS#8 EncryptedPrivateKeyInfo");
  if (p != der.data() + der.size()) return fail(Errc::parse, "trailing bytes after the PKCS#8");
  // A wrong passphrase shows as a padding or structure failure of the decrypted bytes: either
  // way it is reported as a wrong passphrase, and nothing decrypted is ever returned.
  P8InfoPtr info{PKCS8_decrypt(sig.get(), passphrase.data(), static_cast<int>(passphrase.size()))};
  if (!info) {
    ERR_clear_error();
    return fail(Errc::crypto, "wrong passphrase (or a damaged encrypted key)");
  }
  EVP_PKEY* k = EVP_PKCS82PKEY(info.get());
  if (k == nullptr) {
    ERR_clear_error();
    return fail(Errc::crypto, "wrong passphrase (or a damaged encrypted key)");
  }
  return PrivateKey{adopt(k)};
}

Result<PrivateKey> PrivateKey::from_any_pkcs8(std::span<const uint8_t> der,
                                              std::string_view passphrase) {
  if (is_encrypted_pkcs8(der)) {
    if (passphrase.empty())
      return fail(Errc::invalid_argument, "the key is encrypted: passphrase needed");
    return from_encrypted_pkcs8(der, passphrase);
  }
  return from_pkcs8(der);
}

namespace {
int pem_pass(char* buf, int size, int, void* u) {
  auto* pass = static_cast<std::string_view*>(u);
  int n = static_cast<int>(pass->size());
  if (n > size) return -1;
  std::copy(pass->begin(), pass->end(), buf);
  return n;
}
}  // namespace

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem, std::string_view passphrase) {
  BioPtr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio.get(), nullptr, &pem_pass, &passphrase);
  if (k == nullptr) return openssl_fail("cannot read the PEM private key");
  return PrivateKey{adopt(k)};
}

Bytes PrivateKey::to_pkcs8() const {
  P8InfoPtr info{EVP_PKEY2PKCS8(key_->pkey)};
  auto der = i2d_bytes(
      [](const void* o, unsigned char** out) {
        return i2d_PKCS8_PRIV_KEY_INFO(static_cast<const PKCS8_PRIV_KEY_INFO*>(o), out);
      },
      info.get());
  return der ? std::move(*der) : Bytes{};
}

Result<Bytes> PrivateKey::to_encrypted_pkcs8(std::string_view passphrase,
                                             const Pbes2& params) const {
  if (passphrase.empty()) return fail(Errc::invalid_argument, "empty passphrase");
  if (params.iterations < 1000) return fail(Errc::invalid_argument, "too few PBKDF2 iterations");
  P8InfoPtr info{EVP_PKEY2PKCS8(key_->pkey)};
  if (!info) return openssl_fail("cannot make a PrivateKeyInfo");
  const EVP_CIPHER* cipher =
      params.cipher == Pbes2::Cipher::aes256_cbc ? EVP_aes_256_cbc() : EVP_des_ede3_cbc();
  int prf = params.prf == Pbes2::Prf::hmac_sha256 ? NID_hmacWithSHA256 : NID_hmacWithSHA1;
  Bytes salt(16);
  random_fill(salt);
  // RFC 8018 §6.2 PBES2: PBKDF2 with the chosen PRF and a random salt; the cipher's IV is random
  // (aiv = nullptr lets OpenSSL draw it).
  X509_ALGOR* pbe = PKCS5_pbe2_set_iv_ex(cipher, params.iterations, salt.data(),
                                         static_cast<int>(salt.size()), nullptr, prf, nullptr);
  if (pbe == nullptr) return openssl_fail("cannot set PBES2 parameters");
  X509_SIG* sig =
      PKCS8_set0_pbe(passphrase.data(), static_cast<int>(passphrase.size()), info.get(), pbe);
  if (sig == nullptr) {
    X509_ALGOR_free(pbe);
    return openssl_fail("PKCS#8 encryption failed");
  }
  X509SigPtr owned{sig};
  return i2d_bytes(
      [](const void* o, unsigned char** out) {
        return i2d_X509_SIG(static_cast<const X509_SIG*>(o), out);
      },
      owned.get());
}

PublicKey PrivateKey::public_key() const {
  return PublicKey{key_};
}

namespace {

using PkeyCtxPtr = Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;

// A signing context for `alg` from the key's free list, or a new one (sign_init done, the hash
// set: RSA then signs PKCS#1 v1.5 over the DigestInfo, RFC 8017 §9.2, exactly as
// EVP_DigestSign does).
PkeyCtxPtr take_sign_ctx(KeyHandle& k, HashAlg alg) {
  auto& list = k.sign_ctxs[static_cast<size_t>(alg)];
  {
    std::lock_guard lock{k.sign_mutex};
    if (!list.empty()) {
      PkeyCtxPtr c{list.back()};
      list.pop_back();
      return c;
    }
  }
  PkeyCtxPtr c{EVP_PKEY_CTX_new_from_pkey(nullptr, k.pkey, nullptr)};
  if (!c || EVP_PKEY_sign_init(c.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(c.get(), evp_md(alg)) != 1) {
    return nullptr;
  }
  return c;
}

void give_back_sign_ctx(KeyHandle& k, HashAlg alg, PkeyCtxPtr c) {
  constexpr size_t kKeep = 16;  // more signers than this at once is not a configuration we run
  auto& list = k.sign_ctxs[static_cast<size_t>(alg)];
  std::lock_guard lock{k.sign_mutex};
  if (list.size() < kKeep) list.push_back(c.release());
}

}  // namespace

Result<Bytes> PrivateKey::sign(HashAlg alg, std::span<const uint8_t> data) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &digest_len, evp_md(alg), nullptr) != 1) {
    return openssl_fail("signing digest failed");
  }
  PkeyCtxPtr ctx = take_sign_ctx(*key_, alg);
  if (!ctx) return openssl_fail("signing init failed");
  size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest, digest_len) != 1) {
    return openssl_fail("signing failed");
  }
  Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest, digest_len) != 1) {
    return openssl_fail("signing failed");  // the context is dropped, not reused
  }
  sig.resize(len);
  give_back_sign_ctx(*key_, alg, std::move(ctx));
  return sig;
}

namespace {

using EcdsaSigPtr = Owned<ECDSA_SIG, ECDSA_SIG_free>;

// Octets of one coordinate of the key's curve (32 for P-256); 0 for keys that are not EC.
size_t ec_field_octets(EVP_PKEY* pkey) {
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) return 0;
  return static_cast<size_t>((EVP_PKEY_get_bits(pkey) + 7) / 8);
}

}  // namespace

Result<Bytes> PrivateKey::sign_raw_ecdsa(HashAlg alg, std::span<const uint8_t> data) const {
  size_t n = ec_field_octets(key_->pkey);
  if (n == 0) return fail(Errc::invalid_argument, "not an EC key");
  auto der = sign(alg, data);
  if (!der) return Unexpected{der.error()};
  const unsigned char* p = der->data();
  EcdsaSigPtr sig{d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der->size()))};
  if (!sig) return openssl_fail("ECDSA signature");
  Bytes raw(2 * n);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), static_cast<int>(n)) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + n, static_cast<int>(n)) < 0) {
    return openssl_fail("ECDSA signature");
  }
  return raw;
}

bool PublicKey::verify_raw_ecdsa(HashAlg alg, std::span<const uint8_t> data,
                                 std::span<const uint8_t> signature) const {
  if (!valid()) return false;
  size_t n = ec_field_octets(key_->pkey);
  if (n == 0 || signature.size() != 2 * n) return false;
  EcdsaSigPtr sig{ECDSA_SIG_new()};
  BIGNUM* r = BN_bin2bn(signature.data(), static_cast<int>(n), nullptr);
  BIGNUM* s = BN_bin2bn(signature.data() + n, static_cast<int>(n), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ERR_clear_error();
    return false;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) {
    ERR_clear_error();
    return false;
  }
  bool ok = verify(alg, data, {der, static_cast<size_t>(len)});
  OPENSSL_free(der);
  return ok;
}

}  // namespace sipcred::crypto
