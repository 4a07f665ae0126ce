// One interface for EnvelopedData, whatever the algorithm: AES-CBC through OpenSSL's CMS
// (src/crypto/cms_aes.hpp) or RFC 2876's SKIPJACK with KEA (src/cms/rfc2876/envelope.hpp). The
// S/MIME layer picks a ContentCipher and hands over certificates; decryption looks at the content
// encryption algorithm and takes the matching path.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "cms/rfc2876/envelope.hpp"
#include "core/result.hpp"
#include "crypto/key.hpp"

namespace sipcred::cms {

enum class ContentCipher { skipjack_kea, aes128, aes256 };

// "skipjack-kea", "aes128", "aes256". Errc::invalid_argument otherwise.
Result<ContentCipher> parse_content_cipher(std::string_view name);
std::string_view to_string(ContentCipher c);

struct EnvelopeRequest {
  ContentCipher cipher = ContentCipher::aes128;
  std::vector<Bytes> recipient_certs;  // DER; KEA certificates for skipjack_kea
  // skipjack_kea only: the originator's KEA credential and the RFC 2876 options.
  const rfc2876::KeaCredential* originator = nullptr;
  rfc2876::KeaEnvelopeOptions kea_options;
};

// ContentInfo(EnvelopedData) DER. Errors: those of the chosen path; Errc::parse when a recipient
// certificate is not of the kind the cipher needs (KEA for skipjack_kea).
Result<Bytes> envelope(std::span<const uint8_t> content, const EnvelopeRequest& req);

struct DecryptKeys {
  Bytes cert;                                             // our certificate (DER): RSA/EC or KEA
  std::optional<crypto::PrivateKey> key;                  // for an RSA/EC certificate
  const rfc2876::KeaCredential* kea = nullptr;            // for a KEA certificate
  std::vector<rfc2876::KeaCertificate> originator_certs;  // known out of band (RFC 2876 §4.2)
  std::vector<rfc2876::KekRecipient> keks;
};

// Decrypts a ContentInfo(EnvelopedData): SKIPJACK content goes to RFC 2876's path, anything else
// to OpenSSL's CMS. Errors: those of the path taken.
Result<Bytes> decrypt(std::span<const uint8_t> der, const DecryptKeys& keys);

}  // namespace sipcred::cms
