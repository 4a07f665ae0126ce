#include "cms/envelope.hpp"

#include "crypto/cms_aes.hpp"

namespace sipcred::cms {

Result<ContentCipher> parse_content_cipher(std::string_view name) {
  if (name == "skipjack-kea") return ContentCipher::skipjack_kea;
  if (name == "aes128") return ContentCipher::aes128;
  if (name == "aes256") return ContentCipher::aes256;
  return fail(Errc::invalid_argument,
              "unknown algorithm '" + std::string{name} + "' (skipjack-kea, aes128, aes256)");
}

std::string_view to_string(ContentCipher c) {
  switch (c) {
    case ContentCipher::skipjack_kea:
      return "skipjack-kea";
    case ContentCipher::aes128:
      return "aes128";
    case ContentCipher::aes256:
      return "aes256";
  }
  return "?";
}

Result<Bytes> envelope(std::span<const uint8_t> content, const EnvelopeRequest& req) {
  if (req.cipher != ContentCipher::skipjack_kea) {
    return crypto::cms_aes_encrypt(content, req.recipient_certs,
                                   req.cipher == ContentCipher::aes128
                                       ? crypto::CmsAes::aes128_cbc
                                       : crypto::CmsAes::aes256_cbc);
  }
  std::vector<rfc2876::KeaCertificate> recipients;
  for (const auto& der : req.recipient_certs) {
    auto cert = rfc2876::parse_kea_certificate(der);
    if (!cert) {
      return fail(Errc::parse,
                  "skipjack-kea needs KEA recipient certificates: " + cert.error().detail);
    }
    recipients.push_back(std::move(*cert));
  }
  return rfc2876::envelop(content, req.originator, recipients, {}, req.kea_options);
}

Result<Bytes> decrypt(std::span<const uint8_t> der, const DecryptKeys& keys) {
  auto ci = parse_content_info(der);
  if (!ci) return Unexpected{ci.error()};
  if (ci->content_type != oid::kEnvelopedData) return fail(Errc::parse, "not an EnvelopedData");
  auto ed = parse_enveloped_data(ci->content);
  if (!ed) return Unexpected{ed.error()};
  if (ed->encrypted_content_info.content_encryption_algorithm.algorithm ==
      oid::kFortezzaConfidentiality) {
    auto opened = rfc2876::open_enveloped(der, {keys.kea, keys.keks, keys.originator_certs});
    if (!opened) return Unexpected{opened.error()};
    return std::move(opened->content);
  }
  if (!keys.key) return fail(Errc::not_found, "an RSA or EC key is needed for this message");
  return crypto::cms_aes_decrypt(der, keys.cert, *keys.key);
}

}  // namespace sipcred::cms
