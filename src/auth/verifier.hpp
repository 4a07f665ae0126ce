// Digest server (RFC 7616 §3.3-§3.5, RFC 8760 for SIP, RFC 3261 §22): builds challenges and
// checks credentials. Sans-I/O: the caller passes the request's method, URI and source, the time,
// and a look-up into its credential store; the answer is an Outcome value that the SIP or HTTP
// layer turns into 200 / 401 / 407 / 400 / 403 / 503. Nothing here throws on what a peer sends.
//
// REQ CRED-1, PUB-1, HTTP-8, HTTP-9: the digest challenge those requirements call for.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/digest.hpp"
#include "auth/nonce.hpp"
#include "auth/rate_limit.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sipcred::auth {

struct VerifierConfig {
  // Key of the nonce MAC, at least 16 octets; nodes that must accept each other's nonces share
  // it. Never logged, never part of an answer.
  std::vector<uint8_t> secret;
  std::chrono::seconds nonce_lifetime{300};
  // Offered in this order; the default is every base algorithm, strongest first.
  std::vector<Algorithm> algorithms{kStrongestFirst.begin(), kStrongestFirst.end()};
  bool userhash = false;  // offer userhash=true (RFC 7616 §3.4.4)
  bool auth_int = false;  // offer qop "auth-int" besides "auth"
  // RFC 3261 §22.4 asks servers to accept credentials without qop from RFC 2069 clients. They
  // carry no nonce-count, so a replay within the nonce's lifetime cannot be noticed: off unless
  // an old client needs it.
  bool allow_rfc2069 = false;
  size_t nonce_table_capacity = 10'000;
  // Anyone who knows a user name can spend that user's failures and delay its logins; the
  // per-user interval is therefore short, and per-source limiting does the heavier work.
  RateLimit per_user{5, std::chrono::seconds{60}};
  RateLimit per_source{20, std::chrono::seconds{10}};
};

// What a request contributes to the check.
struct Request {
  std::string_view method;        // "SUBSCRIBE", "PUBLISH", "PUT", ...
  std::string_view uri;           // the Request-URI (or HTTP request-target) as received
  std::string_view source;        // the peer's address, for per-source limiting ("" = none)
  std::span<const uint8_t> body;  // used only with qop=auth-int
};

// What the store answers for a username: the HA1 for the requested algorithm (hex) and the
// user's name as the store knows it (for userhash, the name behind the hash).
struct StoredCredential {
  std::string user;
  std::string ha1;  // hex, either case
};
struct CredentialQuery {
  std::string_view username;  // as sent: the name, or with `userhash` its H(user:realm)
  bool userhash = false;
  crypto::HashAlg hash = crypto::HashAlg::md5;
  std::string_view realm;
};
using CredentialLookup = std::function<std::optional<StoredCredential>(const CredentialQuery&)>;

enum class Verdict {
  ok,           // authenticated as Outcome::user
  challenge,    // 401 / 407 with Outcome::challenges
  stale,        // 401 / 407 with Outcome::challenges carrying stale=true: retry without asking
  forbidden,    // 403: a form of credentials this server will not accept (RFC 2069 when off)
  bad_request,  // 400: credentials that break the grammar or contradict the request
  too_many,     // failed too often: 403 or 503 with Retry-After: Outcome::retry_after
};

// Why; to_string() gives a short text fit for a log line or a reason phrase. It never names the
// secret, a password, an HA1 or the expected response, and it does not tell "no such user" from
// "wrong password".
enum class Reason {
  authenticated,
  no_credentials,
  malformed,
  scheme_not_digest,
  realm_mismatch,
  algorithm_not_offered,
  qop_not_offered,
  qop_required,
  uri_mismatch,
  nonce_invalid,
  opaque_mismatch,
  nonce_expired,
  nonce_forgotten,
  nc_replayed,
  bad_credentials,
  rate_limited,
};
std::string_view to_string(Reason reason);

struct Outcome {
  Verdict verdict = Verdict::challenge;
  Reason reason = Reason::no_credentials;
  std::string user;                     // ok: who
  std::vector<std::string> challenges;  // challenge / stale: header values, strongest first
  std::chrono::seconds retry_after{0};  // too_many

  bool ok() const { return verdict == Verdict::ok; }
};

// Not thread-safe (it keeps nonce-counts and failure counts): one per event loop, or guarded.
class Verifier {
 public:
  // Errc::config: a secret shorter than 16 octets, no algorithms, a -sess or unknown algorithm in
  // the offer list, a lifetime of zero.
  static Result<Verifier> create(VerifierConfig config);

  // WWW-Authenticate / Proxy-Authenticate values for `realm`, one per algorithm, each with its
  // own nonce.
  std::vector<std::string> challenges(std::string_view realm, WallTime now, bool stale = false);

  // Checks one Authorization / Proxy-Authorization value ("" when the request had none) against
  // `realm` (the protection space: one realm per domain).
  Outcome check(const Request& request, std::string_view credentials, std::string_view realm,
                WallTime now, const CredentialLookup& lookup);

  // SIP requests may carry credentials for several realms (RFC 3261 §22.3); the first value whose
  // realm is ours is checked, and none means a challenge.
  Outcome check(const Request& request, std::span<const std::string_view> credentials,
                std::string_view realm, WallTime now, const CredentialLookup& lookup);

  const VerifierConfig& config() const { return config_; }
  size_t tracked_nonces() const { return counts_.size(); }

 private:
  explicit Verifier(VerifierConfig config);
  Outcome refuse(Verdict v, Reason r, std::string_view realm, WallTime now);

  VerifierConfig config_;
  NonceCodec codec_;
  NonceCountTable counts_;
  FailureLimiter by_user_;
  FailureLimiter by_source_;
};

// A small in-memory store: HA1 per algorithm and the userhash index, never the password. For
// tests and for deployments configured from a file; a database store answers the same query.
class CredentialTable {
 public:
  // Computes and keeps H(user:realm:password) for MD5, SHA-256 and SHA-512-256.
  void add(std::string_view user, std::string_view realm, std::string_view password);
  // For a store that only has an HA1 (provisioned elsewhere).
  void add_ha1(std::string_view user, std::string_view realm, crypto::HashAlg hash,
               std::string_view ha1_hex);
  std::optional<StoredCredential> find(const CredentialQuery& q) const;
  CredentialLookup lookup() const {
    return [this](const CredentialQuery& q) { return find(q); };
  }

 private:
  struct Key {
    std::string realm, user;
    crypto::HashAlg hash;
    auto operator<=>(const Key&) const = default;
  };
  std::map<Key, std::string> ha1_;
  std::map<Key, std::string> by_userhash_;  // key.user holds H(user:realm)
};

}  // namespace sipcred::auth
