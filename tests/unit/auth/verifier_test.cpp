// The digest server end to end, with our client as the peer: every outcome the SIP and HTTP
// layers will map to a status code. The REQ tags below name the digest part of CRED-1, PUB-1,
// HTTP-8 and HTTP-9; the SIP endpoint and the HTTPS store still have to route their requests here.
#include "auth/verifier.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "auth/auth_params.hpp"
#include "auth/client.hpp"
#include "crypto/hash.hpp"

namespace sipcred::auth {
namespace {

using std::chrono::seconds;

const WallTime kT0{seconds{1'700'000'000}};
constexpr std::string_view kRealm = "example.com";
constexpr std::string_view kPassword = "correct horse battery";

std::vector<std::string_view> views(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

class DigestVerifier : public ::testing::Test {
 protected:
  static VerifierConfig config() {
    VerifierConfig c;
    c.secret = std::vector<uint8_t>(32, 0x5a);
    return c;
  }
  static Verifier make(VerifierConfig c = config()) {
    auto v = Verifier::create(std::move(c));
    EXPECT_TRUE(v);
    return std::move(*v);
  }
  void SetUp() override {
    table_.add("alice", kRealm, kPassword);
    table_.add("alice", "example.org", kPassword);
    table_.add("bob", kRealm, "bob's password");
  }
  // The first round: no credentials, a challenge, which the client takes.
  ClientAuth challenged(Verifier& v, ClientCredentials creds, WallTime now = kT0) {
    auto first = v.check(req_, "", kRealm, now, table_.lookup());
    EXPECT_EQ(first.verdict, Verdict::challenge);
    EXPECT_EQ(first.reason, Reason::no_credentials);
    ClientAuth c{std::move(creds)};
    EXPECT_EQ(c.on_challenge(views(first.challenges)), ClientAuth::Action::retry);
    return c;
  }
  Outcome send(Verifier& v, ClientAuth& c, WallTime now = kT0) {
    auto a = c.authorize(req_.method, req_.uri);
    EXPECT_TRUE(a);
    return v.check(req_, a.value_or(""), kRealm, now, table_.lookup());
  }

  CredentialTable table_;
  Request req_{"SUBSCRIBE", "sip:alice@example.com", "192.0.2.1", {}};
};

// RFC 7616 §3.7 / RFC 8760 §2: one challenge per algorithm, strongest first.
TEST_F(DigestVerifier, ChallengesStrongestFirst) {
  auto v = make();
  auto o = v.check(req_, "", kRealm, kT0, table_.lookup());
  ASSERT_EQ(o.verdict, Verdict::challenge);
  ASSERT_EQ(o.challenges.size(), 3u);
  const char* algs[] = {"SHA-512-256", "SHA-256", "MD5"};
  std::set<std::string> nonces;
  for (size_t i = 0; i < 3; ++i) {
    auto cs = parse_challenges(o.challenges[i]);
    ASSERT_TRUE(cs) << o.challenges[i];
    ASSERT_EQ(cs->size(), 1u);
    const auto& f = (*cs)[0];
    EXPECT_TRUE(f.is_scheme("Digest"));
    EXPECT_EQ(f.value("realm"), kRealm);
    EXPECT_EQ(f.value("qop"), "auth");
    EXPECT_EQ(f.value("algorithm"), algs[i]);
    EXPECT_FALSE(f.value("stale"));
    EXPECT_FALSE(f.value("userhash"));
    EXPECT_TRUE(f.value("opaque"));
    nonces.insert(std::string{*f.value("nonce")});
  }
  EXPECT_EQ(nonces.size(), 3u);
  VerifierConfig c = config();
  c.userhash = true;
  c.auth_int = true;
  auto w = make(c);
  auto f = parse_credentials(w.challenges(kRealm, kT0, true)[0]);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->value("userhash"), "true");
  EXPECT_EQ(f->value("stale"), "true");
  EXPECT_EQ(f->value("qop"), "auth,auth-int");
}

TEST_F(DigestVerifier, RoundTripEveryAlgorithm) {
  // REQ-PART CRED-1 PUB-1 HTTP-8 HTTP-9: challenge, answer, verify, for every algorithm.
  for (Algorithm alg : kStrongestFirst) {
    SCOPED_TRACE(to_string(alg));
    VerifierConfig c = config();
    c.algorithms = {alg};
    auto v = make(c);
    auto client = challenged(v, {"alice", std::string{kPassword}, {}});
    EXPECT_EQ(client.algorithm(), alg);
    for (int i = 0; i < 3; ++i) {  // the nonce is reused with nc 1, 2, 3
      auto o = send(v, client, kT0 + seconds{i});
      EXPECT_EQ(o.verdict, Verdict::ok) << to_string(o.reason);
      EXPECT_EQ(o.user, "alice");
    }
    EXPECT_EQ(client.nonce_count(), 3u);
  }
  // All offered: the client takes SHA-512-256.
  auto v = make();
  auto client = challenged(v, {"alice", std::string{kPassword}, {}});
  EXPECT_EQ(client.algorithm(), kSha512_256);
  EXPECT_TRUE(send(v, client).ok());
  // A store that keeps HA1 in upper-case hex.
  CredentialLookup upper = [](const CredentialQuery& q) -> std::optional<StoredCredential> {
    std::string h = ha1(q.hash, "alice", q.realm, kPassword);
    for (char& ch : h) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return StoredCredential{"alice", h};
  };
  auto a = client.authorize(req_.method, req_.uri);
  auto up = v.check(req_, *a, kRealm, kT0, upper);
  EXPECT_TRUE(up.ok()) << to_string(up.reason);
}

TEST_F(DigestVerifier, UserhashSessAndAuthInt) {
  // REQ-PART HTTP-8: the HTTPS PUT of a certificate, with its body covered by auth-int.
  VerifierConfig c = config();
  c.userhash = true;
  c.auth_int = true;
  auto v = make(c);
  auto client = challenged(v, {"alice", std::string{kPassword}, {}});
  auto a = client.authorize(req_.method, req_.uri);
  ASSERT_TRUE(a);
  auto f = parse_credentials(*a);
  ASSERT_TRUE(f);
  // RFC 7616 §3.4.4: the name on the wire is H(user:realm), not the user.
  EXPECT_EQ(f->value("username"), userhash(crypto::HashAlg::sha512_256, "alice", kRealm));
  EXPECT_EQ(f->value("userhash"), "true");
  auto o = v.check(req_, *a, kRealm, kT0, table_.lookup());
  EXPECT_TRUE(o.ok()) << to_string(o.reason);
  EXPECT_EQ(o.user, "alice");

  // A -sess answer and an auth-int answer over a body, built from the same HA1.
  auto nonce = std::string{*parse_challenges(v.challenges(kRealm, kT0)[1])->at(0).value("nonce")};
  const std::string body = "certificate bytes";
  const std::span<const uint8_t> bytes{reinterpret_cast<const uint8_t*>(body.data()), body.size()};
  Request put{"PUT", "/search-cgi?email=alice%40example.com", "192.0.2.9", bytes};
  const Algorithm sess{crypto::HashAlg::sha256, true};
  std::string h1 = ha1(crypto::HashAlg::sha256, "alice", kRealm, kPassword);
  std::string resp = response({.algorithm = sess,
                               .ha1 = h1,
                               .nonce = nonce,
                               .nc = "00000001",
                               .cnonce = "abc",
                               .qop = Qop::auth_int,
                               .method = put.method,
                               .uri = put.uri,
                               .body = bytes});
  std::string cred = "Digest username=\"alice\", realm=\"example.com\", uri=\"" +
                     std::string{put.uri} + "\", algorithm=SHA-256-sess, nonce=\"" + nonce +
                     "\", nc=00000001, cnonce=\"abc\", qop=auth-int, response=\"" + resp + "\"";
  EXPECT_TRUE(v.check(put, cred, kRealm, kT0, table_.lookup()).ok());
  // The body is covered: another body, another response.
  const std::string other = "other bytes";
  put.body = {reinterpret_cast<const uint8_t*>(other.data()), other.size()};
  std::string cred2 = cred;
  cred2.replace(cred2.find("nc=00000001"), 11, "nc=00000002");
  EXPECT_EQ(v.check(put, cred2, kRealm, kT0, table_.lookup()).reason, Reason::bad_credentials);
}

TEST_F(DigestVerifier, WrongPasswordIsChallengedAgain) {
  // REQ-PART CRED-1 PUB-1: only a user who knows the password gets through.
  auto v = make();
  auto client = challenged(v, {"alice", "wrong", {}});
  auto o = send(v, client);
  EXPECT_EQ(o.verdict, Verdict::challenge);
  EXPECT_EQ(o.reason, Reason::bad_credentials);
  EXPECT_EQ(o.challenges.size(), 3u);
  // The client knows not to send the same password again.
  EXPECT_EQ(client.on_challenge(views(o.challenges)), ClientAuth::Action::rejected);
  // An unknown user gets exactly the same answer.
  auto stranger = challenged(v, {"mallory", "x", {}});
  auto s = send(v, stranger);
  EXPECT_EQ(s.verdict, Verdict::challenge);
  EXPECT_EQ(s.reason, Reason::bad_credentials);
}

// RFC 7616 §3.4 / §5.5: a nonce-count seen before is a replay.
TEST_F(DigestVerifier, ReplayedNonceCountIsRefused) {
  auto v = make();
  auto client = challenged(v, {"alice", std::string{kPassword}, {}});
  auto a = client.authorize(req_.method, req_.uri);
  ASSERT_TRUE(a);
  EXPECT_TRUE(v.check(req_, *a, kRealm, kT0, table_.lookup()).ok());
  auto again = v.check(req_, *a, kRealm, kT0 + seconds{1}, table_.lookup());
  EXPECT_FALSE(again.ok());
  EXPECT_EQ(again.verdict, Verdict::stale);
  EXPECT_EQ(again.reason, Reason::nc_replayed);
  // An older nc on the same nonce too.
  auto a2 = client.authorize(req_.method, req_.uri);
  auto a3 = client.authorize(req_.method, req_.uri);
  EXPECT_TRUE(v.check(req_, *a3, kRealm, kT0, table_.lookup()).ok());
  EXPECT_EQ(v.check(req_, *a2, kRealm, kT0, table_.lookup()).reason, Reason::nc_replayed);
  EXPECT_EQ(v.tracked_nonces(), 1u);
}

// RFC 7616 §3.3: an expired nonce with a right response gets stale=true, and the client retries
// with the new nonce without asking for the password.
TEST_F(DigestVerifier, ExpiredNonceIsStale) {
  auto v = make();
  auto client = challenged(v, {"alice", std::string{kPassword}, {}});
  const WallTime late = kT0 + seconds{301};
  auto o = send(v, client, late);
  EXPECT_EQ(o.verdict, Verdict::stale);
  EXPECT_EQ(o.reason, Reason::nonce_expired);
  ASSERT_EQ(o.challenges.size(), 3u);
  for (const auto& c : o.challenges) EXPECT_NE(c.find("stale=true"), std::string::npos);
  EXPECT_EQ(client.on_challenge(views(o.challenges)), ClientAuth::Action::retry);
  EXPECT_EQ(client.nonce_count(), 0u);
  EXPECT_TRUE(send(v, client, late).ok());
  // A wrong password on an expired nonce is not stale: the user must be asked.
  auto wrong = challenged(v, {"alice", "wrong", {}});
  EXPECT_EQ(send(v, wrong, late).reason, Reason::bad_credentials);
}

TEST_F(DigestVerifier, WrongRealmIsRefused) {
  auto v = make();
  auto client = challenged(v, {"alice", std::string{kPassword}, {}});
  auto a = client.authorize(req_.method, req_.uri);
  ASSERT_TRUE(a);
  // Credentials for example.com presented to example.org: a challenge naming example.org.
  auto o = v.check(req_, *a, "example.org", kT0, table_.lookup());
  EXPECT_EQ(o.verdict, Verdict::challenge);
  EXPECT_EQ(o.reason, Reason::realm_mismatch);
  EXPECT_NE(o.challenges.at(0).find("realm=\"example.org\""), std::string::npos);
  // A nonce issued for example.com, answered as if example.org had issued it: the realm is in
  // the nonce's MAC.
  std::string moved = v.challenges(kRealm, kT0)[0];
  moved.replace(moved.find("example.com"), 11, "example.org");
  ClientAuth other{{"alice", std::string{kPassword}, {}}};
  std::string_view mv = moved;
  ASSERT_EQ(other.on_challenge({&mv, 1}), ClientAuth::Action::retry);
  auto b = other.authorize(req_.method, req_.uri);
  auto p = v.check(req_, *b, "example.org", kT0, table_.lookup());
  EXPECT_EQ(p.verdict, Verdict::challenge);
  EXPECT_EQ(p.reason, Reason::nonce_invalid);
}

TEST_F(DigestVerifier, TamperedNonceOrOpaqueIsRefused) {
  auto v = make();
  std::string ch = v.challenges(kRealm, kT0)[0];
  size_t at = ch.find("nonce=\"") + 7 + 20;
  ch[at] = ch[at] == 'x' ? 'y' : 'x';
  ClientAuth client{{"alice", std::string{kPassword}, {}}};
  std::string_view cv = ch;
  ASSERT_EQ(client.on_challenge({&cv, 1}), ClientAuth::Action::retry);
  auto o = send(v, client);
  EXPECT_EQ(o.verdict, Verdict::challenge);
  EXPECT_EQ(o.reason, Reason::nonce_invalid);

  std::string op = v.challenges(kRealm, kT0)[0];
  size_t oat = op.find("opaque=\"") + 8;
  op[oat] = op[oat] == 'x' ? 'y' : 'x';
  ClientAuth c2{{"alice", std::string{kPassword}, {}}};
  std::string_view ov = op;
  ASSERT_EQ(c2.on_challenge({&ov, 1}), ClientAuth::Action::retry);
  EXPECT_EQ(send(v, c2).reason, Reason::opaque_mismatch);
}

// RFC 2617 §3.2.2.5: the uri directive must name the request's resource, else 400.
TEST_F(DigestVerifier, UriMismatchIsBadRequest) {
  auto v = make();
  auto client = challenged(v, {"alice", std::string{kPassword}, {}});
  auto a = client.authorize(req_.method, "sip:bob@example.com");
  auto o = v.check(req_, *a, kRealm, kT0, table_.lookup());
  EXPECT_EQ(o.verdict, Verdict::bad_request);
  EXPECT_EQ(o.reason, Reason::uri_mismatch);
  // The method is in A2: a response made for another method does not match.
  auto b = client.authorize("PUBLISH", req_.uri);
  EXPECT_EQ(v.check(req_, *b, kRealm, kT0, table_.lookup()).reason, Reason::bad_credentials);
}

TEST_F(DigestVerifier, MalformedCredentialsAreBadRequests) {
  VerifierConfig c = config();
  c.per_source = {.burst = 0};  // each malformed value counts as a failure of its source
  auto v = make(c);
  const std::string nonce =
      std::string{*parse_challenges(v.challenges(kRealm, kT0)[0])->at(0).value("nonce")};
  const std::string ok_tail = ", realm=\"example.com\", nonce=\"" + nonce +
                              "\", uri=\"sip:alice@example.com\", algorithm=MD5";
  const std::string resp = ", response=\"" + std::string(32, 'a') + "\"";
  const std::string bad[] = {
      "Digest realm=",                                                // grammar
      "Digest username=\"a\", username=\"b\"" + ok_tail + resp,       // duplicate
      "Digest username=\"alice\"" + ok_tail,                          // no response
      "Digest realm=\"example.com\", nonce=\"n\", uri=\"u\"" + resp,  // no username
      "Digest username=\"alice\"" + ok_tail + ", response=\"abc\"",   // short response
      "Digest username=\"alice\"" + ok_tail + resp + ", qop=auth",    // qop without nc
      "Digest username=\"alice\"" + ok_tail + resp + ", qop=auth, nc=1, cnonce=\"c\"",
      "Digest username=\"alice\"" + ok_tail + resp + ", qop=auth, nc=00000000, cnonce=\"c\"",
      "Digest username=\"alice\"" + ok_tail + resp + ", qop=auth, nc=0000000g, cnonce=\"c\"",
      "Digest username=\"alice\"" + ok_tail + resp + ", qop=bogus, nc=00000001, cnonce=\"c\"",
      "Digest username=\"alice\"" + ok_tail + resp + ", nc=00000001",  // nc without qop
      "Digest username=\"alice\"" + ok_tail + resp + ", userhash=maybe",
      "Digest username=\"alice\", username*=UTF-8''alice" + ok_tail + resp,  // both forms
      "Digest username*=latin1''alice" + ok_tail + resp,
      "Digest username=\"" + std::string(300, 'a') + "\"" + ok_tail + resp,
  };
  for (const auto& cred : bad) {
    auto o = v.check(req_, cred, kRealm, kT0, table_.lookup());
    EXPECT_EQ(o.verdict, Verdict::bad_request) << cred;
    EXPECT_EQ(o.reason, Reason::malformed) << cred;
  }
  // Not ours to answer: another scheme, or an algorithm we did not offer.
  EXPECT_EQ(v.check(req_, "Basic YWxpY2U6eA==", kRealm, kT0, table_.lookup()).reason,
            Reason::scheme_not_digest);
  std::string sha1 = "Digest username=\"alice\", realm=\"example.com\", nonce=\"" + nonce +
                     "\", uri=\"sip:alice@example.com\", algorithm=SHA-1" + resp;
  EXPECT_EQ(v.check(req_, sha1, kRealm, kT0, table_.lookup()).reason,
            Reason::algorithm_not_offered);
}

// RFC 3261 §22.4 lets RFC 2069 clients answer without qop; we refuse that form unless configured,
// as it carries no nonce-count.
TEST_F(DigestVerifier, Rfc2069FormOnlyWhenAllowed) {
  for (bool allow : {false, true}) {
    VerifierConfig c = config();
    c.allow_rfc2069 = allow;
    c.algorithms = {kMd5};
    auto v = make(c);
    // An RFC 2069 server's challenge has no qop; the client answers in that form.
    std::string ch = v.challenges(kRealm, kT0)[0];
    ch.erase(ch.find(", qop=\"auth\""), 12);
    ClientAuth client{{"alice", std::string{kPassword}, {}}};
    std::string_view cv = ch;
    ASSERT_EQ(client.on_challenge({&cv, 1}), ClientAuth::Action::retry);
    auto a = client.authorize(req_.method, req_.uri);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->find("nc="), std::string::npos);
    EXPECT_EQ(a->find("cnonce="), std::string::npos);
    auto o = v.check(req_, *a, kRealm, kT0, table_.lookup());
    if (allow) {
      EXPECT_TRUE(o.ok()) << to_string(o.reason);
    } else {
      EXPECT_EQ(o.verdict, Verdict::forbidden);
      EXPECT_EQ(o.reason, Reason::qop_required);
    }
  }
}

TEST_F(DigestVerifier, PicksTheCredentialsOfItsRealm) {
  // RFC 3261 §22.3: a request may carry credentials for several realms.
  auto v = make();
  auto client = challenged(v, {"alice", std::string{kPassword}, {}});
  auto a = client.authorize(req_.method, req_.uri);
  std::string foreign =
      "Digest username=\"alice\", realm=\"proxy.example.net\", nonce=\"x\", uri=\"u\", "
      "response=\"00000000000000000000000000000000\"";
  std::vector<std::string_view> both{foreign, *a};
  EXPECT_TRUE(v.check(req_, both, kRealm, kT0, table_.lookup()).ok());
  std::vector<std::string_view> only{foreign};
  EXPECT_EQ(v.check(req_, only, kRealm, kT0, table_.lookup()).reason, Reason::realm_mismatch);
  EXPECT_EQ(v.check(req_, std::span<const std::string_view>{}, kRealm, kT0, table_.lookup()).reason,
            Reason::no_credentials);
}

TEST_F(DigestVerifier, FailuresAreRateLimitedPerUserAndRecover) {
  VerifierConfig c = config();
  c.per_user = {.burst = 3, .interval = seconds{60}, .capacity = 100};
  c.per_source = {.burst = 0};
  c.userhash = true;
  auto v = make(c);
  for (int i = 0; i < 3; ++i) {
    auto guess = challenged(v, {"alice", "guess" + std::to_string(i), {}});
    EXPECT_EQ(send(v, guess).reason, Reason::bad_credentials);
  }
  // Now even the right password waits: no oracle for a guesser.
  auto right = challenged(v, {"alice", std::string{kPassword}, {}});
  auto blocked = send(v, right);
  EXPECT_EQ(blocked.verdict, Verdict::too_many);
  EXPECT_EQ(blocked.reason, Reason::rate_limited);
  EXPECT_EQ(blocked.retry_after, seconds{60});
  // The failures were counted for alice, not for the hash on the wire: a request naming her
  // in clear waits as well.
  std::string plain = v.challenges(kRealm, kT0)[0];
  plain.erase(plain.find(", userhash=true"), 15);
  ClientAuth clear{{"alice", std::string{kPassword}, {}}};
  std::string_view pv = plain;
  ASSERT_EQ(clear.on_challenge({&pv, 1}), ClientAuth::Action::retry);
  EXPECT_EQ(send(v, clear).verdict, Verdict::too_many);
  // Other users are not affected.
  auto bob = challenged(v, {"bob", "bob's password", {}});
  EXPECT_TRUE(send(v, bob).ok());
  // After the interval, alice may try again.
  auto later = challenged(v, {"alice", std::string{kPassword}, {}}, kT0 + seconds{60});
  EXPECT_TRUE(send(v, later, kT0 + seconds{60}).ok());
}

TEST_F(DigestVerifier, FailuresAreRateLimitedPerSource) {
  VerifierConfig c = config();
  c.per_user = {.burst = 0};
  c.per_source = {.burst = 2, .interval = seconds{10}, .capacity = 100};
  auto v = make(c);
  for (const char* user : {"alice", "bob"}) {
    auto g = challenged(v, {user, "guess", {}});
    EXPECT_EQ(send(v, g).reason, Reason::bad_credentials);
  }
  auto o = v.check(req_, "", kRealm, kT0, table_.lookup());
  EXPECT_EQ(o.verdict, Verdict::too_many);
  EXPECT_EQ(o.retry_after, seconds{10});
  Request elsewhere = req_;
  elsewhere.source = "198.51.100.7";
  EXPECT_EQ(v.check(elsewhere, "", kRealm, kT0, table_.lookup()).verdict, Verdict::challenge);
  EXPECT_EQ(v.check(req_, "", kRealm, kT0 + seconds{10}, table_.lookup()).verdict,
            Verdict::challenge);
}

// Reason texts and challenges are for logs and the wire: never a secret, password, HA1 or the
// expected response.
TEST_F(DigestVerifier, NoSecretsInAnswers) {
  VerifierConfig c = config();
  const std::string secret_hex = crypto::to_hex(c.secret);
  auto v = make(c);
  auto wrong = challenged(v, {"alice", "guess", {}});
  auto a = wrong.authorize(req_.method, req_.uri);
  auto o = v.check(req_, *a, kRealm, kT0, table_.lookup());
  std::vector<std::string> texts;
  for (int r = 0; r <= static_cast<int>(Reason::rate_limited); ++r)
    texts.emplace_back(to_string(static_cast<Reason>(r)));
  for (const auto& ch : o.challenges) texts.push_back(ch);
  for (auto hash : {crypto::HashAlg::md5, crypto::HashAlg::sha256, crypto::HashAlg::sha512_256}) {
    const std::string h1 = ha1(hash, "alice", kRealm, kPassword);
    for (const auto& t : texts) EXPECT_EQ(t.find(h1), std::string::npos);
  }
  for (const auto& t : texts) {
    EXPECT_EQ(t.find(kPassword), std::string::npos);
    EXPECT_EQ(t.find(secret_hex.substr(0, 8)), std::string::npos);
    EXPECT_EQ(t.find("alice"), std::string::npos);
  }
}

TEST_F(DigestVerifier, ConfigurationIsChecked) {
  VerifierConfig c = config();
  c.secret.resize(15);
  EXPECT_EQ(Verifier::create(c).error().code, Errc::config);
  c = config();
  c.algorithms = {};
  EXPECT_FALSE(Verifier::create(c));
  c.algorithms = {Algorithm{crypto::HashAlg::md5, true}};
  EXPECT_FALSE(Verifier::create(c));
  c.algorithms = {Algorithm{crypto::HashAlg::sha1, false}};
  EXPECT_FALSE(Verifier::create(c));
  c = config();
  c.nonce_lifetime = seconds{0};
  EXPECT_FALSE(Verifier::create(c));
}

TEST(DigestCredentialTable, KeepsHa1NotPasswords) {
  CredentialTable t;
  t.add("alice", "example.com", "pw");
  t.add_ha1("carol", "example.com", crypto::HashAlg::sha256,
            "7987C64C30E25F1B74BE53F966B49B90F2808AA92FAF9A00262392D7B4794232");
  auto a = t.find({"alice", false, crypto::HashAlg::sha256, "example.com"});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ha1, ha1(crypto::HashAlg::sha256, "alice", "example.com", "pw"));
  EXPECT_FALSE(t.find({"alice", false, crypto::HashAlg::sha256, "example.org"}));
  auto h = t.find({userhash(crypto::HashAlg::md5, "alice", "example.com"), true,
                   crypto::HashAlg::md5, "example.com"});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->user, "alice");
  auto c = t.find({"carol", false, crypto::HashAlg::sha256, "example.com"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ha1, "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232");
  EXPECT_FALSE(t.find({"carol", false, crypto::HashAlg::md5, "example.com"}));
}

}  // namespace
}  // namespace sipcred::auth
