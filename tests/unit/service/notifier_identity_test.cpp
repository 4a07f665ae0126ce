// The notifier with an authentication service (ID-1, CERT-4): every NOTIFY waits for its
// signature, goes out only with it, and verifies. The signature itself is checked against the
// openssl CLI in tests/unit/identity/identity_test.cpp; here the verifier (trusting the domain's
// own certificate) confirms that what goes on the wire is what was signed.
#include <gtest/gtest.h>

#include "crypto/server_certificate.hpp"
#include "identity/verifier.hpp"
#include "service/notifier.hpp"
#include "sip/dialog/dialog.hpp"
#include "sip/headers.hpp"
#include "sip/parser.hpp"
#include "sip/response.hpp"

namespace sipcred::service {
namespace {

using namespace std::chrono_literals;

const std::string kSubscribe =
    "SUBSCRIBE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bKsub1\r\n"
    "Max-Forwards: 70\r\n"
    "From: Alice <sip:alice@example.org>;tag=a1\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: c1@192.0.2.5\r\n"
    "CSeq: 7 SUBSCRIBE\r\n"
    "Contact: <sip:alice@192.0.2.5:5060>\r\n"
    "Event: certificate\r\n"
    "Expires: 3600\r\n"
    "Content-Length: 0\r\n\r\n";

const WallTime kWall{std::chrono::seconds{1'800'000'000}};

struct Domain {
  crypto::PrivateKey key;
  crypto::Certificate cert;
};

const Domain& domain(identity::Alg alg) {
  static const Domain rsa = [] {
    auto k = *crypto::PrivateKey::generate(crypto::KeyType::rsa2048);
    auto c = *crypto::make_self_signed_server(k, {"example.com", {"example.com"}, {}}, kWall);
    return Domain{k, c};
  }();
  static const Domain ec = [] {
    auto k = *crypto::PrivateKey::generate(crypto::KeyType::ec_p256);
    auto c = *crypto::make_self_signed_server(k, {"example.com", {"example.com"}, {}}, kWall);
    return Domain{k, c};
  }();
  return alg == identity::Alg::es256 ? ec : rsa;
}

struct Fixture {
  explicit Fixture(identity::Alg alg = identity::Alg::rsa_sha1, size_t body_size = 7,
                   size_t udp_mtu = 1300) {
    const Domain& d = domain(alg);
    identity::DomainKey k{
        "example.com",
        d.key,
        d.cert,
        "https://example.com:8443/identity/example.com.cer",
        alg == identity::Alg::es256 ? identity::Scheme::rfc8224 : identity::Scheme::rfc4474,
        alg};
    EXPECT_TRUE(signer.add(k));
    body = std::string(body_size, 'c');
    NotifierConfig c{.udp_mtu = udp_mtu, .seed = 9};
    n = std::make_unique<Notifier>(
        c,
        [this](const Subscription&) {
          return NotifyContent{"application/pkix-cert", body, ""};
        },
        &signer);
  }
  identity::AuthenticationService signer;
  std::string body;
  std::unique_ptr<Notifier> n;

  std::vector<Outgoing> subscribe(TimePoint now) {
    auto req = sip::parse_datagram(kSubscribe);
    auto d = sip::uas_dialog(*req, "ours1", 100, false);
    Subscription s;
    s.package = "certificate";
    s.resource = "bob@example.com";
    s.dialog = *d;
    s.flow = Peer{"192.0.2.5", 5060, Transport::udp};
    s.expires_at = now + 3600s;
    return n->add(std::move(s), now);
  }
  // Signs what waits, as `sipcred serve`'s pool does, and returns what goes out.
  std::vector<Outgoing> sign_all(TimePoint now) {
    std::vector<Outgoing> out;
    for (auto& j : n->take_sign_jobs()) {
      auto h = identity::AuthenticationService::sign(j.job, kWall);
      auto o = n->on_signed(j.id, std::move(h), now);
      out.insert(out.end(), o.begin(), o.end());
    }
    return out;
  }
};

identity::Outcome verify(const Outgoing& o, const crypto::Certificate& cert) {
  auto m = sip::parse_datagram(o.bytes);
  EXPECT_TRUE(m);
  identity::VerifierConfig c;
  c.anchors = {cert};
  identity::Verifier v{c};
  return v.finish(*m, std::string{cert.der().begin(), cert.der().end()}, kWall + 1s);
}

// REQ CERT-4 REQ-PART ID-1
TEST(NotifierIdentity, EveryNotifyWaitsForItsSignatureAndVerifies) {
  for (auto alg : {identity::Alg::rsa_sha1, identity::Alg::rsa_sha256, identity::Alg::es256}) {
    Fixture f{alg};
    TimePoint t0{};
    EXPECT_TRUE(f.subscribe(t0).empty());  // nothing leaves unsigned
    EXPECT_EQ(f.n->signing(), 1u);
    auto out = f.sign_all(t0);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(f.n->signing(), 0u);
    auto o = verify(out[0], domain(alg).cert);
    EXPECT_TRUE(o.valid()) << o.text();
    EXPECT_EQ(o.asserted, "sip:bob@example.com");  // From = the AOR (CERT-4)
    auto m = sip::parse_datagram(out[0].bytes);
    EXPECT_EQ(*m->first(sip::HeaderId::date), "Fri, 15 Jan 2027 08:00:00 GMT");
  }
}

TEST(NotifierIdentity, SubscriptionEndedWhileSigningSendsNothing) {
  Fixture f;
  TimePoint t0{};
  f.subscribe(t0);
  auto jobs = f.n->take_sign_jobs();
  ASSERT_EQ(jobs.size(), 1u);
  // Unsubscribe arrives while the first NOTIFY is being signed: the final NOTIFY waits for it.
  auto sub = f.n->find_dialog(sip::dialog_key("c1@192.0.2.5", "ours1", "a1"));
  ASSERT_NE(sub, nullptr);
  EXPECT_TRUE(f.n->refresh(sub->id, 0s, t0).empty());
  auto out =
      f.n->on_signed(jobs[0].id, identity::AuthenticationService::sign(jobs[0].job, kWall), t0);
  ASSERT_EQ(out.size(), 1u);  // the first NOTIFY
  // A signing failure ends the subscription without sending anything unsigned.
  Fixture g;
  g.subscribe(t0);
  auto gj = g.n->take_sign_jobs();
  EXPECT_TRUE(g.n->on_signed(gj[0].id, fail(Errc::crypto, "HSM unavailable"), t0).empty());
  EXPECT_EQ(g.n->size(), 0u);
  EXPECT_TRUE(g.n->on_signed(9999, fail(Errc::crypto, "unknown"), t0).empty());
}

// RFC 3261 §18.1.1 counts the Identity: a certificate-sized body with an RSA Identity crosses
// 1300 bytes and goes over TCP; the same NOTIFY unsigned fits UDP.
TEST(NotifierIdentity, SignedCertificateNotifyGoesOverTcp) {
  Fixture small{identity::Alg::rsa_sha1, 300};
  small.subscribe(TimePoint{});
  auto s = small.sign_all(TimePoint{});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].to.transport, Transport::udp);
  EXPECT_LT(s[0].bytes.size(), 1300u);

  Fixture big{identity::Alg::rsa_sha1, 700};
  big.subscribe(TimePoint{});
  auto b = big.sign_all(TimePoint{});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].to.transport, Transport::tcp);
  EXPECT_GT(b[0].bytes.size(), 1300u);
  EXPECT_TRUE(verify(b[0], domain(identity::Alg::rsa_sha1).cert).valid());

  Fixture sipp{identity::Alg::rsa_sha1, 700, /*udp_mtu=*/0};  // UDP-only peers
  sipp.subscribe(TimePoint{});
  EXPECT_EQ(sipp.sign_all(TimePoint{})[0].to.transport, Transport::udp);
}

}  // namespace
}  // namespace sipcred::service
