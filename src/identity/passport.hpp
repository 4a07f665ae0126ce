// PASSporT (RFC 8225) as RFC 8224 carries it in the Identity header: a JWS (RFC 7515) in compact
// serialization, ES256 only (RFC 8225 §3: the mandatory algorithm), "full form" (RFC 8224 §4.1:
// the payload travels with the signature, so a verifier checks what was signed rather than
// rebuilding it from the request).
//
// Our extension (REQUIREMENTS ID-1): RFC 8224 covers no message body, so it cannot vouch for a
// certificate carried in a NOTIFY. sipcred's NOTIFYs add the claim "body" = {"sha256": base64url
// of the SHA-256 of the body} under the PASSporT type ppt "sipcred-body" (RFC 8225 §8.1), see
// docs/identity.md. A plain token (no ppt, no body claim) is what other RFC 8224 verifiers expect.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "identity/json.hpp"
#include "mime/base64.hpp"

namespace sipcred::identity {

inline constexpr std::string_view kBodyPpt = "sipcred-body";

using mime::base64url_decode;
using mime::base64url_encode;

struct PassportHeader {  // the JOSE header, RFC 8225 §4
  std::string alg = "ES256";
  std::string typ = "passport";
  std::string ppt;  // an extension's name; empty for a plain PASSporT
  std::string x5u;  // where the signer's certificate is (RFC 8225 §4.3)
};

struct PassportClaims {           // RFC 8225 §5
  std::string orig_uri, orig_tn;  // exactly one is set (§5.2.1)
  std::vector<std::string> dest_uri, dest_tn;
  int64_t iat = 0;          // seconds since the epoch (§5.1.1)
  std::string body_sha256;  // our "body" claim (ppt sipcred-body), base64url; empty when absent
};

// "base64url(header).base64url(payload)": the JWS Signing Input (RFC 7515 §5.1), both in the
// canonical JSON form of RFC 8225 §9.
std::string passport_signing_input(const PassportHeader& h, const PassportClaims& c);

struct ParsedPassport {
  PassportHeader header;
  PassportClaims claims;
  std::string signing_input;  // the first two parts as received
  std::string signature;      // raw r || s
};
// Parses an untrusted full-form JWS; the signature is not checked here. Errors (Errc::parse)
// say which part is wrong; a compact-form token (empty payload, RFC 8224 §4.1) is refused.
Result<ParsedPassport> parse_passport(std::string_view jws);

}  // namespace sipcred::identity
