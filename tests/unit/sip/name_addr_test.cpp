#include "sip/name_addr.hpp"

#include <gtest/gtest.h>

namespace sipcred::sip {
namespace {

// Header values from RFC 3261 §20.20, §20.39 and §20.10.
TEST(NameAddr, Rfc3261Examples) {
  auto a = parse_name_addr("\"A. G. Bell\" <sip:agb@bell-telephone.com> ;tag=a48s");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->display(), "A. G. Bell");
  EXPECT_TRUE(a->bracketed);
  EXPECT_EQ(a->uri.user, "agb");
  EXPECT_EQ(a->tag(), "a48s");

  auto b = parse_name_addr("sip:+12125551212@server.phone2net.com;tag=887s");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->bracketed);
  EXPECT_EQ(b->uri.user, "+12125551212");
  EXPECT_TRUE(b->uri.params.empty());  // addr-spec: the parameter is the header's
  EXPECT_EQ(b->tag(), "887s");

  auto c = parse_name_addr("Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->display(), "Anonymous");

  auto d = parse_name_addr(
      "\"Mr. Watson\" <sip:watson@worcester.bell-telephone.com>;q=0.7; expires=3600");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->params.value("expires"), "3600");
  EXPECT_EQ(d->params.value("q"), "0.7");

  auto e = parse_name_addr("The Operator <sip:operator@cs.columbia.edu>;tag=287447");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->display(), "The Operator");
}

TEST(NameAddr, Invalid) {
  for (const char* text : {"", "<sip:a@b", "\"open <sip:a@b>", "Bell, Alexander <sip:a@b>",
                           "< sip:a@b >", "<sip:a@b> junk", "sip:a@b;tag"}) {
    if (std::string_view{text} == "sip:a@b;tag") {
      EXPECT_TRUE(parse_name_addr(text)) << text;  // a flag parameter is fine
      continue;
    }
    EXPECT_FALSE(parse_name_addr(text)) << text;
  }
}

}  // namespace
}  // namespace sipcred::sip
