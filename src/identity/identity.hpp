// The authentication service of RFC 4474 and RFC 8224 (REQUIREMENTS ID-1, CERT-4): the domain
// vouches for the From of a request it sends or forwards by signing it with the domain's key.
//
// Signing is split so that the costly part can run on a worker thread (issue 7: signatures
// dominate the service's throughput): prepare() copies out of the message what the signature
// covers and picks the domain's key (cheap, on the I/O thread); sign() does the private-key
// operation (thread-safe, touches no shared mutable state); apply() puts the result into the
// message. Date is fixed at sign() time when the request has none (RFC 4474 §6 step 3), so the
// signature covers the time it was made.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "crypto/certificate.hpp"
#include "crypto/key.hpp"
#include "sip/message.hpp"

namespace sipcred::identity {

enum class Scheme { rfc4474, rfc8224 };
// RFC 4474 §9 alg values, and RFC 8224's ES256.
enum class Alg { rsa_sha1, rsa_sha256, es256 };
std::string_view to_string(Scheme s);
std::string_view to_string(Alg a);  // "rsa-sha1", "rsa-sha256", "ES256"
Result<Alg> parse_alg(std::string_view text);
Result<Scheme> parse_scheme(std::string_view text);  // "rfc4474" / "rfc8224"

// What an Identity covers, copied out of a request.
struct RequestFields {
  std::string from_uri;  // addr-spec of From
  std::string from_host;
  std::string from_tag;
  std::string to_uri;  // addr-spec of To
  std::string call_id;
  uint32_t cseq = 0;
  std::string method;
  std::optional<std::string> date;  // the Date header as written, when there is one
  std::string contact_uri;          // addr-spec of the first Contact; empty without one
  std::string body;
};
// Errc::parse naming the header that is missing or malformed.
Result<RequestFields> request_fields(const sip::Message& m);

// RFC 4474 §9: digest-string = addr-spec "|" addr-spec "|" callid "|" 1*DIGIT SP Method "|"
// SIP-date "|" [ addr-spec ] "|" message-body
std::string digest_string(const RequestFields& f, std::string_view date);

// RFC 8225 PASSporT claims for a request: orig = From, dest = To (as URIs, §5.2.1), iat.
struct PassportClaims;
PassportClaims passport_claims(const RequestFields& f, int64_t iat, bool body_claim);

// One served domain's signing identity.
struct DomainKey {
  std::string domain;  // lower case
  crypto::PrivateKey key;
  // What verifiers fetch from info_url; when given, the key must match it.
  std::optional<crypto::Certificate> certificate;
  std::string info_url;  // https URL of `certificate` (Identity-Info / info= / x5u)
  Scheme scheme = Scheme::rfc4474;
  Alg alg = Alg::rsa_sha1;  // rsa-sha1: the only value deployed RFC 4474 verifiers accept
  bool body_claim = true;   // rfc8224: add our "body" claim (passport.hpp)
};

struct SignJob {
  std::shared_ptr<const DomainKey> key;
  RequestFields fields;
};

struct IdentityHeaders {
  std::optional<std::string> date;  // set when the request had no Date: add it
  std::string identity;
  std::string identity_info;  // RFC 4474 only
};

class AuthenticationService {
 public:
  // Checks that the key matches the certificate and that the algorithm fits the key.
  Result<void> add(DomainKey k);
  std::shared_ptr<const DomainKey> find(std::string_view domain) const;
  size_t size() const { return keys_.size(); }

  // The work for a request whose From host is one of ours; Errc::not_found for any other From:
  // the service signs nothing it does not vouch for (ID-1).
  Result<SignJob> prepare(const sip::Message& m) const;
  // About how many bytes signing adds to a request (Identity, Identity-Info, Date), for the
  // choice of transport before the request is built (RFC 3261 §18.1.1).
  static size_t overhead(const SignJob& job);
  // The private-key operation; thread-safe.
  static Result<IdentityHeaders> sign(const SignJob& job, WallTime now);
  // Adds Date (if set), Identity and Identity-Info, replacing any Identity already there.
  static void apply(sip::Message& m, const IdentityHeaders& h);
  // All three, on this thread.
  Result<void> sign_message(sip::Message& m, WallTime now) const;

 private:
  std::unordered_map<std::string, std::shared_ptr<const DomainKey>> keys_;
};

}  // namespace sipcred::identity
