// KEA public keys in X.509 certificates (RFC 2528 §3, folded into RFC 3279 §2.3.4; facts §3):
// SubjectPublicKeyInfo algorithm id-keyExchangeAlgorithm (2.16.840.1.101.2.1.1.22) whose
// parameters are the 10-octet domain identifier as an OCTET STRING (p, q, g are not in the
// certificate), and whose BIT STRING holds the public value y itself, big-endian, not wrapped in
// an INTEGER. Reading them, and making them (signed with an RSA, DSA or EC key) so that tests and
// users have KEA certificates: no common tool makes one.
#pragma once

#include <span>
#include <string>

#include "cms/cert_fields.hpp"
#include "cms/rfc2876/kea.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "crypto/key.hpp"

namespace sipcred::cms::rfc2876 {

inline constexpr std::string_view kIdKeyExchangeAlgorithm = "2.16.840.1.101.2.1.1.22";

struct KeaCertificate {
  CertFields fields;
  KeaDomainId domain_id{};
  Bytes y;  // kKeaPublicSize octets (a shorter BIT STRING is left-padded, facts §3)
};

// A certificate whose subject key is a KEA key. Errors: Errc::parse for bad DER, an algorithm
// other than id-keyExchangeAlgorithm, parameters other than a 10-octet OCTET STRING, an empty or
// over-long public value, or a keyUsage against RFC 3279 §2.3.4 (it may only assert
// keyAgreement, encipherOnly, decipherOnly; those two only with keyAgreement and not both).
Result<KeaCertificate> parse_kea_certificate(std::span<const uint8_t> der);

// The SubjectPublicKeyInfo of a KEA key: { { id-keyExchangeAlgorithm, OCTET STRING domain id },
// BIT STRING y (128 octets) }. Also the OriginatorPublicKey form of RFC 2876 §4.2.
Bytes kea_spki_der(const KeaDomainId& domain_id, std::span<const uint8_t> y);

struct KeaCertRequest {
  std::string subject_cn;  // the subject is CN=<subject_cn>
  Bytes serial;            // positive; empty: 16 random octets
  WallTime not_before;
  int days = 365;
  KeaDomainId domain_id{};
  Bytes y;  // the KEA public value
};

// Makes a KEA end-entity certificate (X.509 v3) issued by `issuer_der` and signed by
// `issuer_key` (RSA: sha256WithRSAEncryption, DSA: id-dsa-with-sha256, EC: ecdsa-with-SHA256).
// Extensions: subjectKeyIdentifier = SHA-1 of the public value (RFC 5280 §4.2.1.2 method 1, which
// RFC 2876 §4.2.1 needs for rKeyId), authorityKeyIdentifier = the issuer's SKI when it has one,
// keyUsage = keyAgreement (critical). Errors: Errc::parse for an unreadable issuer certificate,
// Errc::invalid_argument for an unsupported key type or a bad request, Errc::crypto from signing.
Result<Bytes> make_kea_certificate(const KeaCertRequest& req, std::span<const uint8_t> issuer_der,
                                   const crypto::PrivateKey& issuer_key);

// Checks the certificate's signature with the issuer's public key (RSA, DSA or EC with SHA-1,
// SHA-256 or SHA-512). Errc::crypto when it does not verify or the algorithm is unknown.
Result<void> verify_certificate_signature(const CertFields& cert, const crypto::PublicKey& issuer);

}  // namespace sipcred::cms::rfc2876

namespace sipcred::cms::rfc2876 {

// A KEA private key file. No RFC defines one; we use PKCS#8 PrivateKeyInfo (RFC 5958) shaped like
// DSA's: version 0, privateKeyAlgorithm { id-keyExchangeAlgorithm, Dss-Parms { p, q, g } },
// privateKey OCTET STRING containing INTEGER x. It carries the domain parameters, which the
// certificate only names (RFC 2528 §3.1.1). Unencrypted: protect the file.
Bytes kea_private_key_der(const KeaDomain& domain, const KeaKeyPair& key);
struct KeaPrivateKey {
  KeaDomain domain;
  KeaKeyPair key;  // y recomputed from x
};
// Reads the above, validates the domain (validate_kea_domain) and recomputes y.
// Errors: Errc::parse, the domain's Errc::crypto.
Result<KeaPrivateKey> parse_kea_private_key(std::span<const uint8_t> der);

}  // namespace sipcred::cms::rfc2876
