// Key pairs and PKCS#8 (RFC 5958) with PBES2 (RFC 8018). OpenSSL types stay inside src/crypto/.
// REQ PKI-2 PKI-4 PKI-5
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "crypto/hash.hpp"

namespace sipcred::crypto {

enum class KeyType { rsa2048, rsa3072, rsa4096, ec_p256 };
Result<KeyType> parse_key_type(std::string_view name);  // "rsa2048" ... "ec-p256"
std::string_view to_string(KeyType t);

struct KeyHandle;  // the OpenSSL key, opaque outside src/crypto/

// Decryption refuses more PBKDF2 iterations than this: the count comes with the key, and a
// hostile one could otherwise make a client spin for hours.
inline constexpr long kMaxPbkdf2Iterations = 10'000'000;

// A public key. It may be empty: a certificate can carry a key OpenSSL cannot decode (an
// unknown algorithm, RFC 2876's KEA, or damaged parameters); then valid() is false, algorithm()
// says "unsupported", bits() is 0, and it verifies and equals nothing.
class PublicKey {
 public:
  bool valid() const;
  // SubjectPublicKeyInfo DER (RFC 5280 §4.1.2.7).
  static Result<PublicKey> from_der(std::span<const uint8_t> spki);
  Bytes der() const;
  std::string algorithm() const;  // "RSA" or "EC"
  std::string curve() const;      // "P-256" etc. for EC keys; empty for RSA
  int bits() const;
  bool operator==(const PublicKey& other) const;
  // Verifies `signature` over `data` (RSA PKCS#1 v1.5 or ECDSA) with the given hash.
  bool verify(HashAlg alg, std::span<const uint8_t> data, std::span<const uint8_t> signature) const;
  // ECDSA with the signature as the fixed-width r || s of JOSE (RFC 7518 §3.4: 64 octets for
  // P-256), as JWS and so PASSporT (RFC 8225) carry it. False for other keys or sizes.
  bool verify_raw_ecdsa(HashAlg alg, std::span<const uint8_t> data,
                        std::span<const uint8_t> signature) const;

  std::shared_ptr<KeyHandle> handle() const { return key_; }
  explicit PublicKey(std::shared_ptr<KeyHandle> k) : key_(std::move(k)) {}

 private:
  std::shared_ptr<KeyHandle> key_;
};

// PBES2 parameters for an EncryptedPrivateKeyInfo (RFC 8018 §6.2, §A.2, §B.2).
struct Pbes2 {
  enum class Prf { hmac_sha256, hmac_sha1 };
  enum class Cipher { aes256_cbc, des_ede3_cbc };
  Prf prf = Prf::hmac_sha256;
  Cipher cipher = Cipher::aes256_cbc;
  // PBKDF2 iterations. 600,000 with HMAC-SHA-256 is OWASP's 2023 recommendation; the key is
  // stored on a server the user does not control, so guessing must stay expensive.
  int iterations = 600'000;

  // The combination the seed makes mandatory (draft-ietf-sip-certs-06 §9.6): PBKDF2-HMAC-SHA1 and
  // DES-EDE3-CBC-Pad.
  static Pbes2 seed_mandatory() { return Pbes2{Prf::hmac_sha1, Cipher::des_ede3_cbc, 600'000}; }
};

class PrivateKey {
 public:
  static Result<PrivateKey> generate(KeyType type);

  // DER PrivateKeyInfo (unencrypted PKCS#8).
  static Result<PrivateKey> from_pkcs8(std::span<const uint8_t> der);
  // DER EncryptedPrivateKeyInfo. A wrong passphrase is reported as such, never as a key.
  static Result<PrivateKey> from_encrypted_pkcs8(std::span<const uint8_t> der,
                                                 std::string_view passphrase,
                                                 long max_iterations = kMaxPbkdf2Iterations);
  // Either of the above: encrypted ones need `passphrase`.
  static Result<PrivateKey> from_any_pkcs8(std::span<const uint8_t> der,
                                           std::string_view passphrase);
  // PEM (PKCS#8, traditional RSA/EC, encrypted or not), as written by the openssl CLI.
  static Result<PrivateKey> from_pem(std::string_view pem, std::string_view passphrase = {});

  Bytes to_pkcs8() const;
  Result<Bytes> to_encrypted_pkcs8(std::string_view passphrase, const Pbes2& params = {}) const;

  PublicKey public_key() const;
  std::string algorithm() const { return public_key().algorithm(); }
  int bits() const { return public_key().bits(); }
  bool matches(const PublicKey& pub) const { return public_key() == pub; }

  // RSA PKCS#1 v1.5 or ECDSA (DER) signature over `data`.
  Result<Bytes> sign(HashAlg alg, std::span<const uint8_t> data) const;
  // ECDSA signature as JOSE's r || s (RFC 7518 §3.4), each the curve's size; EC keys only.
  // Thread-safe like sign(): the key is read, never changed.
  Result<Bytes> sign_raw_ecdsa(HashAlg alg, std::span<const uint8_t> data) const;

  std::shared_ptr<KeyHandle> handle() const { return key_; }
  explicit PrivateKey(std::shared_ptr<KeyHandle> k) : key_(std::move(k)) {}

 private:
  std::shared_ptr<KeyHandle> key_;
};

// Is this DER an EncryptedPrivateKeyInfo (as opposed to a PrivateKeyInfo)?
bool is_encrypted_pkcs8(std::span<const uint8_t> der);

// What protects an EncryptedPrivateKeyInfo, read without decrypting it.
struct Pbes2Info {
  std::string prf;     // e.g. "hmacWithSHA256"
  std::string cipher;  // e.g. "aes-256-cbc"
  long iterations = 0;
};
Result<Pbes2Info> pbes2_info(std::span<const uint8_t> der);

}  // namespace sipcred::crypto
