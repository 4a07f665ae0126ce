// RFC 2876's CMS conventions: EnvelopedData with SKIPJACK content encryption and KEA key
// agreement (§4, §4.2) or a previously distributed KEK (§4.3), EncryptedData (§5), and the
// SMIMECapabilities entries (§7). Structures come from src/cms/structures.hpp; this file decides
// what goes into them and checks what comes out.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "cms/rfc2876/kea.hpp"
#include "cms/rfc2876/kea_cert.hpp"
#include "cms/rfc2876/skipjack.hpp"
#include "cms/structures.hpp"
#include "core/result.hpp"

namespace sipcred::cms::rfc2876 {

// A KEA identity: certificate, private key and the domain parameters it belongs to (which the
// certificate only names by its domain identifier, RFC 2528 §3.1.1).
struct KeaCredential {
  KeaCertificate cert;
  KeaKeyPair key;
  KeaDomain domain;
};

// A "previously distributed" SKIPJACK KEK (RFC 2876 §4.3), e.g. a mail list key.
struct KekRecipient {
  Bytes key_identifier;
  SkipjackKey kek;
};

enum class UkmOption {
  shared,  // §4.2.1.1 (SHOULD): one KeyAgreeRecipientInfo and one UKM for all recipients
  unique,  // §4.2.1.2 (MAY): one KeyAgreeRecipientInfo and one UKM per recipient
};

enum class OriginatorChoice {
  subject_key_identifier,    // recommended when originatorInfo holds the certificate (§4.2)
  issuer_and_serial_number,  // MUST when it does not
  originator_key,            // MAY in controlled environments; SHOULD NOT for e-mail (§4.2)
};

struct KeaEnvelopeOptions {
  UkmOption ukm = UkmOption::shared;
  OriginatorChoice originator = OriginatorChoice::subject_key_identifier;
  // §4.1: originatorInfo SHOULD carry the originator's KEA certificate. When false, `originator`
  // must be issuer_and_serial_number or originator_key.
  bool include_originator_certificate = true;
  // Further certificates of the originator's path (§4.1 MAY); self-signed ones are refused
  // (§4.1 SHOULD NOT).
  std::vector<Bytes> chain;
  // §4.2.1: a copy for the originator when it is not a recipient already (SHOULD).
  bool copy_for_originator = true;
};

// Encrypts `plaintext` into a ContentInfo(EnvelopedData) DER: a fresh random CEK and IV (§4),
// SKIPJACK-CBC with CMS padding (§2), version 2 (§4.1), one KeyAgreeRecipientInfo per the UKM
// option for the KEA recipients and one KEKRecipientInfo per KEK recipient (§4.3).
// `originator` is required when there are KEA recipients. Errors: Errc::invalid_argument when
// there is no recipient, a recipient's domain identifier differs from the originator's (§4.2.1.1:
// KEA needs identical parameters), or the options contradict §4.2; errors of KEA (a recipient's
// public value failing the checks of facts §2.2) and of the RNG.
// REQ CMS-1 CMS-3 CMS-4 CMS-5 CMS-6 CMS-8
Result<Bytes> envelop(std::span<const uint8_t> plaintext, const KeaCredential* originator,
                      std::span<const KeaCertificate> recipients,
                      std::span<const KekRecipient> kek_recipients,
                      const KeaEnvelopeOptions& options = {});

// How the receiver is identified and what it may use.
struct OpenKeys {
  const KeaCredential* kea = nullptr;                // our KEA certificate and key
  std::span<const KekRecipient> keks;                // KEKs we hold
  std::span<const KeaCertificate> originator_certs;  // originators' certificates known out of band
};

struct Opened {
  Bytes content;
  std::string content_type;
  enum class Via { kea, kek } via = Via::kea;
};

// Decrypts a ContentInfo(EnvelopedData) made per RFC 2876 (§4.2.2): finds our
// RecipientEncryptedKey by rKeyId or issuerAndSerialNumber in any KeyAgreeRecipientInfo (both UKM
// options), takes the UKM of the same KeyAgreeRecipientInfo, locates the originator's KEA
// certificate (originatorInfo or `originator_certs`; or the originatorKey), runs e-mail KEA,
// unwraps and decrypts; or uses a matching KEKRecipientInfo.
// Errors (Errc::crypto unless noted): "key transport MUST NOT be used with KEA" when a
// KeyTransRecipientInfo uses a KEA algorithm or names our KEA certificate (§4, CMS-11);
// Errc::not_found when no RecipientInfo is for us or the originator's certificate is unknown;
// Errc::parse for malformed DER or fields against §4 (UKM not 128 octets, wrong algorithms,
// IV not 8 octets); "FORTEZZA wrap check word mismatch" for a wrong key or altered wrap/UKM;
// "decryption failed" for bad padding (altered ciphertext).
// REQ CMS-2 CMS-7 CMS-8 CMS-11
Result<Opened> open_enveloped(std::span<const uint8_t> content_info_der, const OpenKeys& keys);

// EncryptedData (§5) under a CEK conveyed out of band: version 0 (2 with unprotectedAttrs,
// RFC 5652 §8), id-fortezzaConfidentialityAlgorithm with a fresh IV. ContentInfo DER. REQ CMS-9
Result<Bytes> encrypt_data(std::span<const uint8_t> plaintext, KeyView cek,
                           std::vector<Bytes> unprotected_attrs = {});
Result<Bytes> decrypt_data(std::span<const uint8_t> content_info_der, KeyView cek);

// The content-encryption AlgorithmIdentifier { id-fortezzaConfidentialityAlgorithm,
// Skipjack-Parm { initialization-vector } } (RFC 2876 §8), and its reading (IV of 8 octets).
AlgorithmIdentifier skipjack_algorithm(BlockView iv);
Result<SkipjackBlock> skipjack_iv(const AlgorithmIdentifier& alg);

// RFC 2876 §7 SMIMECapability values, DER (REQ CMS-10): KEA is { id-kEAKeyEncryptionAlgorithm,
// KeyWrapAlgorithm { id-fortezzaWrap80 } }, SKIPJACK is { id-fortezzaConfidentialityAlgorithm }
// (13 octets; the RFC's printed string has a stray 00, facts §5.7). The attribute value lists
// both, KEA first.
Bytes smime_capability_kea();
Bytes smime_capability_skipjack();
Bytes smime_capabilities();
// Reads an SMIMECapabilities value: (capabilityID, parameters TLV) pairs. Errc::parse.
Result<std::vector<AlgorithmIdentifier>> parse_smime_capabilities(std::span<const uint8_t> der);

}  // namespace sipcred::cms::rfc2876
