#include "auth/nonce.hpp"

#include <gtest/gtest.h>

#include <set>

#include "unit/auth/vectors.hpp"

namespace sipcred::auth {
namespace {

using std::chrono::seconds;

const WallTime kT0{seconds{1'700'000'000}};

NonceCodec codec(uint8_t fill = 7) {
  return NonceCodec{std::vector<uint8_t>(32, fill), seconds{300}};
}

TEST(DigestNonce, IssuedNoncesCheckAndDiffer) {
  auto c = codec();
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string n = c.issue("example.com", kT0);
    EXPECT_EQ(n.size(), NonceCodec::kNonceChars);
    EXPECT_TRUE(seen.insert(n).second);
    auto r = c.check(n, "example.com", kT0 + seconds{10});
    EXPECT_EQ(r.state, NonceCodec::State::valid);
    EXPECT_EQ(r.issued, kT0);
    EXPECT_EQ(r.key.size(), NonceCodec::kTagBytes);
  }
}

// RFC 7616 §3.3: the server decides how long a nonce lives; after that it is stale.
TEST(DigestNonce, ExpiresIntoStale) {
  auto c = codec();
  std::string n = c.issue("example.com", kT0);
  EXPECT_EQ(c.check(n, "example.com", kT0 + seconds{300}).state, NonceCodec::State::valid);
  EXPECT_EQ(c.check(n, "example.com", kT0 + seconds{301}).state, NonceCodec::State::stale);
  // Issued by a node whose clock runs ahead: a little is fine, a lot is stale.
  EXPECT_EQ(c.check(n, "example.com", kT0 - seconds{20}).state, NonceCodec::State::valid);
  EXPECT_EQ(c.check(n, "example.com", kT0 - seconds{60}).state, NonceCodec::State::stale);
}

TEST(DigestNonce, OtherRealmSecretOrAnyTamperingIsInvalid) {
  auto c = codec();
  std::string n = c.issue("example.com", kT0);
  EXPECT_EQ(c.check(n, "example.org", kT0).state, NonceCodec::State::invalid);
  EXPECT_EQ(codec(8).check(n, "example.com", kT0).state, NonceCodec::State::invalid);
  // Every single-character change, including the time field, breaks the MAC.
  for (size_t i = 0; i < n.size(); ++i) {
    std::string t = n;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_EQ(c.check(t, "example.com", kT0).state, NonceCodec::State::invalid) << i;
  }
  EXPECT_EQ(c.check(n.substr(1), "example.com", kT0).state, NonceCodec::State::invalid);
  EXPECT_EQ(c.check(n + "A", "example.com", kT0).state, NonceCodec::State::invalid);
  EXPECT_EQ(c.check("", "example.com", kT0).state, NonceCodec::State::invalid);
  EXPECT_EQ(c.check(std::string(48, '='), "example.com", kT0).state, NonceCodec::State::invalid);
}

// Nonces made by python3 from the written format (tests/data/auth/nonce.vec) check as ours.
TEST(DigestNonce, IndependentlyMadeNoncesCheck) {
  auto vecs = test::load_vectors("nonce.vec");
  ASSERT_EQ(vecs.size(), 3u);
  for (const auto& v : vecs) {
    SCOPED_TRACE(v.name);
    std::string secret = test::unhex(v["Secret"]);
    NonceCodec c{std::vector<uint8_t>(secret.begin(), secret.end()), seconds{300}};
    const WallTime issued{seconds{std::stoll(v["Issued"])}};
    auto r = c.check(v["Nonce"], v["Realm"], issued + seconds{1});
    EXPECT_EQ(r.state, NonceCodec::State::valid);
    EXPECT_EQ(r.issued, issued);
    EXPECT_EQ(c.check(v["Nonce"], v["Realm"] + "x", issued).state, NonceCodec::State::invalid);
    EXPECT_EQ(c.opaque(v["Realm"]), v["Opaque"]);
  }
}

TEST(DigestNonce, OpaqueIsPerRealmAndStable) {
  auto c = codec();
  EXPECT_EQ(c.opaque("example.com"), c.opaque("example.com"));
  EXPECT_NE(c.opaque("example.com"), c.opaque("example.org"));
  EXPECT_NE(c.opaque("example.com"), codec(8).opaque("example.com"));
}

// RFC 7616 §3.4 / §5.5: nc increases with every request on one nonce; the same or a lower value
// again is a replay.
TEST(DigestNonceCount, RefusesReplays) {
  NonceCountTable t{100};
  const seconds life{300};
  EXPECT_EQ(t.use("a", kT0, 1, kT0, life), NonceCountTable::Use::fresh);
  EXPECT_EQ(t.use("a", kT0, 1, kT0, life), NonceCountTable::Use::replay);
  EXPECT_EQ(t.use("a", kT0, 3, kT0, life), NonceCountTable::Use::fresh);
  EXPECT_EQ(t.use("a", kT0, 2, kT0, life), NonceCountTable::Use::replay);
  EXPECT_EQ(t.use("b", kT0, 2, kT0, life), NonceCountTable::Use::fresh);
  EXPECT_EQ(t.size(), 2u);
}

TEST(DigestNonceCount, EntriesLeaveWithTheirNonce) {
  NonceCountTable t{100};
  const seconds life{300};
  for (int i = 0; i < 50; ++i) t.use("n" + std::to_string(i), kT0, 1, kT0, life);
  EXPECT_EQ(t.size(), 50u);
  t.use("late", kT0 + seconds{200}, 1, kT0 + seconds{301}, life);
  EXPECT_EQ(t.size(), 1u);
}

// Bounded memory without ever accepting a replay: once an entry was evicted, a nonce issued no
// later than it and not in the table is "forgotten" (the verifier answers stale=true).
TEST(DigestNonceCount, CapacityEvictsOldestAndForgetsSafely) {
  NonceCountTable t{3};
  const seconds life{300};
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(t.use("n" + std::to_string(i), kT0 + seconds{i}, 1, kT0 + seconds{10}, life),
              NonceCountTable::Use::fresh);
  EXPECT_EQ(t.use("n3", kT0 + seconds{3}, 1, kT0 + seconds{10}, life), NonceCountTable::Use::fresh);
  EXPECT_EQ(t.size(), 3u);
  // n0 was evicted: replaying it is not accepted.
  EXPECT_EQ(t.use("n0", kT0, 1, kT0 + seconds{10}, life), NonceCountTable::Use::forgotten);
  EXPECT_EQ(t.use("n0", kT0, 2, kT0 + seconds{10}, life), NonceCountTable::Use::forgotten);
  // Newer nonces are still tracked normally.
  EXPECT_EQ(t.use("n3", kT0 + seconds{3}, 1, kT0 + seconds{10}, life),
            NonceCountTable::Use::replay);
  EXPECT_EQ(t.use("n9", kT0 + seconds{9}, 1, kT0 + seconds{10}, life), NonceCountTable::Use::fresh);
  EXPECT_EQ(t.size(), 3u);
}

}  // namespace
}  // namespace sipcred::auth
