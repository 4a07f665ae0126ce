#include "cms/rfc2876/fortezza_wrap.hpp"

#include <cryptopp/skipjack.h>
#include <gtest/gtest.h>

#include <random>

#include "crypto/hash.hpp"
#include "support/vec_file.hpp"

namespace sipcred::cms::rfc2876 {
namespace {

using test::read_vec;
using Bytes = std::vector<uint8_t>;

KeyView key_of(const Bytes& k) {
  EXPECT_EQ(k.size(), kSkipjackKeySize);
  return KeyView{k.data(), kSkipjackKeySize};
}

template <class A>
Bytes to_bytes(const A& a) {
  return Bytes(a.begin(), a.end());
}

// Facts §2.6.1 (the NSA annex's KEA key formation = the 10-octet wrap core, both byte orders)
// and the 12-octet vectors made with Crypto++ (tests/data/rfc2876/README.md), both directions.
TEST(FortezzaWrap, Vectors) {
  // REQ-PART CMS-6 (the wrap; the recipient-info fields come with the CMS layer) REQ CMS-12
  size_t core = 0, full = 0;
  for (const auto& v : read_vec("rfc2876/fortezza_wrap.vec")) {
    const Bytes kek = v.bytes("kek"), key = v.bytes("key"), wrapped = v.bytes("wrapped");
    const ByteOrder order = v.text("order") == "spec" ? ByteOrder::spec : ByteOrder::fortezza;
    if (wrapped.size() == kSkipjackKeySize) {
      const Skipjack cipher{key_of(kek), order};
      EXPECT_EQ(to_bytes(fortezza_wrap80_core(cipher, key_of(key))), wrapped) << v.where();
      EXPECT_EQ(to_bytes(fortezza_unwrap80_core(cipher, key_of(wrapped))), key) << v.where();
      ++core;
    } else {
      ASSERT_EQ(wrapped.size(), kWrappedKeySize) << v.where();
      ASSERT_EQ(order, ByteOrder::fortezza) << v.where();
      EXPECT_EQ(to_bytes(fortezza_wrap80(key_of(kek), key_of(key))), wrapped) << v.where();
      auto un = fortezza_unwrap80(key_of(kek), wrapped);
      ASSERT_TRUE(un) << v.where() << ": " << un.error().message();
      EXPECT_EQ(to_bytes(*un), key) << v.where();
      ++full;
    }
  }
  EXPECT_EQ(core, 4u);
  EXPECT_GE(full, 8u);
}

// RFC 2876 §4.2.1: "the wrapped SKIPJACK key is 96 bits long".
TEST(FortezzaWrap, RoundTripIs96Bits) {
  // REQ-PART CMS-6
  std::mt19937_64 rng{2876};
  for (int i = 0; i < 200; ++i) {
    SkipjackKey kek, cek;
    for (auto& b : kek) b = static_cast<uint8_t>(rng());
    for (auto& b : cek) b = static_cast<uint8_t>(rng());
    const WrappedKey w = fortezza_wrap80(kek, cek);
    static_assert(sizeof(w) * 8 == 96);
    auto un = fortezza_unwrap80(kek, w);
    ASSERT_TRUE(un);
    EXPECT_EQ(*un, cek);
  }
}

// Differential: the same §4.2 steps composed from Crypto++'s SKIPJACK, on random keys.
TEST(FortezzaWrap, MatchesCryptoppComposition) {
  std::mt19937_64 rng{0xf0e7e22a};
  for (int i = 0; i < 200; ++i) {
    uint8_t kek[10], k[10];
    for (auto& b : kek) b = static_cast<uint8_t>(rng());
    for (auto& b : k) b = static_cast<uint8_t>(rng());
    CryptoPP::SKIPJACK::Encryption e{kek, 10};
    uint8_t t[8], want[12];
    e.ProcessBlock(k, t);
    want[8] = k[8] ^ t[0];
    want[9] = k[9] ^ t[1];
    e.ProcessBlock(t, want);
    CryptoPP::SKIPJACK::Encryption self{k, 10};
    const uint8_t fives[8] = {0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55};
    uint8_t c[8];
    self.ProcessBlock(fives, c);
    want[10] = c[1];
    want[11] = c[2];
    ASSERT_EQ(to_bytes(fortezza_wrap80(KeyView{kek}, KeyView{k})), Bytes(want, want + 12));
  }
}

// The check word catches any single altered bit of the 96 (facts §4.2: mismatch = the CI
// library's CI_CHECKWORD_FAIL), and a wrong KEK.
TEST(FortezzaWrap, TamperedWrappedKeyRefused) {
  // REQ-PART CMS-6
  const Bytes kek = test::hex_bytes("11223344556677889900");
  const Bytes cek = test::hex_bytes("00998877665544332211");
  const WrappedKey good = fortezza_wrap80(key_of(kek), key_of(cek));
  for (size_t bit = 0; bit < 96; ++bit) {
    WrappedKey bad = good;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto un = fortezza_unwrap80(key_of(kek), bad);
    ASSERT_FALSE(un) << "bit " << bit;
    EXPECT_EQ(un.error().code, Errc::crypto);
    EXPECT_EQ(un.error().detail, "FORTEZZA wrap check word mismatch");
  }
  const Bytes other_kek = test::hex_bytes("11223344556677889901");
  EXPECT_FALSE(fortezza_unwrap80(key_of(other_kek), good));
}

TEST(FortezzaWrap, WrongLengthRefused) {
  const SkipjackKey kek{};
  for (size_t n : {0u, 10u, 11u, 13u, 24u}) {
    const Bytes wrapped(n, 0);
    auto un = fortezza_unwrap80(kek, wrapped);
    ASSERT_FALSE(un) << n;
    EXPECT_EQ(un.error().code, Errc::parse);
  }
}

}  // namespace
}  // namespace sipcred::cms::rfc2876
