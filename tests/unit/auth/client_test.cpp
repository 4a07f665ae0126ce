// The digest client on its own: challenge selection, nonce reuse with increasing nc, new cnonce
// per request, stale handling. End-to-end runs against our server are in verifier_test.cpp.
#include "auth/client.hpp"

#include <gtest/gtest.h>

#include <set>

#include "auth/auth_params.hpp"

namespace sipcred::auth {
namespace {

const std::string kMd5Challenge =
    "Digest realm=\"example.com\", qop=\"auth\", algorithm=MD5, nonce=\"n1\", opaque=\"op\"";
const std::string kSha256Challenge =
    "Digest realm=\"example.com\", qop=\"auth\", algorithm=SHA-256, nonce=\"n2\"";
const std::string kSha512Challenge =
    "Digest realm=\"example.com\", qop=\"auth-int, auth\", algorithm=SHA-512-256, nonce=\"n3\"";

ClientAuth::Action feed(ClientAuth& c, std::initializer_list<std::string_view> values) {
  std::vector<std::string_view> v{values};
  return c.on_challenge(v);
}

AuthField parsed(const std::optional<std::string>& value) {
  EXPECT_TRUE(value);
  auto f = parse_credentials(value.value_or("x"));
  EXPECT_TRUE(f);
  return f.has_value() ? *f : AuthField{};
}

TEST(DigestClient, PicksTheStrongestOffered) {
  // Whatever the order, the strongest supported algorithm wins (ranking by strength rather than
  // by the server's order, which an attacker could rearrange); unknown algorithms and other
  // schemes are ignored (RFC 8760 §2.4).
  ClientAuth c{{"alice", "pw", {}}};
  ASSERT_EQ(feed(c, {"Basic realm=\"x\"", kMd5Challenge, kSha512Challenge, kSha256Challenge,
                     "Digest realm=\"example.com\", algorithm=SHA-3, nonce=\"z\""}),
            ClientAuth::Action::retry);
  EXPECT_EQ(c.algorithm(), kSha512_256);
  auto f = parsed(c.authorize("SUBSCRIBE", "sip:alice@example.com"));
  EXPECT_EQ(f.value("algorithm"), "SHA-512-256");
  EXPECT_EQ(f.value("nonce"), "n3");
  EXPECT_EQ(f.value("qop"), "auth");  // both offered: auth
  EXPECT_FALSE(f.value("opaque"));    // that challenge had none
  // Several challenges in one HTTP value work the same way.
  ClientAuth h{{"alice", "pw", {}}};
  std::string both = kMd5Challenge + ", " + kSha256Challenge;
  ASSERT_EQ(feed(h, {both}), ClientAuth::Action::retry);
  EXPECT_EQ(h.algorithm(), kSha256);
}

TEST(DigestClient, NothingToAnswer) {
  ClientAuth c{{"alice", "pw", {}}};
  EXPECT_EQ(feed(c, {}), ClientAuth::Action::unsupported);
  EXPECT_EQ(feed(c, {"Basic realm=\"x\"", "Digest realm=\"x\"", "Digest nonce=\"n\"", "garbage ="}),
            ClientAuth::Action::unsupported);
  EXPECT_EQ(feed(c, {"Digest realm=\"x\", nonce=\"n\", qop=\"auth-conf\""}),
            ClientAuth::Action::unsupported);
  // What would be echoed is bounded, so our credentials always fit a parser's limits.
  const std::string huge =
      "Digest realm=\"x\", qop=\"auth\", nonce=\"" + std::string(1500, 'n') + "\"";
  EXPECT_EQ(feed(c, {huge}), ClientAuth::Action::unsupported);
  EXPECT_FALSE(c.ready());
  EXPECT_FALSE(c.authorize("SUBSCRIBE", "sip:a@b"));
}

TEST(DigestClient, ReusesTheNonceWithIncreasingNcAndFreshCnonce) {
  // REQ-PART CRED-1 PUB-1: the UA side of the digest exchange for SUBSCRIBE and PUBLISH.
  ClientAuth c{{"alice", "pw", {}}};
  ASSERT_EQ(feed(c, {kMd5Challenge}), ClientAuth::Action::retry);
  std::set<std::string> cnonces;
  for (int i = 1; i <= 3; ++i) {
    auto f = parsed(c.authorize("PUBLISH", "sip:alice@example.com"));
    char want[9];
    std::snprintf(want, sizeof want, "%08x", i);
    EXPECT_EQ(f.value("nc"), want);
    EXPECT_EQ(f.value("nonce"), "n1");
    EXPECT_EQ(f.value("opaque"), "op");  // RFC 7616 §3.4: returned unchanged
    EXPECT_EQ(f.value("uri"), "sip:alice@example.com");
    EXPECT_EQ(f.value("username"), "alice");
    EXPECT_FALSE(f.find("nc")->quoted);   // nc and qop are tokens
    EXPECT_FALSE(f.find("qop")->quoted);  // (RFC 7616 §3.4)
    cnonces.insert(std::string{*f.value("cnonce")});
  }
  EXPECT_EQ(cnonces.size(), 3u);
  EXPECT_EQ(c.nonce_count(), 3u);
}

TEST(DigestClient, StaleTakesTheNewNonceRejectedStops) {
  ClientAuth c{{"alice", "pw", {}}};
  ASSERT_EQ(feed(c, {kSha256Challenge}), ClientAuth::Action::retry);
  ASSERT_TRUE(c.authorize("SUBSCRIBE", "sip:alice@example.com"));
  // RFC 7616 §3.3: stale=true means the password was right; take the new nonce and go on.
  ASSERT_EQ(feed(c, {"Digest realm=\"example.com\", qop=\"auth\", algorithm=SHA-256, "
                     "nonce=\"fresh\", stale=TRUE"}),
            ClientAuth::Action::retry);
  auto f = parsed(c.authorize("SUBSCRIBE", "sip:alice@example.com"));
  EXPECT_EQ(f.value("nonce"), "fresh");
  EXPECT_EQ(f.value("nc"), "00000001");
  // A plain new challenge after an answer: the credentials were refused (RFC 3261 §22.1).
  EXPECT_EQ(feed(c, {kSha256Challenge}), ClientAuth::Action::rejected);
  // Another realm (a proxy further on) is a new protection space, not a refusal.
  EXPECT_EQ(feed(c, {"Digest realm=\"proxy.example.net\", qop=\"auth\", nonce=\"p\""}),
            ClientAuth::Action::retry);
  EXPECT_EQ(c.realm(), "proxy.example.net");
}

TEST(DigestClient, Ha1InsteadOfPassword) {
  // A UA provisioned with HA1 only answers the algorithms it has an HA1 for.
  const std::string h = ha1(crypto::HashAlg::sha256, "alice", "example.com", "pw");
  ClientAuth c{{"alice", std::nullopt, {{crypto::HashAlg::sha256, h}}}};
  ASSERT_EQ(feed(c, {kSha512Challenge, kSha256Challenge, kMd5Challenge}),
            ClientAuth::Action::retry);
  EXPECT_EQ(c.algorithm(), kSha256);
  ClientAuth p{{"alice", "pw", {}}};
  ASSERT_EQ(feed(p, {kSha256Challenge}), ClientAuth::Action::retry);
  auto a = parsed(c.authorize("GET", "/"));
  auto b = parsed(p.authorize("GET", "/"));
  EXPECT_EQ(a.value("username"), b.value("username"));
  ClientAuth none{{"alice", std::nullopt, {}}};
  EXPECT_EQ(feed(none, {kSha256Challenge}), ClientAuth::Action::unsupported);
}

TEST(DigestClient, QuotesWhatItEchoes) {
  ClientAuth c{{"al\"ice", "pw", {}}};
  ASSERT_EQ(feed(c, {"Digest realm=\"a \\\"b\\\\\", qop=\"auth\", nonce=\"n\\\"x\""}),
            ClientAuth::Action::retry);
  auto f = parsed(c.authorize("SUBSCRIBE", "sip:a@b;x=\"y\""));
  EXPECT_EQ(f.value("username"), "al\"ice");
  EXPECT_EQ(f.value("realm"), "a \"b\\");
  EXPECT_EQ(f.value("nonce"), "n\"x");
  EXPECT_EQ(f.value("uri"), "sip:a@b;x=\"y\"");
  // A control character has no quoted-string form: no credentials rather than a broken header.
  ClientAuth bad{{"al\nice", "pw", {}}};
  ASSERT_EQ(feed(bad, {kMd5Challenge}), ClientAuth::Action::retry);
  EXPECT_FALSE(bad.authorize("SUBSCRIBE", "sip:a@b"));
}

}  // namespace
}  // namespace sipcred::auth
