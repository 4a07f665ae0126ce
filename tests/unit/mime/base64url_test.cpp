// base64url without padding (RFC 4648 §5), as digest nonces and JWS (RFC 7515 §2) use it.
#include <gtest/gtest.h>

#include "mime/base64.hpp"

namespace sipcred::mime {
namespace {

TEST(Base64url, Rfc4648Vectors) {
  // RFC 4648 §10's vectors, in the URL-safe alphabet and without padding.
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(*base64url_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(*base64url_decode("-_8"), "\xfb\xff");
}

TEST(Base64url, OneTextPerValue) {
  EXPECT_FALSE(base64url_decode("Zh"));     // non-zero spare bits: not canonical
  EXPECT_FALSE(base64url_decode("-_9"));    // the same
  EXPECT_FALSE(base64url_decode("Zm9v+"));  // standard alphabet
  EXPECT_FALSE(base64url_decode("Zg=="));   // padding
  EXPECT_FALSE(base64url_decode("Z"));      // 1 mod 4
  EXPECT_FALSE(base64url_decode("Zm 9v"));  // white space
}

}  // namespace
}  // namespace sipcred::mime
