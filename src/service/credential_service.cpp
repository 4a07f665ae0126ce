#include "service/credential_service.hpp"

#include <algorithm>

#include "auth/digest.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "crypto/certificate.hpp"
#include "mime/multipart.hpp"
#include "sip/dialog/dialog.hpp"
#include "sip/headers.hpp"

namespace sipcred::service {

namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

constexpr std::string_view kCertificate = "certificate";
constexpr std::string_view kCredential = "credential";

Answer refuse(int status, std::string reason = {}) {
  Answer a;
  a.status = status;
  a.reason = std::move(reason);
  return a;
}

std::string as_string(const std::vector<uint8_t>& b) {
  return std::string{b.begin(), b.end()};
}

std::string source_of(const Peer& p) {
  std::string host = p.address.find(':') != std::string::npos ? "[" + p.address + "]" : p.address;
  return host + ":" + std::to_string(p.port) + "/" + std::string{to_string(p.transport)};
}

int64_t secs(Duration d) {
  return duration_cast<seconds>(d).count();
}

// RFC 3261 §20.1: a request without Accept takes the package's default type; with Accept, some
// range must match what we send.
bool accepts(const sip::Message& req, std::string_view type, std::string_view subtype) {
  if (req.count(sip::HeaderId::accept) == 0) return true;
  for (auto v : req.all(sip::HeaderId::accept)) {
    auto mt = sip::parse_media_type(v, true);
    if (mt && mt->matches(type, subtype)) return true;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<CredentialService>> CredentialService::create(CredentialServiceConfig config,
                                                                     store::Store& store) {
  if (config.domains.empty()) return fail(Errc::config, "no domain to serve");
  if (config.deployment_style < 1 || config.deployment_style > 3) {
    return fail(Errc::config, "deployment style must be 1, 2 or 3 (PUB-7)");
  }
  for (auto& d : config.domains) {
    for (auto& c : d.name) c = ascii_lower(c);
    if (d.realm.empty()) d.realm = d.name;
  }
  auto verifier = auth::Verifier::create(config.digest);
  if (!verifier) return Unexpected{verifier.error()};
  return std::unique_ptr<CredentialService>(
      new CredentialService(std::move(config), store, std::move(*verifier)));
}

CredentialService::CredentialService(CredentialServiceConfig config, store::Store& store,
                                     auth::Verifier verifier)
    : config_(std::move(config)),
      store_(store),
      verifier_(std::move(verifier)),
      notifier_(
          config_.notifier, [this](const Subscription& s) { return content(s); }, config_.identity),
      tokens_(config_.seed) {}

const DomainConfig* CredentialService::served(std::string_view host) const {
  for (const auto& d : config_.domains) {
    if (iequals(d.name, host)) return &d;
  }
  return nullptr;
}

std::string CredentialService::contact(Transport t) const {
  const auto& n = config_.notifier;
  switch (t) {
    case Transport::tls:
      return "<sips:" + n.sent_by_tls + ">";
    case Transport::tcp:
      return "<sip:" + n.sent_by_tcp + ";transport=tcp>";
    case Transport::udp:
      break;
  }
  return "<sip:" + n.sent_by_udp + ">";
}

Answer CredentialService::on_request(const sip::Message& req, const Peer& from, TimePoint now,
                                     WallTime wall) {
  wall_ = wall;
  auto event = sip::parse_event(req.first(sip::HeaderId::event).value_or(""));
  if (!event) return refuse(489);
  if (req.method() == "PUBLISH") {
    // PUB-1: credentials are published with Event: credential; the certificate package has no
    // publisher but the credential's owner.
    if (event->package != kCredential) return refuse(489, "Bad Event (PUBLISH takes credential)");
    return publish(req, from, now, wall);
  }
  return subscribe(req, from, *event, now, wall);
}

std::variant<Answer, CredentialService::Authorized> CredentialService::authorize(
    const sip::Message& req, const Peer& from, const pki::Aor& aor, const DomainConfig& domain,
    WallTime wall) {
  // REQ CRED-2, TLS-1: nothing about a credential over an unencrypted hop, not even a challenge.
  if (from.transport != Transport::tls) {
    return refuse(403, "Forbidden (credentials only over TLS)");
  }
  auto lookup = [this](const auth::CredentialQuery& q) -> std::optional<auth::StoredCredential> {
    std::optional<store::User> user;
    if (q.userhash) {
      // RFC 7616 §3.4.4: the name is H(username ":" realm); the store is searched for it.
      auto all = store_.users(q.realm);
      if (!all) return std::nullopt;
      for (auto& u : *all) {
        if (auth::userhash(q.hash, u.username, q.realm) == q.username) {
          user = std::move(u);
          break;
        }
      }
    } else {
      auto found = store_.find_user(q.realm, q.username);
      if (!found || !*found) return std::nullopt;
      user = std::move(**found);
    }
    if (!user || user->disabled) return std::nullopt;
    std::string_view want = crypto::to_string(q.hash);  // the RFC 7616 §6.1 name
    for (const auto& h : user->ha1) {
      if (h.algorithm == want) return auth::StoredCredential{user->username, h.hex};
    }
    return std::nullopt;
  };
  auto creds = req.all(sip::HeaderId::authorization);
  auth::Request areq{req.method(), req.request_uri(), from.address, {}};
  auth::Outcome o = verifier_.check(areq, creds, domain.realm, wall, lookup);
  switch (o.verdict) {
    case auth::Verdict::ok:
      break;
    case auth::Verdict::challenge:
    case auth::Verdict::stale: {
      Answer a = refuse(401);
      for (auto& c : o.challenges) a.headers.emplace_back(sip::HeaderId::www_authenticate, c);
      return a;
    }
    case auth::Verdict::forbidden:
      return refuse(403, "Forbidden (" + std::string{auth::to_string(o.reason)} + ")");
    case auth::Verdict::bad_request:
      return refuse(400, "Bad Request (" + std::string{auth::to_string(o.reason)} + ")");
    case auth::Verdict::too_many: {
      Answer a = refuse(503, "Service Unavailable (too many failed attempts)");
      a.headers.emplace_back(sip::HeaderId::retry_after, std::to_string(o.retry_after.count()));
      return a;
    }
  }
  // REQ CRED-1: only a user that could register as the AOR gets (or sets) its credential.
  auto user = store_.find_user(domain.realm, o.user);
  if (!user || !*user) return refuse(403, "Forbidden (user not authorized for this AOR)");
  auto owned = pki::parse_aor((*user)->aor);
  if (!owned || owned->text() != aor.text()) {
    return refuse(403, "Forbidden (user not authorized for this AOR)");
  }
  return Authorized{o.user};
}

Answer CredentialService::subscribe(const sip::Message& req, const Peer& from,
                                    const sip::Event& event, TimePoint now, WallTime wall) {
  const std::string_view package = event.package;
  const bool credential = package == kCredential;
  const ExpiresPolicy& policy = credential ? config_.credential : config_.certificate;
  auto aor = pki::parse_aor(req.request_uri());
  if (!aor) return refuse(404, "Not Found (no user in the Request-URI)");
  const DomainConfig* domain = served(aor->host);
  if (domain == nullptr) return refuse(404, "Not Found (domain not served here)");

  std::string user;
  if (credential) {
    auto r = authorize(req, from, *aor, *domain, wall);
    if (auto* a = std::get_if<Answer>(&r)) return std::move(*a);
    user = std::get<Authorized>(r).user;
  }
  // REQ-PART CERT-5: the package's body types; 406 when Accept rules them all out.
  bool ok_type =
      credential ? accepts(req, "multipart", "mixed") : accepts(req, "application", "pkix-cert");
  if (!ok_type) {
    Answer a = refuse(406, credential ? "Not Acceptable (the body is multipart/mixed)"
                                      : "Not Acceptable (the body is application/pkix-cert)");
    return a;
  }

  // RFC 6665 §4.2.1.1: Expires negotiation.
  Duration asked = policy.default_expires;
  if (auto e = req.first(sip::HeaderId::expires)) {
    auto v = sip::parse_uint(*e, 0xFFFFFFFFu);
    if (!v) return refuse(400, "Bad Request (Expires is not delta-seconds)");
    asked = seconds{*v};
  }
  if (asked.count() != 0 && asked < policy.min_expires) {
    Answer a = refuse(423);
    a.headers.emplace_back(sip::HeaderId::min_expires, std::to_string(secs(policy.min_expires)));
    return a;
  }
  Duration granted = std::min(asked, policy.max_expires);
  if (credential && granted.count() != 0) {
    // REQ CRED-3: never beyond the certificate's remaining validity.
    auto cur = store_.current(aor->text(), wall);
    if (cur && *cur) {
      auto left = (*cur)->not_after - wall;
      if (left.count() > 0) granted = std::min(granted, duration_cast<Duration>(left));
    }
  }

  if (auto key = sip::incoming_dialog_key(req)) {
    // A refresh or an unsubscribe within an existing dialog (RFC 6665 §4.1.2.2, §4.1.2.3).
    Subscription* sub = notifier_.find_dialog(*key);
    if (sub == nullptr || sub->package != package || sub->event_id != event.id()) {
      return refuse(481, "Call/Transaction Does Not Exist (no such subscription)");
    }
    if (credential && sub->user != user) {
      return refuse(403, "Forbidden (subscription belongs to another user)");
    }
    auto cseq = sip::parse_cseq(*req.first(sip::HeaderId::cseq));
    if (!cseq || !sip::accept_remote_cseq(sub->dialog, cseq->number)) {
      return refuse(500, "Server Internal Error (CSeq out of order)");  // RFC 3261 §12.2.2
    }
    sub->flow = from;  // the subscriber may have moved to a new flow (RFC 5626 §4.2.1)
    Answer a;
    a.status = 200;
    a.headers.emplace_back(sip::HeaderId::expires, std::to_string(secs(granted)));
    a.headers.emplace_back(sip::HeaderId::contact, contact(from.transport));
    a.after = notifier_.refresh(sub->id, granted, now);
    return a;
  }

  if (notifier_.size() >= config_.max_subscriptions) {
    Answer a = refuse(503, "Service Unavailable (subscription limit reached)");
    a.headers.emplace_back(sip::HeaderId::retry_after, "60");
    return a;
  }
  if (notifier_.signing() >= config_.max_signing) {
    // RFC 3261 §21.5.4: overloaded for now; the backlog drains at thousands per second.
    Answer a = refuse(503, "Service Unavailable (signing backlog)");
    a.headers.emplace_back(sip::HeaderId::retry_after, "5");
    return a;
  }
  std::string tag = tokens_.hex(16);
  auto dialog =
      sip::uas_dialog(req, tag, tokens_.below(1u << 30), from.transport == Transport::tls);
  if (!dialog) return refuse(400, "Bad Request (" + dialog.error().detail + ")");
  Subscription sub;
  sub.package = std::string{package};
  sub.event_id = std::string{event.id()};
  sub.resource = aor->text();
  sub.user = user;
  sub.dialog = std::move(*dialog);
  sub.flow = from;
  sub.expires_at = now + granted;
  // RFC 6665 §4.2.1.1: Expires 0 is a fetch: one NOTIFY, and the subscription is over.
  if (granted.count() == 0) sub.final_reason = "timeout";
  // REQ CERT-9: in probation mode a certificate subscriber gets the state and must poll.
  if (!credential && config_.probation) sub.final_reason = "probation";
  Answer a;
  a.status = 200;
  a.to_tag = tag;
  a.headers.emplace_back(sip::HeaderId::expires, std::to_string(secs(granted)));
  a.headers.emplace_back(sip::HeaderId::contact, contact(from.transport));
  a.after = notifier_.add(std::move(sub), now);  // REQ-PART CERT-3, CRED-4: the first NOTIFY now
  return a;
}

Answer CredentialService::publish(const sip::Message& req, const Peer& from, TimePoint now,
                                  WallTime wall) {
  (void)now;
  auto aor = pki::parse_aor(req.request_uri());
  if (!aor) return refuse(404, "Not Found (no user in the Request-URI)");
  const DomainConfig* domain = served(aor->host);
  if (domain == nullptr) return refuse(404, "Not Found (domain not served here)");
  auto r = authorize(req, from, *aor, *domain, wall);
  if (auto* a = std::get_if<Answer>(&r)) return std::move(*a);
  store::Actor actor{std::get<Authorized>(r).user, source_of(from)};

  std::string if_match;
  if (auto im = req.first(sip::HeaderId::sip_if_match)) {
    auto tag = sip::parse_entity_tag(*im);
    if (!tag) return refuse(400, "Bad Request (SIP-If-Match is not an entity-tag)");
    if_match = std::string{*tag};
  }
  std::optional<Duration> asked;
  if (auto e = req.first(sip::HeaderId::expires)) {
    auto v = sip::parse_uint(*e, 0xFFFFFFFFu);
    if (!v) return refuse(400, "Bad Request (Expires is not delta-seconds)");
    asked = seconds{*v};
  }
  if (asked && asked->count() != 0 && *asked < config_.publish_min_expires) {
    Answer a = refuse(423);
    a.headers.emplace_back(sip::HeaderId::min_expires,
                           std::to_string(secs(config_.publish_min_expires)));
    return a;
  }

  store::Change change;
  std::string_view body = req.body();
  if (body.empty()) {
    if (if_match.empty()) {
      // REQ-PART PUB-6: an initial PUBLISH without a body revokes the credential.
      change = store::Revoke{aor->text(), "", actor, "PUBLISH with an empty body"};
    } else if (asked && asked->count() == 0) {
      // RFC 3903 §4.5: removing the publication ends the credential as revocation does.
      change = store::Revoke{aor->text(), if_match, actor, "publication removed (Expires: 0)"};
    } else {
      // RFC 3903 §4.3: a refresh keeps the credential and extends it, never beyond notAfter.
      auto cur = store_.current(aor->text(), wall);
      if (!cur) return refuse(500, "Server Internal Error (store unavailable)");
      if (!*cur) return refuse(412, "Conditional Request Failed (no such publication)");
      WallTime until = (*cur)->not_after;
      if (asked) until = std::min(until, wall + duration_cast<seconds>(*asked));
      change = store::Refresh{aor->text(), if_match, until, actor};
    }
  } else {
    if (body.size() > config_.max_body) {
      return refuse(413, "Request Entity Too Large (credential body over the limit)");
    }
    if (asked && asked->count() == 0) return refuse(400, "Bad Request (Expires 0 with a body)");
    auto ct = req.first(sip::HeaderId::content_type).value_or("");
    auto mt = sip::parse_media_type(ct);
    if (!mt || !(mt->matches("application", "pkix-cert") || mt->matches("multipart", "mixed"))) {
      // REQ-PART PUB-2: the two body types of the credential package.
      Answer a = refuse(415, "Unsupported Media Type (application/pkix-cert or multipart/mixed)");
      a.headers.emplace_back(sip::HeaderId::accept, "application/pkix-cert, multipart/mixed");
      return a;
    }
    auto parts = mime::parse_credential_body(body, ct);
    if (!parts) return refuse(400, "Bad Request (" + parts.error().detail + ")");
    auto cert = crypto::Certificate::from_der(parts->cert_der);
    if (!cert) return refuse(400, "Bad Request (certificate: " + cert.error().detail + ")");
    if (parts->pkcs8_der && config_.deployment_style == 1) {
      return refuse(403, "Forbidden (this service stores certificates only)");  // PUB-7 style 1
    }
    // REQ PUB-3, PUB-7: every check before anything is stored, the first failure named.
    pki::PublishPolicy policy;
    policy.allow_unencrypted_key = config_.deployment_style == 3;
    std::span<const uint8_t> key;
    if (parts->pkcs8_der) key = *parts->pkcs8_der;
    pki::Verdict v = pki::check_publish(*cert, *aor, wall, policy, key);
    if (!v.ok()) return refuse(403, "Forbidden (" + v.reason() + ")");
    // PUB-4: the publication lasts as long as the certificate unless a shorter time is asked.
    WallTime until = cert->not_after();
    if (asked) until = std::min(until, wall + duration_cast<seconds>(*asked));
    store::Publish p{aor->text(),
                     parts->cert_der,
                     parts->pkcs8_der,
                     if_match,
                     cert->not_before(),
                     cert->not_after(),
                     until,
                     actor};
    change = std::move(p);
  }
  uint64_t token = next_token_++;
  writes_.push_back(PendingWrite{token, std::move(change), wall});
  pending_.emplace(token, Pending{aor->text()});
  Answer a;
  a.pending = token;
  return a;
}

std::vector<PendingWrite> CredentialService::take_writes() {
  std::vector<PendingWrite> out;
  out.swap(writes_);
  return out;
}

Answer CredentialService::on_write_done(uint64_t token, Result<store::Applied> result,
                                        TimePoint now, WallTime wall) {
  wall_ = wall;
  auto it = pending_.find(token);
  if (it == pending_.end()) return refuse(500);
  std::string aor = std::move(it->second.aor);
  pending_.erase(it);
  if (!result) {
    // REQ-PART PUB-4: a SIP-If-Match naming no current state changes nothing.
    if (store::etag_mismatch(result.error())) {
      return refuse(412, "Conditional Request Failed (SIP-If-Match names no current state)");
    }
    log::error("store write for {} failed: {}", aor, result.error().message());
    return refuse(500, "Server Internal Error (the change was not stored)");
  }
  Answer a;
  a.status = 200;
  if (result->current) {
    const auto& cur = *result->current;
    a.headers.emplace_back(sip::HeaderId::sip_etag, cur.etag);
    a.headers.emplace_back(sip::HeaderId::expires,
                           std::to_string(std::max<int64_t>(0, (cur.expires - wall).count())));
    // The subscribers learn of the end of the publication or of the certificate when it comes.
    WallTime end = std::min(cur.expires, cur.not_after);
    recheck_at(aor, now + duration_cast<Duration>(std::max(end - wall, seconds{0})));
  } else {
    // RFC 3903 §6 step 8: a 2xx carries SIP-ETag; after a removal it names the state removed.
    if (result->previous) a.headers.emplace_back(sip::HeaderId::sip_etag, result->previous->etag);
    a.headers.emplace_back(sip::HeaderId::expires, "0");
  }
  // REQ-PART PUB-5: stored first, then every subscription of the AOR hears of it.
  notify_change(aor, !result->current, now, a.after);
  return a;
}

void CredentialService::notify_change(const std::string& aor, bool revoked, TimePoint now,
                                      std::vector<Outgoing>& out) {
  // REQ-PART CERT-10, CERT-11: certificate subscribers get the new state (an empty body after a
  // revocation) and stay subscribed.
  auto c = notifier_.changed(kCertificate, aor, now);
  out.insert(out.end(), std::make_move_iterator(c.begin()), std::make_move_iterator(c.end()));
  if (revoked) {
    // REQ-PART CRED-7: revocation ends every credential subscription, forcing re-authentication.
    auto t = notifier_.terminate_all(kCredential, aor, "deactivated", now);
    out.insert(out.end(), std::make_move_iterator(t.begin()), std::make_move_iterator(t.end()));
  } else {
    auto t = notifier_.changed(kCredential, aor, now);  // REQ-PART CRED-6
    out.insert(out.end(), std::make_move_iterator(t.begin()), std::make_move_iterator(t.end()));
  }
}

void CredentialService::recheck_at(std::string aor, TimePoint when) {
  rechecks_.insert({when, std::move(aor)});
}

NotifyContent CredentialService::content(const Subscription& sub) {
  NotifyContent c;
  if (sub.final_reason == "deactivated") return c;  // CRED-7: nothing after a revocation
  auto cur = store_.current(sub.resource, wall_);
  if (!cur) {
    log::error("store read for {} failed: {}", sub.resource, cur.error().message());
    return c;
  }
  if (!*cur) return c;  // REQ-PART CERT-3: no certificate, an empty body
  const store::Credential& cred = **cur;
  // draft-ietf-sip-certs-06 §6.x/§7.x: the etag Event parameter names the state sent.
  c.event_params = ";etag=" + cred.etag;
  if (sub.package == kCredential) {
    std::span<const uint8_t> key;
    if (cred.pkcs8) key = *cred.pkcs8;
    c.body = mime::build_credential_body(cred.certificate, key, c.content_type);
  } else {
    c.content_type = "application/pkix-cert";
    c.body = as_string(cred.certificate);
  }
  return c;
}

bool CredentialService::on_response(const sip::Message& response, TimePoint now,
                                    std::vector<Outgoing>& out) {
  return notifier_.on_response(response, now, out);
}

void CredentialService::on_transport_error(uint64_t txn, TimePoint now) {
  notifier_.on_transport_error(txn, now);
}

std::vector<Outgoing> CredentialService::on_timer(TimePoint now, WallTime wall) {
  wall_ = wall;
  std::vector<Outgoing> out = notifier_.on_timer(now);
  if (config_.admin_poll.count() > 0 && now >= next_audit_poll_) poll_admin_changes(now, out);
  while (!rechecks_.empty() && rechecks_.begin()->first <= now) {
    std::string aor = rechecks_.begin()->second;
    rechecks_.erase(rechecks_.begin());
    auto c = notifier_.changed(kCertificate, aor, now);
    out.insert(out.end(), std::make_move_iterator(c.begin()), std::make_move_iterator(c.end()));
    auto t = notifier_.changed(kCredential, aor, now);
    out.insert(out.end(), std::make_move_iterator(t.begin()), std::make_move_iterator(t.end()));
  }
  return out;
}

void CredentialService::poll_admin_changes(TimePoint now, std::vector<Outgoing>& out) {
  next_audit_poll_ = now + config_.admin_poll;
  auto entries = store_.audit("", 256);  // newest first
  if (!entries) return;
  int64_t newest = audit_seen_;
  for (const auto& e : *entries) newest = std::max(newest, e.id);
  if (audit_seen_ >= 0) {
    // Oldest first, so that the subscribers hear them in order.
    for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
      if (it->id <= audit_seen_ || it->action != "revoke" || it->source != "cli") continue;
      notify_change(it->aor, true, now, out);  // CERT-10, CRED-7 as for a PUBLISH revocation
    }
  }
  audit_seen_ = newest;
}

std::optional<TimePoint> CredentialService::next_deadline() const {
  auto d = notifier_.next_deadline();
  if (config_.admin_poll.count() > 0 && (!d || next_audit_poll_ < *d)) d = next_audit_poll_;
  if (!rechecks_.empty() && (!d || rechecks_.begin()->first < *d)) d = rechecks_.begin()->first;
  return d;
}

}  // namespace sipcred::service
