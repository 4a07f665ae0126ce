// CMS content types as values (RFC 5652; RFC 2630 for RFC 2876's profile, identical in what is
// used here): ContentInfo, EnvelopedData with its RecipientInfo choices, and EncryptedData, read
// and written as DER with src/asn1/der.hpp. The parser is strict (every length checked, nothing
// trailing, the CHOICE tags of RFC 5652 §6.2 and no others) and keeps what it does not interpret
// (certificates, attributes, "other" fields) as raw encodings so that they re-encode unchanged.
// OpenSSL's CMS cannot build the KEA/SKIPJACK profile (it knows neither algorithm), hence this.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "asn1/der.hpp"
#include "core/result.hpp"

namespace sipcred::cms {

using Bytes = std::vector<uint8_t>;

namespace oid {
inline constexpr std::string_view kData = "1.2.840.113549.1.7.1";
inline constexpr std::string_view kEnvelopedData = "1.2.840.113549.1.7.3";
inline constexpr std::string_view kEncryptedData = "1.2.840.113549.1.7.6";
// RFC 2876 §8 (facts §5.1).
inline constexpr std::string_view kFortezzaConfidentiality = "2.16.840.1.101.2.1.1.4";
inline constexpr std::string_view kKeyExchangeAlgorithm = "2.16.840.1.101.2.1.1.22";
inline constexpr std::string_view kFortezzaWrap80 = "2.16.840.1.101.2.1.1.23";
inline constexpr std::string_view kKeaKeyEncryption = "2.16.840.1.101.2.1.1.24";
}  // namespace oid

struct AlgorithmIdentifier {
  std::string algorithm;  // dotted OID
  Bytes parameters;       // the whole parameters TLV; empty when absent
  friend bool operator==(const AlgorithmIdentifier&, const AlgorithmIdentifier&) = default;
};

// RFC 5652 §10.2.4.
struct IssuerAndSerialNumber {
  Bytes issuer;  // Name, whole TLV
  Bytes serial;  // INTEGER contents octets
  friend bool operator==(const IssuerAndSerialNumber&, const IssuerAndSerialNumber&) = default;
};

// RFC 5652 §6.2.2 RecipientKeyIdentifier (rKeyId).
struct RecipientKeyIdentifier {
  Bytes subject_key_identifier;
  Bytes date;   // GeneralizedTime TLV; empty when absent
  Bytes other;  // OtherKeyAttribute TLV; empty when absent
};

struct SubjectKeyIdentifier {
  Bytes value;
};

struct OriginatorPublicKey {
  AlgorithmIdentifier algorithm;
  Bytes public_key;  // BIT STRING octets (no unused bits)
};

using OriginatorIdentifierOrKey =
    std::variant<IssuerAndSerialNumber, SubjectKeyIdentifier, OriginatorPublicKey>;
using KeyAgreeRecipientIdentifier = std::variant<IssuerAndSerialNumber, RecipientKeyIdentifier>;

struct RecipientEncryptedKey {
  KeyAgreeRecipientIdentifier rid;
  Bytes encrypted_key;
};

// kari [1]
struct KeyAgreeRecipientInfo {
  int64_t version = 3;
  OriginatorIdentifierOrKey originator;
  std::optional<Bytes> ukm;
  AlgorithmIdentifier key_encryption_algorithm;
  std::vector<RecipientEncryptedKey> recipient_encrypted_keys;
};

// ktri (untagged SEQUENCE); rid is IssuerAndSerialNumber or [0] SubjectKeyIdentifier.
struct KeyTransRecipientInfo {
  int64_t version = 0;
  std::variant<IssuerAndSerialNumber, SubjectKeyIdentifier> rid;
  AlgorithmIdentifier key_encryption_algorithm;
  Bytes encrypted_key;
};

// kekri [2]
struct KekRecipientInfo {
  int64_t version = 4;
  Bytes key_identifier;
  Bytes date;   // GeneralizedTime TLV; empty when absent
  Bytes other;  // OtherKeyAttribute TLV; empty when absent
  AlgorithmIdentifier key_encryption_algorithm;
  Bytes encrypted_key;
};

// pwri [3] and ori [4]: kept whole, not interpreted.
struct OtherRecipientInfo {
  Bytes encoding;
};

using RecipientInfo = std::variant<KeyTransRecipientInfo, KeyAgreeRecipientInfo, KekRecipientInfo,
                                   OtherRecipientInfo>;

struct EncryptedContentInfo {
  std::string content_type{oid::kData};
  AlgorithmIdentifier content_encryption_algorithm;
  std::optional<Bytes> encrypted_content;  // [0] IMPLICIT OCTET STRING
};

struct EnvelopedData {
  int64_t version = 2;
  bool has_originator_info = false;
  std::vector<Bytes> originator_certificates;  // CertificateChoices, whole TLVs
  std::vector<Bytes> originator_crls;          // RevocationInfoChoice, whole TLVs
  std::vector<RecipientInfo> recipient_infos;  // at least one
  EncryptedContentInfo encrypted_content_info;
  std::vector<Bytes> unprotected_attrs;  // Attribute TLVs; empty when absent
};

struct EncryptedData {
  int64_t version = 0;
  EncryptedContentInfo encrypted_content_info;
  std::vector<Bytes> unprotected_attrs;
};

struct ContentInfo {
  std::string content_type;
  Bytes content;  // the [0] EXPLICIT content's inner TLV
};

// Parsers of untrusted DER (Errc::parse, or Errc::limit for nesting). Each takes exactly one
// value and nothing after it.
Result<ContentInfo> parse_content_info(std::span<const uint8_t> der);
Result<EnvelopedData> parse_enveloped_data(std::span<const uint8_t> der);
Result<EncryptedData> parse_encrypted_data(std::span<const uint8_t> der);
Result<AlgorithmIdentifier> parse_algorithm_identifier(std::span<const uint8_t> der);

// One SEQUENCE and nothing after it, as a reader over its contents (for the parsers of CMS
// values here and in src/cms/rfc2876/). Errc::parse.
Result<asn1::Reader> read_only_sequence(std::span<const uint8_t> der);

// DER encoders. SET OF values (certificates, RecipientInfos, attributes) are sorted as X.690
// §11.6 demands. Errc::invalid_argument for a malformed OID or an empty RecipientInfos.
Result<Bytes> encode(const ContentInfo& ci);
Result<Bytes> encode(const EnvelopedData& ed);
Result<Bytes> encode(const EncryptedData& ed);
Result<Bytes> encode(const AlgorithmIdentifier& alg);

}  // namespace sipcred::cms
