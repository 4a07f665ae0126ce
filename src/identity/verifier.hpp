// The verifier of RFC 4474 §6 and RFC 8224 §6.2 (REQUIREMENTS ID-2, TRUST-2): does the request's
// Identity prove that the domain of its From sent it, unaltered and recently?
//
// Sans-I/O in two steps, because the signer's certificate has to be fetched: begin() parses and
// checks what needs no certificate and names the https URL to fetch; finish() takes what was
// fetched (or why not) and decides. Outcomes carry the response a UAS gives (RFC 4474 §14.2-14.4,
// RFC 8224 §13.2): 428 no Identity; 436 the certificate's URL is unusable or unreachable; 437
// the certificate is not trusted or does not cover the From's domain; 438 the signature or the
// claims do not match the request; 403 Stale Date. A replay within the window also gets 403.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "crypto/certificate.hpp"
#include "identity/identity.hpp"
#include "sip/message.hpp"

namespace sipcred::identity {

struct VerifierConfig {
  // Freshness window of Date (RFC 4474 §6 step 4: 3600 s) and of iat (RFC 8224 §6.2.2: 60 s).
  std::chrono::seconds window_rfc4474{3600};
  std::chrono::seconds window_rfc8224{60};
  std::vector<crypto::Certificate> anchors;  // the signer's certificate must chain to one
  size_t replay_capacity = 65'536;           // remembered requests (Call-ID, From tag, CSeq)
  // RFC 8224 tokens of requests with a body must carry our body claim (passport.hpp): a
  // certificate NOTIFY is worthless unless its body is covered (TRUST-2).
  bool require_body_claim = false;
};

struct Outcome {
  int status = 0;      // 0: valid
  std::string reason;  // the reason phrase of `status`
  std::string detail;  // what exactly failed
  Scheme scheme = Scheme::rfc4474;
  std::string asserted;  // the From addr-spec the signature vouches for (valid only)
  bool valid() const { return status == 0; }
  std::string text() const;  // "valid rfc4474 sip:alice@example.com" or "438 Invalid ...: ..."
};

struct NeedCertificate {
  std::string url;  // https URL from Identity-Info or info=
};

class Verifier {
 public:
  explicit Verifier(VerifierConfig config) : config_(std::move(config)) {}

  std::variant<Outcome, NeedCertificate> begin(const sip::Message& m, WallTime now) const;
  // `certificate`: the bytes fetched from the URL begin() named (DER or PEM), or why none came.
  Outcome finish(const sip::Message& m, const Result<std::string>& certificate, WallTime now);

  const VerifierConfig& config() const { return config_; }

 private:
  bool replayed(const std::string& key, WallTime now, WallTime expires);

  VerifierConfig config_;
  std::unordered_map<std::string, WallTime> seen_;
  std::multimap<WallTime, std::string> seen_by_expiry_;
};

// Certificates fetched from Identity-Info URLs, each kept for `lifetime` (0: never kept, every
// request fetches; issue 7 requires that to be possible).
class CertificateCache {
 public:
  CertificateCache(std::chrono::seconds lifetime, size_t capacity = 1024)
      : lifetime_(lifetime), capacity_(capacity) {}
  const std::string* get(const std::string& url, WallTime now);
  void put(const std::string& url, std::string bytes, WallTime now);

 private:
  struct Entry {
    std::string bytes;
    WallTime expires;
  };
  std::chrono::seconds lifetime_;
  size_t capacity_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace sipcred::identity
