// KEA (facts sheet §2): the NSA annex key formation, complete agreements against vectors made with
// Crypto++ (tests/data/rfc2876/README.md), the public-value checks and domain validation.
#include "cms/rfc2876/kea.hpp"

#include <gtest/gtest.h>

#include "crypto/hash.hpp"
#include "support/vec_file.hpp"

namespace sipcred::cms::rfc2876 {
namespace {

using test::read_vec;

Bytes to_bytes(const SkipjackKey& k) {
  return Bytes(k.begin(), k.end());
}

KeaDomain domain_of(const test::VecBlock& v) {
  return KeaDomain{v.bytes("p"), v.bytes("q"), v.bytes("g")};
}

// Facts §2.6.1: the annex's v1 || v2 give the annex's TEK under the FORTEZZA byte order only.
TEST(Kea, AnnexKeyFormation) {
  size_t n = 0;
  for (const auto& v : read_vec("rfc2876/kea_annex.vec")) {
    Bytes w = v.bytes("v1v2");
    w.resize(kKeaPSize, 0);
    auto tek = kea_tek_from_w(w);
    ASSERT_TRUE(tek) << v.where();
    EXPECT_EQ(to_bytes(*tek), v.bytes("tek")) << v.where();
    EXPECT_NE(to_bytes(*tek), v.bytes("spec_order_tek")) << v.where();
    ++n;
  }
  EXPECT_EQ(n, 2u);
  EXPECT_FALSE(kea_tek_from_w(Bytes(127, 1)));
}

// Domain identifier (RFC 2528 §3.1.1, facts §3) and Dss-Parms round trip.
TEST(Kea, DomainIdentifierAndDssParms) {
  for (const auto& v : read_vec("rfc2876/kea.vec")) {
    const KeaDomain d = domain_of(v);
    const KeaDomainId id = kea_domain_identifier(d);
    EXPECT_EQ(Bytes(id.begin(), id.end()), v.bytes("domain_id")) << v.where();
    auto back = parse_dss_parms(dss_parms_der(d));
    ASSERT_TRUE(back);
    EXPECT_EQ(crypto::to_hex(back->p), crypto::to_hex(v.bytes("p")));
  }
  EXPECT_FALSE(parse_dss_parms(Bytes{0x30, 0x03, 0x02, 0x01, 0x01}));
}

// Key pairs from the given private values reproduce the public values, and both modes reproduce
// the TEKs Crypto++ computed, from either side.
TEST(Kea, AgreementVectors) {
  // REQ-PART CMS-7 (KEA step of the receiver)
  size_t n = 0;
  for (const auto& v : read_vec("rfc2876/kea.vec")) {
    const KeaDomain d = domain_of(v);
    ASSERT_TRUE(validate_kea_domain(d)) << v.where();
    auto a = kea_key_pair_from_private(d, v.bytes("xa"));
    auto ra = kea_key_pair_from_private(d, v.bytes("ra"));
    auto b = kea_key_pair_from_private(d, v.bytes("xb"));
    auto rb = kea_key_pair_from_private(d, v.bytes("rb"));
    ASSERT_TRUE(a && ra && b && rb) << v.where();
    EXPECT_EQ(a->y, v.bytes("ya"));
    EXPECT_EQ(ra->y, v.bytes("ra_pub"));
    EXPECT_EQ(b->y, v.bytes("yb"));
    EXPECT_EQ(rb->y, v.bytes("rb_pub"));

    auto sender = kea_email_originator(d, *a, *ra, b->y);
    auto receiver = kea_email_recipient(d, *b, a->y, ra->y);
    ASSERT_TRUE(sender && receiver) << v.where();
    EXPECT_EQ(to_bytes(*sender), v.bytes("tek_email")) << v.where();
    EXPECT_EQ(to_bytes(*receiver), v.bytes("tek_email")) << v.where();
    auto tek = kea_tek_from_w(v.bytes("w_email"));
    EXPECT_EQ(to_bytes(*tek), v.bytes("tek_email"));

    auto side_a = kea_agree(d, *a, *ra, b->y, rb->y);
    auto side_b = kea_agree(d, *b, *rb, a->y, ra->y);
    ASSERT_TRUE(side_a && side_b) << v.where();
    EXPECT_EQ(to_bytes(*side_a), v.bytes("tek_two_pass")) << v.where();
    EXPECT_EQ(to_bytes(*side_b), v.bytes("tek_two_pass")) << v.where();
    ++n;
  }
  EXPECT_EQ(n, 4u);
}

// Independent key pairs on a fresh domain reach the same TEK on both sides (e-mail mode).
TEST(Kea, FreshKeysAgree) {
  const auto v = read_vec("rfc2876/kea.vec").at(0);
  const KeaDomain d = domain_of(v);
  for (int i = 0; i < 5; ++i) {
    auto a = generate_kea_key_pair(d), ra = generate_kea_key_pair(d), b = generate_kea_key_pair(d);
    ASSERT_TRUE(a && ra && b);
    EXPECT_EQ(a->x.size(), kKeaPrivateSize);
    EXPECT_EQ(a->y.size(), kKeaPublicSize);
    auto s = kea_email_originator(d, *a, *ra, b->y);
    auto r = kea_email_recipient(d, *b, a->y, ra->y);
    ASSERT_TRUE(s && r);
    EXPECT_EQ(*s, *r);
    // A different recipient key gives a different TEK.
    auto c = generate_kea_key_pair(d);
    auto wrong = kea_email_recipient(d, *c, a->y, ra->y);
    ASSERT_TRUE(wrong);
    EXPECT_NE(*wrong, *s);
  }
}

// Facts §2.2: 1 < V < p and V^q = 1 for every received public value.
TEST(Kea, PublicValueChecks) {
  const auto v = read_vec("rfc2876/kea.vec").at(0);
  const KeaDomain d = domain_of(v);
  EXPECT_TRUE(check_kea_public_value(d, v.bytes("ya")));
  EXPECT_FALSE(check_kea_public_value(d, Bytes{0}));
  EXPECT_FALSE(check_kea_public_value(d, Bytes{1}));
  EXPECT_FALSE(check_kea_public_value(d, v.bytes("p")));
  EXPECT_FALSE(check_kea_public_value(d, Bytes(129, 0xff)));
  // p - 1 has order 2, not q.
  Bytes pm1 = v.bytes("p");
  pm1.back() -= 1;
  auto bad = check_kea_public_value(d, pm1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::crypto);
  // 2 is (with overwhelming probability) outside the order-q subgroup of a DSA group.
  EXPECT_FALSE(check_kea_public_value(d, Bytes{2}));
  auto b = kea_key_pair_from_private(d, v.bytes("xb"));
  auto a = kea_key_pair_from_private(d, v.bytes("xa"));
  EXPECT_FALSE(kea_email_recipient(d, *b, a->y, pm1));
  EXPECT_FALSE(kea_email_recipient(d, *b, Bytes{1}, a->y));
}

TEST(Kea, DomainValidation) {
  const auto v = read_vec("rfc2876/kea.vec").at(0);
  const KeaDomain d = domain_of(v);
  EXPECT_TRUE(validate_kea_domain(d));
  KeaDomain bad_g = d;
  bad_g.g = Bytes{2};
  EXPECT_FALSE(validate_kea_domain(bad_g));
  KeaDomain bad_q = d;
  bad_q.q.back() ^= 2;
  EXPECT_FALSE(validate_kea_domain(bad_q));
  KeaDomain bad_p = d;
  bad_p.p.back() ^= 2;
  EXPECT_FALSE(validate_kea_domain(bad_p));
  KeaDomain small = d;
  small.p.erase(small.p.begin());
  EXPECT_FALSE(validate_kea_domain(small));
  EXPECT_FALSE(kea_key_pair_from_private(d, d.q));
  EXPECT_FALSE(kea_key_pair_from_private(d, Bytes{0}));
}

TEST(Kea, GeneratedDomainValidates) {
  auto d = generate_kea_domain();
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_TRUE(validate_kea_domain(*d));
}

}  // namespace
}  // namespace sipcred::cms::rfc2876
