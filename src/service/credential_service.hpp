// The credential service of a domain (draft-ietf-sip-certs-06, RFC 6072): the `certificate` and
// `credential` event packages and PUBLISH of credentials, over the store. Sans-I/O: it decides
// every answer from the request, the time and the store, and hands durable writes out
// (Service::take_writes) so that a 2xx to PUBLISH is sent only after the commit.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/verifier.hpp"
#include "pki/validate.hpp"
#include "service/notifier.hpp"
#include "service/service.hpp"
#include "sip/headers.hpp"
#include "store/store.hpp"

namespace sipcred::service {

struct DomainConfig {
  std::string name;   // the host part of the AORs served, lower case
  std::string realm;  // digest realm (RFC 3261 §22.1); empty: the domain name
};

// RFC 6665 §4.2.1.1: the notifier may shorten what the subscriber asks for, and answers 423
// with Min-Expires when it is too short.
struct ExpiresPolicy {
  Duration default_expires = std::chrono::hours{24};  // CERT-2, CRED-8: one day
  Duration min_expires = std::chrono::seconds{60};
  Duration max_expires = std::chrono::hours{24 * 7};  // CRED-8: up to a week
};

struct CredentialServiceConfig {
  std::vector<DomainConfig> domains;
  ExpiresPolicy certificate{};
  ExpiresPolicy credential{};
  bool probation = false;    // CERT-9: every certificate subscription ends after its NOTIFY
  int deployment_style = 2;  // PUB-7: 1 certificates only, 2 encrypted keys (default), 3 any key
  Duration publish_min_expires = std::chrono::seconds{60};
  size_t max_subscriptions = 1'000'000;  // beyond: 503 with Retry-After
  // NOTIFYs waiting for their signature (ID-1): beyond this, a new subscription is refused with
  // 503 and Retry-After rather than queued behind seconds of private-key work (a flood of
  // certificate SUBSCRIBEs needs no credentials). 8,192 is ~2.5 s of RSA-2048 on one core.
  // Refreshes are answered regardless: their subscriptions are already counted.
  size_t max_signing = 8192;
  size_t max_body = 64 * 1024;  // a PUBLISH body larger than this: 413
  NotifierConfig notifier{};
  // Signs every NOTIFY of both packages with the key of its From's domain (ID-1, CERT-4); not
  // owned; none: NOTIFYs go unsigned (tests of other parts).
  const identity::AuthenticationService* identity = nullptr;
  // How often the audit log is read for revocations made by `sipcred credential revoke` on the
  // store directly, so that this process's subscribers hear of them (0: never).
  Duration admin_poll = std::chrono::seconds{5};
  auth::VerifierConfig digest{};
  uint64_t seed = 0;  // tags and CSeq starts; 0 = from the system
};

class CredentialService final : public Service {
 public:
  // Errc::config: no domain, a deployment style other than 1-3, a bad digest configuration.
  static Result<std::unique_ptr<CredentialService>> create(CredentialServiceConfig config,
                                                           store::Store& store);

  Answer on_request(const sip::Message& request, const Peer& from, TimePoint now,
                    WallTime wall) override;
  std::vector<PendingWrite> take_writes() override;
  Answer on_write_done(uint64_t token, Result<store::Applied> result, TimePoint now,
                       WallTime wall) override;
  bool on_response(const sip::Message& response, TimePoint now,
                   std::vector<Outgoing>& out) override;
  void on_transport_error(uint64_t txn, TimePoint now) override;
  std::vector<Outgoing> on_timer(TimePoint now, WallTime wall) override;
  std::optional<TimePoint> next_deadline() const override;
  std::vector<std::string> events() const override { return {"certificate", "credential"}; }
  std::vector<SignRequest> take_sign_jobs() override { return notifier_.take_sign_jobs(); }
  std::vector<Outgoing> on_signed(uint64_t id, Result<identity::IdentityHeaders> headers,
                                  TimePoint now) override {
    return notifier_.on_signed(id, std::move(headers), now);
  }

  const Notifier& notifier() const { return notifier_; }

 private:
  CredentialService(CredentialServiceConfig config, store::Store& store, auth::Verifier verifier);

  struct Authorized {
    std::string user;  // digest username
  };
  Answer subscribe(const sip::Message& req, const Peer& from, const sip::Event& event,
                   TimePoint now, WallTime wall);
  Answer publish(const sip::Message& req, const Peer& from, TimePoint now, WallTime wall);
  // CRED-1/CRED-2, PUB-1, TLS-1: TLS, then digest, then the user must own the AOR. On refusal
  // the answer to send; on success the user.
  std::variant<Answer, Authorized> authorize(const sip::Message& req, const Peer& from,
                                             const pki::Aor& aor, const DomainConfig& domain,
                                             WallTime wall);
  const DomainConfig* served(std::string_view host) const;
  NotifyContent content(const Subscription& sub);
  std::string contact(Transport t) const;
  void recheck_at(std::string aor, TimePoint when);
  void notify_change(const std::string& aor, bool revoked, TimePoint now,
                     std::vector<Outgoing>& out);

  CredentialServiceConfig config_;
  store::Store& store_;
  auth::Verifier verifier_;
  Notifier notifier_;
  TokenSource tokens_;
  WallTime wall_{};  // the latest wall time handed in; NOTIFY content is read at that time
  uint64_t next_token_ = 1;
  std::vector<PendingWrite> writes_;
  struct Pending {
    std::string aor;
  };
  std::unordered_map<uint64_t, Pending> pending_;
  // When a publication or its certificate expires the subscribers are told (an empty NOTIFY).
  std::set<std::pair<TimePoint, std::string>> rechecks_;
  int64_t audit_seen_ = -1;  // the newest audit entry already looked at (-1: none yet)
  TimePoint next_audit_poll_{};
  void poll_admin_changes(TimePoint now, std::vector<Outgoing>& out);
};

}  // namespace sipcred::service
