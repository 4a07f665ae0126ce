// The fields of an X.509 certificate (RFC 5280 §4.1) that CMS needs, read with our strict DER
// reader: issuer and serial number (IssuerAndSerialNumber, RFC 5652 §10.2.4), the
// subjectKeyIdentifier (rKeyId, RFC 5652 §6.2.2), and the raw SubjectPublicKeyInfo. OpenSSL does
// not know RFC 2528's KEA keys, so CMS reads certificates itself instead of through
// src/crypto/certificate.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sipcred::cms {

using Bytes = std::vector<uint8_t>;

// RFC 5280 §4.2.1.3 KeyUsage bit numbers.
enum KeyUsageBit : uint16_t {
  kDigitalSignature = 1u << 0,
  kNonRepudiation = 1u << 1,
  kKeyEncipherment = 1u << 2,
  kDataEncipherment = 1u << 3,
  kKeyAgreement = 1u << 4,
  kKeyCertSign = 1u << 5,
  kCrlSign = 1u << 6,
  kEncipherOnly = 1u << 7,
  kDecipherOnly = 1u << 8,
};

struct CertFields {
  Bytes der;     // the whole Certificate
  Bytes tbs;     // the TBSCertificate encoding (what the signature covers)
  Bytes serial;  // contents octets of the serialNumber INTEGER
  Bytes issuer;  // Name, whole TLV
  Bytes subject;
  Bytes spki;                         // SubjectPublicKeyInfo, whole TLV
  std::string spki_algorithm;         // dotted OID
  Bytes spki_parameters;              // whole TLV of the parameters; empty when absent
  Bytes public_key;                   // subjectPublicKey BIT STRING octets
  Bytes subject_key_id;               // empty when the extension is absent
  Bytes authority_key_id;             // keyIdentifier of AKI; empty when absent
  std::optional<uint16_t> key_usage;  // KeyUsageBit set; nullopt when absent
  std::string signature_algorithm;    // dotted OID of the outer signatureAlgorithm
  Bytes signature;                    // signatureValue octets
};

// Parses one DER Certificate and nothing after it. Extensions other than SKI, AKI and keyUsage
// are skipped (a critical unknown one is not our business here: path validation is src/pki/).
// Error: Errc::parse.
Result<CertFields> parse_certificate(std::span<const uint8_t> der);

// IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber }
// (RFC 5652 §10.2.4), DER.
Bytes issuer_and_serial_der(const CertFields& c);

}  // namespace sipcred::cms
