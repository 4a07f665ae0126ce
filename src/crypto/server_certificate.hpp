// Self-signed TLS server certificates (RFC 5280) naming hosts by dNSName and iPAddress
// SubjectAltNames, for the development domain of `sipcred serve --dev`. Users' certificates, which
// name AORs by URI, are certificate.hpp's make_self_signed.
#pragma once

#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "crypto/certificate.hpp"
#include "crypto/key.hpp"

namespace sipcred::crypto {

struct ServerCertificateRequest {
  std::string common_name;  // subject CN, for people; clients match the SANs (RFC 6125 §6.4.4)
  std::vector<std::string> dns;  // dNSName entries (RFC 5280 §4.2.1.6)
  std::vector<std::string> ips;  // iPAddress entries, IPv4 dotted or IPv6 text
  int days = 365;
  int64_t backdate_seconds = 300;  // notBefore a little in the past, for clients' clock skew
};

// A self-signed end-entity certificate: basicConstraints critical CA:FALSE, keyUsage
// digitalSignature (and keyEncipherment for RSA), extKeyUsage serverAuth, a subjectKeyIdentifier,
// signed with SHA-256. Errors: invalid_argument (no name, an IP address that does not parse,
// days outside 1..825), crypto.
Result<Certificate> make_self_signed_server(const PrivateKey& key,
                                            const ServerCertificateRequest& req, WallTime now);

// PEM (RFC 7468): "CERTIFICATE" around the DER, and the unencrypted PKCS#8 "PRIVATE KEY"
// (RFC 7468 §10), the forms TlsIdentity's files are read in.
std::string certificate_pem(const Certificate& cert);
std::string private_key_pem(const PrivateKey& key);

}  // namespace sipcred::crypto
