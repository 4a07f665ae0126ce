// X.509 certificates (RFC 5280): strict DER parsing, the fields sipcred's rules look at, and the
// self-signed user certificate of draft-ietf-sip-certs-06 §9.5. REQ PKI-1 PKI-2 PKI-3
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "crypto/hash.hpp"
#include "crypto/key.hpp"

namespace sipcred::crypto {

struct CertHandle;

// The search keys of RFC 4387 §2.2 for one certificate: each is the SHA-1 of a DER value,
// base64-encoded with its trailing '=' removed (27 characters, RFC 4387 §2.1).
struct Rfc4387Keys {
  std::string cert_hash;     // certHash: the whole certificate
  std::string s_hash;        // sHash: the subject Name
  std::string i_hash;        // iHash: the issuer Name
  std::string i_and_s_hash;  // iAndSHash: IssuerAndSerialNumber (RFC 5652 §10.2.4)
  std::string skid_hash;     // sKIDHash: the subjectKeyIdentifier octets; empty without SKI
};

class Certificate {
 public:
  // One DER certificate and nothing after it.
  static Result<Certificate> from_der(std::span<const uint8_t> der);
  static Result<Certificate> from_pem(std::string_view pem);
  // DER or PEM, whichever the bytes are.
  static Result<Certificate> from_bytes(std::span<const uint8_t> bytes);

  const Bytes& der() const { return der_; }
  std::string subject() const;  // RFC 2253 one-line form
  std::string issuer() const;
  std::string serial_hex() const;
  WallTime not_before() const;
  WallTime not_after() const;
  std::string signature_algorithm() const;  // e.g. "sha256WithRSAEncryption"

  std::vector<std::string> san_uris() const;
  std::vector<std::string> san_dns() const;
  std::vector<std::string> san_ips() const;  // printable form
  bool has_san() const;
  // Basic Constraints: nullopt when absent, else the cA flag.
  std::optional<bool> basic_constraints_ca() const;
  bool basic_constraints_critical() const;
  std::vector<std::string> key_usage() const;  // e.g. {"digitalSignature", "keyEncipherment"}
  Bytes subject_key_id() const;                // empty when absent

  PublicKey public_key() const;
  bool self_signed() const;  // issuer == subject and the signature verifies with its own key
  bool signed_by(const PublicKey& key) const;

  Bytes fingerprint(HashAlg alg) const { return hash(alg, der_); }
  Rfc4387Keys rfc4387_keys() const;

 private:
  friend Result<void> verify_chain(const Certificate&, std::span<const Certificate>,
                                   std::span<const Certificate>, WallTime);
  Certificate(std::shared_ptr<CertHandle> h, Bytes der)
      : cert_(std::move(h)), der_(std::move(der)) {}
  std::shared_ptr<CertHandle> cert_;
  Bytes der_;
};

// What goes into a user's self-signed certificate (draft-ietf-sip-certs-06 §9.5, RFC 5280).
struct CertificateRequest {
  std::vector<std::string> uris;  // SubjectAltName URIs; the first is the AOR (sip:user@domain)
  int days = 365;                 // PKI-3: one year or less
  // Random amount taken off the validity so that renewals of many users spread out (PKI-3);
  // drawn uniformly from [0, jitter_seconds].
  int64_t jitter_seconds = 7 * 24 * 3600;
  HashAlg signature_hash = HashAlg::sha256;  // sha1 when asked (PKI-2's MUST)
  // Backdating of notBefore to absorb clock differences between the UA and the service
  // (PUB-3 refuses a notBefore in the future).
  int64_t backdate_seconds = 300;
};

Result<Certificate> make_self_signed(const PrivateKey& key, const CertificateRequest& req,
                                     WallTime now);

std::string base64(std::span<const uint8_t> data);

// Every certificate of a PEM bundle (a trust-anchor file), in order; an error when it holds none
// or one does not parse.
Result<std::vector<Certificate>> certificates_from_pem_bundle(std::string_view pem);

// RFC 5280 §6 path validation of `leaf` at time `at` up to one of `anchors`, with
// `intermediates` as candidate issuers. A leaf that is itself one of the anchors is accepted (a
// domain may be trusted by its own certificate). The error names OpenSSL's reason.
Result<void> verify_chain(const Certificate& leaf, std::span<const Certificate> anchors,
                          std::span<const Certificate> intermediates, WallTime at);

}  // namespace sipcred::crypto
