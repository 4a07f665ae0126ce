// The AES EnvelopedData path through OpenSSL's CMS (RFC 5652 with RFC 3565 AES-CBC): key
// transport for RSA recipients, ECDH key agreement (RFC 5753) for EC ones. The KEA/SKIPJACK
// profile, which OpenSSL does not know, is src/cms/rfc2876/; src/cms/envelope.hpp puts both behind
// one interface.
#pragma once

#include <span>
#include <vector>

#include "core/result.hpp"
#include "crypto/key.hpp"

namespace sipcred::crypto {

enum class CmsAes { aes128_cbc, aes256_cbc };

// ContentInfo(EnvelopedData) DER of `plaintext` (binary, no MIME canonicalisation) for the given
// DER recipient certificates. Errors: Errc::parse for an unreadable certificate, Errc::crypto
// when OpenSSL cannot encrypt to a key (e.g. an unsupported algorithm).
Result<Bytes> cms_aes_encrypt(std::span<const uint8_t> plaintext,
                              const std::vector<Bytes>& recipient_certs, CmsAes cipher);

// Decrypts a ContentInfo(EnvelopedData) with our certificate (DER) and private key.
// Errc::crypto when OpenSSL refuses (no recipient for us, a wrong key, bad padding): one message,
// so the answer is no oracle.
Result<Bytes> cms_aes_decrypt(std::span<const uint8_t> der, std::span<const uint8_t> cert_der,
                              const PrivateKey& key);

}  // namespace sipcred::crypto
