// The BIGNUM layer under KEA against Crypto++'s Integer (an independent big-number library).
#include <cryptopp/integer.h>
#include <cryptopp/nbtheory.h>
#include <cryptopp/osrng.h>
#include <gtest/gtest.h>

#include "crypto/kea.hpp"
#include "support/vec_file.hpp"

namespace sipcred::crypto {
namespace {

using CryptoPP::Integer;

Bytes enc(const Integer& n, size_t len) {
  Bytes v(len);
  n.Encode(v.data(), len);
  return v;
}

Integer dec(const Bytes& v) {
  return Integer(v.data(), v.size());
}

// Secret-exponent (fixed-length, constant-time) and public exponentiation agree with Crypto++ on
// the kea.vec domains for random exponents, including the edge values 1 and q - 1.
TEST(KeaBignum, ExponentiationMatchesCryptopp) {
  CryptoPP::AutoSeededRandomPool rng;
  size_t checked = 0;
  for (const auto& v : test::read_vec("rfc2876/kea.vec")) {
    const Bytes p = v.bytes("p"), q = v.bytes("q"), g = v.bytes("g");
    auto mp = ModP::create(p);
    ASSERT_TRUE(mp) << mp.error().message();
    EXPECT_EQ(mp->size(), 128u);
    const Integer P = dec(p), Q = dec(q), G = dec(g);
    std::vector<Integer> exps{Integer::One(), Q - 1};
    for (int i = 0; i < 8; ++i) exps.push_back(Integer(rng, Integer::One(), Q - 1));
    for (const auto& e : exps) {
      const Bytes eb = enc(e, 20);
      const Bytes want = enc(a_exp_b_mod_c(G, e, P), 128);
      auto s = mp->exp_secret(g, eb, q);
      ASSERT_TRUE(s) << s.error().message();
      EXPECT_EQ(*s, want);
      auto pub = mp->exp_public(g, eb);
      ASSERT_TRUE(pub);
      EXPECT_EQ(*pub, want);
      ++checked;
    }
    // (a + b) mod p with a carry past p.
    const Integer a = P - 5, b = Integer(7);
    auto sum = mp->add(enc(a, 128), enc(b, 128));
    ASSERT_TRUE(sum);
    EXPECT_EQ(*sum, enc(Integer(2), 128));
  }
  EXPECT_GE(checked, 40u);
}

TEST(KeaBignum, SecretExponentMustBeBelowQ) {
  const auto v = test::read_vec("rfc2876/kea.vec").at(0);
  auto mp = ModP::create(v.bytes("p"));
  ASSERT_TRUE(mp);
  auto r = mp->exp_secret(v.bytes("g"), v.bytes("q"), v.bytes("q"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(KeaBignum, HelpersAgreeWithCryptopp) {
  const auto v = test::read_vec("rfc2876/kea.vec").at(0);
  const Bytes p = v.bytes("p"), q = v.bytes("q");
  EXPECT_EQ(big_bits(p), static_cast<size_t>(dec(p).BitCount()));
  EXPECT_EQ(big_bits(q), 160u);
  EXPECT_EQ(*big_is_probable_prime(p), CryptoPP::IsPrime(dec(p)));
  EXPECT_TRUE(*big_is_probable_prime(q));
  EXPECT_FALSE(*big_is_probable_prime(big_minus_one(p)));
  EXPECT_TRUE(*big_divides(q, big_minus_one(p)));
  EXPECT_FALSE(*big_divides(q, p));
  EXPECT_LT(big_compare(q, p), 0);
  const Bytes padded = [&] {
    Bytes b(3, 0);
    b.insert(b.end(), q.begin(), q.end());
    return b;
  }();
  EXPECT_EQ(big_compare(padded, q), 0);
  EXPECT_EQ(big_trim(padded), big_trim(q));
  for (int i = 0; i < 50; ++i) {
    auto r = big_random_below(q, 20);
    ASSERT_TRUE(r);
    const Integer R = dec(*r);
    EXPECT_TRUE(R >= Integer::One() && R < dec(q));
  }
  EXPECT_FALSE(big_random_below(Bytes{1}, 20));
  EXPECT_FALSE(ModP::create(q.empty() ? Bytes{} : Bytes{4}));
}

}  // namespace
}  // namespace sipcred::crypto
