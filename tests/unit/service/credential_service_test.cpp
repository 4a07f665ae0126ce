// The credential service end to end below the sockets: requests in, responses and NOTIFYs out,
// with the real SQLite store and certificates made by the openssl CLI (tests/data/certs).
#include "service/credential_service.hpp"

#include <gtest/gtest.h>

#include "auth/client.hpp"
#include "auth/digest.hpp"
#include "crypto/certificate.hpp"
#include "identity/identity.hpp"
#include "mime/multipart.hpp"
#include "service/endpoint.hpp"
#include "sip/headers.hpp"
#include "sip/name_addr.hpp"
#include "sip/parser.hpp"
#include "sip/response.hpp"
#include "support/files.hpp"
#include "support/run.hpp"

namespace sipcred::service {
namespace {

using namespace std::chrono_literals;

std::string cert_file(const std::string& name) {
  return test::read_file(test::data_dir() / "certs" / name);
}

const Peer kTls{"192.0.2.7", 40001, Transport::tls};
const Peer kUdp{"192.0.2.8", 5060, Transport::udp};

struct Harness {
  test::TempDir dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<CredentialService> svc;
  std::unique_ptr<Endpoint> ep;
  TimePoint now{};
  WallTime wall;
  int branch = 0;

  explicit Harness(CredentialServiceConfig cfg = {}) {
    auto s = store::open_sqlite({.path = dir / "cred.db"});
    EXPECT_TRUE(s);
    store = std::move(*s);
    // The openssl-made certificates are valid from make.sh's run for ten years.
    auto good = crypto::Certificate::from_der(test::bytes_of(cert_file("good.der")));
    EXPECT_TRUE(good);
    wall = good->not_before() + 1h;
    if (cfg.domains.empty()) cfg.domains = {{"example.com", ""}};
    cfg.digest.secret = std::vector<uint8_t>(32, 7);
    cfg.seed = 5;
    cfg.notifier.seed = 6;
    auto c = CredentialService::create(cfg, *store);
    EXPECT_TRUE(c) << (c ? "" : c.error().message());
    svc = std::move(*c);
    ep = std::make_unique<Endpoint>(EndpointConfig{.seed = 4}, svc.get());
    store::User alice{"sip:alice@example.com", "example.com", "alice", {}, false};
    for (auto h : {crypto::HashAlg::md5, crypto::HashAlg::sha256, crypto::HashAlg::sha512_256}) {
      alice.ha1.push_back(
          {std::string{crypto::to_string(h)}, auth::ha1(h, "alice", "example.com", "wonderland")});
    }
    EXPECT_TRUE(store->put_user(alice, {"admin", "test"}, wall));
  }

  std::vector<Outgoing> send(const std::string& text, const Peer& from) {
    auto m = sip::parse_datagram(text);
    EXPECT_TRUE(m) << text;
    auto out = ep->on_message(*m, from, now, wall);
    // Commit what the service asked for, as net does, then hand the results back.
    for (auto& w : ep->take_writes()) {
      std::optional<Result<store::Applied>> result;
      store->submit(std::move(w.change), w.wall, [&](Result<store::Applied> r) { result = r; });
      store->flush();
      auto more = ep->on_write_done(w.token, std::move(*result), now, wall);
      out.insert(out.end(), more.begin(), more.end());
    }
    return out;
  }

  // A request of `method` to `uri` with the given extra header lines and body.
  std::string request(std::string_view method, std::string_view uri, std::string_view event,
                      std::string extra = {}, std::string_view body = {},
                      std::string_view call_id = "call-1", std::string_view to_tag = {}) {
    ++branch;
    std::string s = std::string{method} + " " + std::string{uri} + " SIP/2.0\r\n";
    s += "Via: SIP/2.0/TLS 192.0.2.7:40001;branch=z9hG4bKb" + std::to_string(branch) + "\r\n";
    s += "Max-Forwards: 70\r\n";
    s += "From: <sip:alice@example.com>;tag=f1\r\n";
    s += "To: <" + std::string{uri} + ">" + (to_tag.empty() ? "" : ";tag=" + std::string{to_tag}) +
         "\r\n";
    s += "Call-ID: " + std::string{call_id} + "\r\n";
    s += "CSeq: " + std::to_string(branch) + " " + std::string{method} + "\r\n";
    s += "Contact: <sip:alice@192.0.2.7:40001;transport=tls>\r\n";
    s += "Event: " + std::string{event} + "\r\n";
    s += extra;
    s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    s += body;
    return s;
  }

  // Sends, answers a 401 with digest credentials of alice (our RFC 7616 client), sends again.
  std::vector<Outgoing> authenticated(std::string_view method, std::string_view uri,
                                      std::string_view event, std::string extra = {},
                                      std::string_view body = {},
                                      std::string_view call_id = "call-1",
                                      std::string_view to_tag = {}) {
    auto first = send(request(method, uri, event, extra, body, call_id, to_tag), kTls);
    EXPECT_EQ(first.size(), 1u);
    sip::Message r = *sip::parse_datagram(first[0].bytes);
    EXPECT_EQ(r.status(), 401);
    auth::ClientAuth client{{"alice", std::string{"wonderland"}, {}}};
    auto challenges = r.all(sip::HeaderId::www_authenticate);
    EXPECT_EQ(client.on_challenge(challenges), auth::ClientAuth::Action::retry);
    auto value = client.authorize(method, uri);
    EXPECT_TRUE(value);
    return send(request(method, uri, event, extra + "Authorization: " + *value + "\r\n", body,
                        call_id, to_tag),
                kTls);
  }
};

sip::Message msg(const Outgoing& o) {
  auto m = sip::parse_datagram(o.bytes);
  EXPECT_TRUE(m) << o.bytes;
  return m ? std::move(*m) : sip::Message{};
}

std::string hdr(const sip::Message& m, sip::HeaderId id) {
  return std::string{m.first(id).value_or("")};
}

std::string credential_body(const std::string& cert, const std::string& key, std::string& ct) {
  auto c = test::bytes_of(cert);
  auto k = test::bytes_of(key);
  return mime::build_credential_body(c, k, ct);
}

TEST(CredentialService, CertificateSubscribeNeedsNoAuthAndGetsAnEmptyNotify) {
  // REQ CERT-1, CERT-3 (no certificate: an empty body), CERT-4 (From of the NOTIFY = To).
  Harness h;
  auto out = h.send(h.request("SUBSCRIBE", "sip:bob@example.com", "certificate"), kUdp);
  ASSERT_EQ(out.size(), 2u);
  sip::Message ok = msg(out[0]);
  EXPECT_EQ(ok.status(), 200);
  EXPECT_EQ(hdr(ok, sip::HeaderId::expires), "86400");  // REQ CERT-2: one day by default
  std::string to_value = hdr(ok, sip::HeaderId::to);
  std::string to_tag{sip::parse_name_addr(to_value)->tag()};
  sip::Message n = msg(out[1]);
  EXPECT_EQ(n.method(), "NOTIFY");
  EXPECT_EQ(n.body(), "");
  EXPECT_EQ(hdr(n, sip::HeaderId::subscription_state), "active;expires=86400");
  std::string from_value = hdr(n, sip::HeaderId::from);
  auto from = sip::parse_name_addr(from_value);
  EXPECT_EQ(from->uri.text, "sip:bob@example.com");
  EXPECT_EQ(from->tag(), to_tag);
  EXPECT_EQ(out[1].to, kUdp);
}

// REQ-PART ID-1: NOTIFYs wait for their signatures; when too many wait, a new subscription gets
// 503 with Retry-After (RFC 3261 §21.5.4) instead of joining the queue, and is taken again once
// the signatures are done. Refreshes of existing subscriptions are still answered.
TEST(CredentialService, NewSubscriptionsAre503WhileTheSigningBacklogIsFull) {
  test::TempDir keys;
  auto made = test::run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                        (keys / "p256.pem"));
  ASSERT_EQ(made.status, 0) << made.out;
  identity::AuthenticationService as;
  ASSERT_TRUE(
      as.add({"example.com", *crypto::PrivateKey::from_pem(test::read_file(keys / "p256.pem")),
              std::nullopt, "https://example.com/identity/example.com.cer",
              identity::Scheme::rfc8224, identity::Alg::es256}));
  CredentialServiceConfig cfg;
  cfg.identity = &as;
  cfg.max_signing = 2;
  Harness h{cfg};
  auto subscribe = [&](const std::string& call_id, std::string_view to_tag = {}) {
    auto out = h.send(
        h.request("SUBSCRIBE", "sip:bob@example.com", "certificate", {}, {}, call_id, to_tag),
        kUdp);
    EXPECT_EQ(out.size(), 1u);  // the answer; the NOTIFY waits for its signature
    return msg(out.at(0));
  };
  sip::Message first = subscribe("c1");
  EXPECT_EQ(first.status(), 200);
  EXPECT_EQ(subscribe("c2").status(), 200);
  sip::Message busy = subscribe("c3");
  EXPECT_EQ(busy.status(), 503);
  EXPECT_EQ(busy.reason(), "Service Unavailable (signing backlog)");
  EXPECT_EQ(hdr(busy, sip::HeaderId::retry_after), "5");

  // The two signatures come back: both NOTIFYs leave, signed.
  std::vector<Outgoing> notifies;
  for (auto& job : h.ep->take_sign_jobs()) {
    auto more =
        h.ep->on_signed(job.id, identity::AuthenticationService::sign(job.job, h.wall), h.now);
    notifies.insert(notifies.end(), more.begin(), more.end());
  }
  ASSERT_EQ(notifies.size(), 2u);
  for (const auto& o : notifies) {
    sip::Message n = msg(o);
    EXPECT_EQ(n.method(), "NOTIFY");
    EXPECT_FALSE(hdr(n, sip::HeaderId::identity).empty());
  }
  EXPECT_EQ(subscribe("c3").status(), 200);  // the backlog drained

  // A refresh in c1's dialog while the backlog is full again is still answered.
  EXPECT_EQ(subscribe("c4").status(), 200);
  std::string tag{sip::parse_name_addr(hdr(first, sip::HeaderId::to))->tag()};
  EXPECT_EQ(subscribe("c1", tag).status(), 200);
}

TEST(CredentialService, RefusalsOfCertificateSubscriptions) {
  Harness h;
  auto status = [&](const std::string& req) { return msg(h.send(req, kUdp)[0]); };
  auto r = status(h.request("SUBSCRIBE", "sip:bob@example.net", "certificate"));
  EXPECT_EQ(r.status(), 404);
  EXPECT_NE(r.reason().find("not served"), std::string_view::npos);
  // REQ CERT-5: Accept that rules out application/pkix-cert.
  EXPECT_EQ(
      status(h.request("SUBSCRIBE", "sip:bob@example.com", "certificate", "Accept: text/plain\r\n"))
          .status(),
      406);
  EXPECT_EQ(status(h.request("SUBSCRIBE", "sip:bob@example.com", "certificate",
                             "Accept: application/*\r\n"))
                .status(),
            200);
  // RFC 6665 §4.2.1.1: too brief.
  auto brief = status(h.request("SUBSCRIBE", "sip:bob@example.com", "certificate",
                                "Expires: 10\r\n", {}, "call-2"));
  EXPECT_EQ(brief.status(), 423);
  EXPECT_EQ(hdr(brief, sip::HeaderId::min_expires), "60");
  // REQ CERT-8: no event lists (RFC 4662 needs Require: eventlist, which we do not support).
  EXPECT_EQ(status(h.request("SUBSCRIBE", "sip:bob@example.com", "certificate",
                             "Require: eventlist\r\n", {}, "call-3"))
                .status(),
            420);
  // RFC 6665 §4.1.2.2: an unknown dialog.
  auto unknown = status(
      h.request("SUBSCRIBE", "sip:bob@example.com", "certificate", {}, {}, "call-4", "nosuchtag"));
  EXPECT_EQ(unknown.status(), 481);
}

TEST(CredentialService, CredentialOnlyOverTlsAndAfterDigest) {
  Harness h;
  // REQ CRED-2: not over UDP; nothing disclosed, not even a challenge.
  auto plain = msg(h.send(h.request("SUBSCRIBE", "sip:alice@example.com", "credential"), kUdp)[0]);
  EXPECT_EQ(plain.status(), 403);
  EXPECT_NE(plain.reason().find("TLS"), std::string_view::npos);
  EXPECT_FALSE(plain.first(sip::HeaderId::www_authenticate));
  // REQ CRED-1: challenged with every algorithm, strongest first (RFC 8760 §2.4).
  auto ch = msg(h.send(h.request("SUBSCRIBE", "sip:alice@example.com", "credential"), kTls)[0]);
  EXPECT_EQ(ch.status(), 401);
  auto values = ch.all(sip::HeaderId::www_authenticate);
  ASSERT_EQ(values.size(), 3u);
  EXPECT_NE(values[0].find("algorithm=SHA-512-256"), std::string_view::npos);
  EXPECT_NE(values[2].find("algorithm=MD5"), std::string_view::npos);
  EXPECT_NE(values[0].find("realm=\"example.com\""), std::string_view::npos);
  auto out = h.authenticated("SUBSCRIBE", "sip:alice@example.com", "credential");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(msg(out[0]).status(), 200);
  EXPECT_EQ(msg(out[1]).body(), "");  // nothing published yet: UA-6 makes one
  // Alice may not fetch Bob's credential.
  store::User bob{"sip:bob@example.com", "example.com", "bob", {}, false};
  ASSERT_TRUE(h.store->put_user(bob, {"admin", "test"}, h.wall));
  auto other = h.authenticated("SUBSCRIBE", "sip:bob@example.com", "credential", {}, {}, "c9");
  EXPECT_EQ(msg(other[0]).status(), 403);
}

TEST(CredentialService, PublishStoresAfterEveryCheckAndNotifies) {
  Harness h;
  // A certificate subscriber and a credential subscriber of alice.
  auto cs =
      h.send(h.request("SUBSCRIBE", "sip:alice@example.com", "certificate", {}, {}, "cs"), kUdp);
  ASSERT_EQ(cs.size(), 2u);
  auto cs_ok = h.ep->on_message(
      *sip::parse_datagram(sip::make_response(msg(cs[1]), 200, {}, {}).serialize()), kUdp, h.now,
      h.wall);
  auto cr = h.authenticated("SUBSCRIBE", "sip:alice@example.com", "credential", {}, {}, "cr");
  ASSERT_EQ(cr.size(), 2u);
  h.ep->on_message(*sip::parse_datagram(sip::make_response(msg(cr[1]), 200, {}, {}).serialize()),
                   kTls, h.now, h.wall);

  // REQ PUB-2, PUB-3: a multipart credential with an encrypted key is stored after the checks.
  std::string ct;
  std::string body = credential_body(cert_file("good.der"), cert_file("good-aes.p8.der"), ct);
  h.now += 61s;  // past the minute since the first NOTIFYs (CERT-7)
  auto out = h.authenticated("PUBLISH", "sip:alice@example.com", "credential",
                             "Content-Type: " + ct + "\r\n", body, "pub1");
  ASSERT_GE(out.size(), 1u);
  sip::Message ok = msg(out[0]);
  ASSERT_EQ(ok.status(), 200) << ok.reason();
  std::string etag = hdr(ok, sip::HeaderId::sip_etag);
  EXPECT_FALSE(etag.empty());  // REQ-PART PUB-4
  auto cur = h.store->current("sip:alice@example.com", h.wall);
  ASSERT_TRUE(cur && *cur);
  EXPECT_EQ((*cur)->etag, etag);
  // REQ PUB-5, CERT-11, CRED-6: both subscribers hear of it.
  ASSERT_EQ(out.size(), 3u);
  sip::Message to_cert = msg(out[1]);
  sip::Message to_cred = msg(out[2]);
  EXPECT_EQ(hdr(to_cert, sip::HeaderId::content_type), "application/pkix-cert");
  EXPECT_EQ(to_cert.body(), cert_file("good.der"));                          // REQ CERT-5
  EXPECT_EQ(hdr(to_cred, sip::HeaderId::event), "credential;etag=" + etag);  // REQ CRED-5
  auto parts =
      mime::parse_credential_body(to_cred.body(), hdr(to_cred, sip::HeaderId::content_type));
  ASSERT_TRUE(parts);  // REQ CRED-4
  EXPECT_EQ(parts->cert_der, test::bytes_of(cert_file("good.der")));
  EXPECT_EQ(*parts->pkcs8_der, test::bytes_of(cert_file("good-aes.p8.der")));
  EXPECT_EQ(out[2].to, kTls);

  // REQ PUB-4: a SIP-If-Match that names no current state gets 412 and changes nothing.
  std::string body2 = credential_body(cert_file("good-ec.der"), {}, ct);
  auto stale =
      h.authenticated("PUBLISH", "sip:alice@example.com", "credential",
                      "Content-Type: " + ct + "\r\nSIP-If-Match: not-the-etag\r\n", body2, "pub2");
  EXPECT_EQ(msg(stale[0]).status(), 412);
  EXPECT_EQ((*h.store->current("sip:alice@example.com", h.wall))->etag, etag);
}

TEST(CredentialService, PublishRefusalsStoreNothing) {
  // REQ PUB-3, PUB-7: each failed check answered with the check's name; the store stays empty.
  Harness h;
  std::string ct;
  auto refused = [&](const std::string& cert, const std::string& key, int status,
                     std::string_view words, std::string_view call) {
    std::string body = credential_body(cert, key, ct);
    auto out = h.authenticated("PUBLISH", "sip:alice@example.com", "credential",
                               "Content-Type: " + ct + "\r\n", body, call);
    sip::Message r = msg(out[0]);
    EXPECT_EQ(r.status(), status) << r.reason();
    EXPECT_NE(r.reason().find(words), std::string_view::npos) << r.reason();
  };
  refused(cert_file("wrong-user.der"), {}, 403, "Forbidden (", "p1");
  refused(cert_file("expired.der"), {}, 403, "Forbidden (", "p2");
  refused(cert_file("ca-true.der"), {}, 403, "Forbidden (", "p3");
  refused(cert_file("good.der"), cert_file("good.p8.der"), 403, "Forbidden (", "p4");  // clear key
  auto none = h.store->current("sip:alice@example.com", h.wall);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto bad = h.authenticated("PUBLISH", "sip:alice@example.com", "credential",
                             "Content-Type: text/plain\r\n", "hello", "p5");
  EXPECT_EQ(msg(bad[0]).status(), 415);
}

TEST(CredentialService, RevocationEmptiesCertificatesAndEndsCredentials) {
  Harness h;
  std::string ct;
  std::string body = credential_body(cert_file("good.der"), cert_file("good-aes.p8.der"), ct);
  auto pub = h.authenticated("PUBLISH", "sip:alice@example.com", "credential",
                             "Content-Type: " + ct + "\r\n", body, "pub1");
  ASSERT_EQ(msg(pub[0]).status(), 200);
  auto cs =
      h.send(h.request("SUBSCRIBE", "sip:alice@example.com", "certificate", {}, {}, "cs"), kUdp);
  EXPECT_EQ(msg(cs[1]).body(), cert_file("good.der"));
  h.ep->on_message(*sip::parse_datagram(sip::make_response(msg(cs[1]), 200, {}, {}).serialize()),
                   kUdp, h.now, h.wall);
  auto cr = h.authenticated("SUBSCRIBE", "sip:alice@example.com", "credential", {}, {}, "cr");
  ASSERT_EQ(cr.size(), 2u);
  EXPECT_FALSE(msg(cr[1]).body().empty());
  h.ep->on_message(*sip::parse_datagram(sip::make_response(msg(cr[1]), 200, {}, {}).serialize()),
                   kTls, h.now, h.wall);
  h.now += 61s;
  // REQ PUB-6: an initial PUBLISH without a body revokes.
  auto rev = h.authenticated("PUBLISH", "sip:alice@example.com", "credential", {}, {}, "rev");
  ASSERT_EQ(rev.size(), 3u);
  EXPECT_EQ(msg(rev[0]).status(), 200);
  EXPECT_EQ(hdr(msg(rev[0]), sip::HeaderId::sip_etag), hdr(msg(pub[0]), sip::HeaderId::sip_etag));
  EXPECT_EQ(hdr(msg(rev[0]), sip::HeaderId::expires), "0");
  sip::Message cert_notify = msg(rev[1]);
  EXPECT_EQ(cert_notify.body(), "");  // REQ CERT-10: empty, and still active
  EXPECT_TRUE(hdr(cert_notify, sip::HeaderId::subscription_state).starts_with("active"));
  sip::Message cred_notify = msg(rev[2]);
  EXPECT_EQ(hdr(cred_notify, sip::HeaderId::subscription_state),
            "terminated;reason=deactivated");  // REQ CRED-7
  EXPECT_EQ(cred_notify.body(), "");
  auto after = h.store->current("sip:alice@example.com", h.wall);
  EXPECT_FALSE(*after);
}

TEST(CredentialService, OperatorRevocationOnTheStoreReachesSubscribers) {
  // `sipcred credential revoke` writes to the store directly (Actor admin/cli); the running
  // service reads the audit log and tells its subscribers as for a PUBLISH revocation.
  Harness h;
  h.ep->on_timer(h.now, h.wall);  // the first look at the audit log only remembers where it is
  std::string ct;
  std::string body = credential_body(cert_file("good.der"), cert_file("good-aes.p8.der"), ct);
  ASSERT_EQ(msg(h.authenticated("PUBLISH", "sip:alice@example.com", "credential",
                                "Content-Type: " + ct + "\r\n", body, "pub1")[0])
                .status(),
            200);
  auto cs =
      h.send(h.request("SUBSCRIBE", "sip:alice@example.com", "certificate", {}, {}, "cs"), kUdp);
  h.ep->on_message(*sip::parse_datagram(sip::make_response(msg(cs[1]), 200, {}, {}).serialize()),
                   kUdp, h.now, h.wall);
  h.now += 61s;
  std::optional<Result<store::Applied>> r;
  h.store->submit(store::Revoke{"sip:alice@example.com", "", {"admin", "cli"}, "operator"}, h.wall,
                  [&](Result<store::Applied> x) { r = x; });
  h.store->flush();
  ASSERT_TRUE(r && *r);
  auto out = h.ep->on_timer(h.now, h.wall);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(msg(out[0]).body(), "");  // CERT-10: the empty NOTIFY
}

TEST(CredentialService, ProbationEndsCertificateSubscriptionsAtOnce) {
  // REQ CERT-9.
  CredentialServiceConfig cfg;
  cfg.probation = true;
  Harness h{cfg};
  auto out = h.send(h.request("SUBSCRIBE", "sip:bob@example.com", "certificate"), kUdp);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(hdr(msg(out[1]), sip::HeaderId::subscription_state), "terminated;reason=probation");
}

TEST(CredentialService, CredentialExpiresCappedAtCertificateValidity) {
  // REQ CRED-3.
  Harness h;
  std::string ct;
  std::string body = credential_body(cert_file("good.der"), cert_file("good-aes.p8.der"), ct);
  ASSERT_EQ(msg(h.authenticated("PUBLISH", "sip:alice@example.com", "credential",
                                "Content-Type: " + ct + "\r\n", body, "pub1")[0])
                .status(),
            200);
  // Just before notAfter, a week is asked for and what is left of the certificate granted.
  auto cert = crypto::Certificate::from_der(test::bytes_of(cert_file("good.der")));
  h.wall = cert->not_after() - 2h;
  auto out = h.authenticated("SUBSCRIBE", "sip:alice@example.com", "credential",
                             "Expires: 604800\r\n", {}, "cr");
  EXPECT_EQ(hdr(msg(out[0]), sip::HeaderId::expires), "7200");
}

}  // namespace
}  // namespace sipcred::service
