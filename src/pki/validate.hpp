// The rules a certificate must pass, one function per rule set, each returning every check it
// made with a reason (never a bare bool), so that a refusal can say why and `sipcred inspect` can
// show all of them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "crypto/certificate.hpp"
#include "crypto/key.hpp"

namespace sipcred::pki {

struct Check {
  std::string rule;  // short name, e.g. "not-after"
  bool passed = false;
  std::string detail;
};

struct Verdict {
  std::vector<Check> checks;
  bool ok() const;
  // "rule: detail" of the first failed check; empty when ok.
  std::string reason() const;
  void add(std::string rule, bool passed, std::string detail);
};

// An address of record reduced to what the rules compare (RFC 3261 §19.1.4): the user part
// %-unescaped and compared exactly, the host compared case-insensitively.
struct Aor {
  std::string user;
  std::string host;  // lower case; IPv6 keeps its brackets
  std::string text() const { return "sip:" + user + "@" + host; }
};

// A SIP or SIPS URI with a user part ("sip:alice@example.com"); a bare "alice@example.com" is
// taken as sip:.
Result<Aor> parse_aor(std::string_view uri);

// The user and host of any URI that has them: sip:, sips: (RFC 3261 §19.1) and the
// `scheme:user@host` shape of im:, pres:, mailto: (HTTP-5 accepts any scheme).
std::optional<Aor> user_and_host(std::string_view uri);

struct KeyPolicy {
  int min_rsa_bits = 2048;
  int min_ec_bits = 256;
};

struct PublishPolicy : KeyPolicy {
  // PUB-7: style 2 (the default) refuses a PKCS#8 the server could read; style 3 allows it.
  bool allow_unencrypted_key = false;
};

// PUB-3 and PUB-7: for the credential service before it stores anything. Every SubjectAltName
// URI names the authorized AOR (any scheme; at least one URI), notBefore is not in the future,
// notAfter is, Basic Constraints (if present) says CA=false, the key is strong enough. With a
// PKCS#8 part (`pkcs8` not empty): an EncryptedPrivateKeyInfo must be PBES2 with a sane iteration
// count (the server cannot decrypt it, so cannot compare keys: the devices that decrypt it do); a
// PrivateKeyInfo is refused unless the policy allows it, and must match the certificate.
Verdict check_publish(const crypto::Certificate& cert, const Aor& authorized, WallTime now,
                      const PublishPolicy& policy = {}, std::span<const uint8_t> pkcs8 = {});

// HTTP-5, HTTP-6, TRUST-2's validity, for a caller that fetched `original`'s certificates: every
// SubjectAltName URI has the user and host of `original` (any scheme), now is within
// notBefore..notAfter, and (our choice, PKI-1) Basic Constraints is not CA=true and the key is
// one worth encrypting to.
Verdict check_caller(const crypto::Certificate& cert, const Aor& original, WallTime now,
                     const KeyPolicy& policy = {});

struct TlsNamePolicy {
  bool allow_wildcard = false;  // "*.example.com" as the whole left-most label, when allowed
};

// HTTP-3, TLS-2: the server certificate names `expected` (a host name or an IP literal) in a
// SubjectAltName: DNS names compared case-insensitively, a sub-domain never matches, an IP
// address matches only an IP SubjectAltName and never a host name. The subject CN is not used
// (RFC 6125 §6.4.4 allows it only without SubjectAltName; we require SubjectAltName).
Verdict check_tls_server(const crypto::Certificate& cert, std::string_view expected,
                         const TlsNamePolicy& policy = {});

}  // namespace sipcred::pki
