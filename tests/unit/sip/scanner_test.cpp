#include "sip/scanner.hpp"

#include <gtest/gtest.h>

namespace sipcred::sip {
namespace {

TEST(Scanner, QuotedStringWithQuotedPairs) {
  // RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
  Scanner in{R"("a \"b\" \\c" rest)"};
  auto q = in.quoted_string();
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, R"("a \"b\" \\c")");
  EXPECT_EQ(unquote(q->substr(1, q->size() - 2)), R"(a "b" \c)");
  Scanner open{R"("never closed)"};
  EXPECT_FALSE(open.quoted_string());
  EXPECT_EQ(open.pos(), 0u);
}

TEST(Scanner, ParamsWithSpacesAroundSeparators) {
  Scanner in{" ;   tag    = 1918181833n ; lr;x=\"q v\""};
  Params p;
  ASSERT_TRUE(in.params(p));
  EXPECT_TRUE(in.at_end());
  EXPECT_EQ(p.value("TAG"), "1918181833n");
  EXPECT_TRUE(p.has("lr"));
  EXPECT_FALSE(p.find("lr")->has_value);
  EXPECT_EQ(p.value("x"), "\"q v\"");
}

TEST(Scanner, SplitListHonoursQuotesAndBrackets) {
  std::vector<std::string_view> out;
  split_list(R"("a, b" <sip:x@y;p=1,2>, <sip:z@w> ,, last)", out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], R"("a, b" <sip:x@y;p=1,2>)");
  EXPECT_EQ(out[1], "<sip:z@w>");
  EXPECT_EQ(out[2], "last");
}

TEST(Scanner, Unescape) {
  EXPECT_EQ(*unescape("I%20have%20spaces"), "I have spaces");
  EXPECT_EQ(*unescape("null-%00-null"), std::string("null-\0-null", 11));
  EXPECT_FALSE(unescape("%4"));
  EXPECT_FALSE(unescape("%zz"));
  EXPECT_FALSE(unescape("abc%"));
}

TEST(Scanner, Numbers) {
  EXPECT_EQ(*parse_number("4294967295", 0xffffffff), 4294967295u);
  EXPECT_FALSE(parse_number("4294967296", 0xffffffff));
  EXPECT_FALSE(parse_number("36893488147419103232", 0xffffffff));  // RFC 4475 scalar02
  EXPECT_FALSE(parse_number("-1", 10));
  EXPECT_FALSE(parse_number("", 10));
}

}  // namespace
}  // namespace sipcred::sip
