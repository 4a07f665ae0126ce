#include "crypto/hash.hpp"

#include <gtest/gtest.h>

namespace sipcred::crypto {
namespace {

// FIPS 180-4 / RFC 1321 / RFC 4231 published vectors.
TEST(Hash, PublishedVectors) {
  EXPECT_EQ(to_hex(hash(HashAlg::md5, "abc")), "900150983cd24fb0d6963f7d28e17f72");  // RFC 1321 A.5
  EXPECT_EQ(to_hex(hash(HashAlg::sha1, "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(to_hex(hash(HashAlg::sha256, "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // FIPS 180-4 SHA-512/256 "abc" (NIST example values).
  EXPECT_EQ(to_hex(hash(HashAlg::sha512_256, "abc")),
            "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");
  Hasher h{HashAlg::sha256};
  h.update("a").update("bc");
  EXPECT_EQ(to_hex(h.finish()), to_hex(hash(HashAlg::sha256, "abc")));
}

TEST(Hash, HmacRfc4231Case2) {
  EXPECT_EQ(to_hex(hmac(HashAlg::sha256, "Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hash, HelpersAndRandom) {
  const uint8_t b[] = {0x0a, 0xff, 0x10};
  EXPECT_EQ(to_colon_hex(b), "0A:FF:10");
  EXPECT_TRUE(equal_ct(std::string_view{"abc"}, std::string_view{"abc"}));
  EXPECT_FALSE(equal_ct(std::string_view{"abc"}, std::string_view{"abd"}));
  EXPECT_FALSE(equal_ct(std::string_view{"abc"}, std::string_view{"ab"}));
  auto r1 = random_bytes(32);
  auto r2 = random_bytes(32);
  ASSERT_TRUE(r1 && r2);
  EXPECT_NE(*r1, *r2);
}

}  // namespace
}  // namespace sipcred::crypto
