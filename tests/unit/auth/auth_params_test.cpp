#include "auth/auth_params.hpp"

#include <gtest/gtest.h>

namespace sipcred::auth {
namespace {

// RFC 7235 §2.1 auth-param lists with RFC 7230 §3.2.6 quoted-strings.
TEST(DigestParams, TokensQuotedStringsAndEscapes) {
  auto f = parse_credentials(
      "Digest username=\"Mu\\\"fa\\\\sa\" ,realm = \"a, b\",\tnc=00000001, qop=auth, "
      "Response=\"abc\"");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->is_scheme("digest"));
  EXPECT_EQ(f->value("username"), "Mu\"fa\\sa");
  EXPECT_EQ(f->value("realm"), "a, b");
  EXPECT_EQ(f->value("nc"), "00000001");
  EXPECT_TRUE(f->find("realm")->quoted);
  EXPECT_FALSE(f->find("qop")->quoted);
  EXPECT_EQ(f->value("response"), "abc");  // names are case-insensitive, kept lower-case
  EXPECT_FALSE(f->value("cnonce"));
}

TEST(DigestParams, EmptyListElementsAreIgnored) {
  // RFC 7230 §7: a recipient accepts and ignores empty list elements.
  auto f = parse_credentials("Digest a=1,, ,b=\"2\",");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->params.size(), 2u);
}

TEST(DigestParams, RefusesWhatBreaksTheGrammar) {
  const char* bad[] = {
      "",                                // no scheme
      "Digest",                          // fine as a challenge scheme, see below
      "Digest realm=\"x",                // unterminated
      "Digest realm=\"x\" nonce=\"y\"",  // no comma
      "Digest realm=\"a\x01\"",          // control character inside quotes
      "Digest realm=\"a\\\x01\"",        // escaped control character
      "Digest realm=\"a\\\"",            // escape eats the closing quote
      "Digest realm=a b",                // text after a value
      "Digest realm=x, realm=y",         // RFC 7235 §2.1: a parameter occurs once
      "Digest Realm=x, realm=y",         // ... compared case-insensitively
      "Digest realm=x, ",                // fine: trailing empty element
      "Digest realm=x, Basic",           // a second challenge is not credentials
      "Digest\trealm=\"x\"\r\n",         // CR LF: values arrive unfolded
      "Digestrealm=x",                   // no white space after the scheme
      "Digest realm=(x)",                // not a token
  };
  for (const char* v : bad) {
    std::string_view s{v};
    auto f = parse_credentials(s);
    if (s == "Digest" || s == "Digest realm=x, ") {
      EXPECT_TRUE(f) << s;
    } else {
      EXPECT_FALSE(f) << s;
    }
  }
}

// "realm" or "realm=" alone read as a token68 (RFC 7235 §2.1), which is grammatical; Digest has
// no token68 form, and the verifier refuses it for want of parameters.
TEST(DigestParams, Token68) {
  for (const char* v : {"Digest realm", "Digest realm=", "Bearer abc==", "Basic YWxpY2U6eA=="}) {
    auto f = parse_credentials(v);
    ASSERT_TRUE(f) << v;
    EXPECT_TRUE(f->params.empty()) << v;
    EXPECT_FALSE(f->token68.empty()) << v;
  }
  EXPECT_EQ(parse_credentials("Bearer abc==")->token68, "abc==");
  EXPECT_FALSE(parse_credentials("Bearer abc==, x=1"));
  EXPECT_FALSE(parse_credentials("Bearer a=b=c"));
}

TEST(DigestParams, Limits) {
  std::string many = "Digest ";
  for (int i = 0; i < 40; ++i) many += "p" + std::to_string(i) + "=1, ";
  auto f = parse_credentials(many);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::limit);
  std::string long_value = "Digest realm=\"" + std::string(3000, 'x') + "\"";
  EXPECT_FALSE(parse_credentials(long_value));
  std::string huge = "Digest realm=\"" + std::string(9000, 'x') + "\"";
  EXPECT_EQ(parse_credentials(huge).error().code, Errc::limit);
}

TEST(DigestParams, SeveralChallengesInOneValue) {
  // RFC 7235 §4.1: HTTP may list several challenges in one WWW-Authenticate value.
  auto cs = parse_challenges(
      "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\", "
      "Negotiate, Bearer abc+/==, Digest realm=\"r\", nonce=\"n\"");
  ASSERT_TRUE(cs);
  ASSERT_EQ(cs->size(), 5u);
  EXPECT_EQ((*cs)[0].scheme, "Newauth");
  EXPECT_EQ((*cs)[0].params.size(), 3u);
  EXPECT_EQ((*cs)[0].value("title"), "Login to \"apps\"");
  EXPECT_EQ((*cs)[1].value("realm"), "simple");
  EXPECT_TRUE((*cs)[2].params.empty());
  EXPECT_EQ((*cs)[3].token68, "abc+/==");
  EXPECT_TRUE((*cs)[4].is_scheme("Digest"));
  EXPECT_EQ((*cs)[4].value("nonce"), "n");
  EXPECT_FALSE(parse_challenges(""));
  EXPECT_FALSE(parse_challenges(" , "));
  EXPECT_FALSE(parse_challenges("Digest realm=\"r\" Basic"));
  std::string many;
  for (int i = 0; i < 10; ++i) many += "Basic realm=x, ";
  EXPECT_EQ(parse_challenges(many).error().code, Errc::limit);
}

TEST(DigestParams, ExtValue) {
  // RFC 7616 §3.9.2's username*.
  auto u = decode_ext_value("UTF-8''J%C3%A4s%C3%B8n%20Doe");
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, "J\xC3\xA4s\xC3\xB8n Doe");
  EXPECT_TRUE(decode_ext_value("utf-8'en'abc"));
  EXPECT_FALSE(decode_ext_value("ISO-8859-1''abc"));
  EXPECT_FALSE(decode_ext_value("UTF-8''%C"));
  EXPECT_FALSE(decode_ext_value("UTF-8''%G0"));
  EXPECT_FALSE(decode_ext_value("UTF-8''a b"));
  EXPECT_FALSE(decode_ext_value("UTF-8'abc"));
}

TEST(DigestParams, SerializeParsesBackToTheSame) {
  const char* values[] = {
      "Digest username=\"a\\\\b\\\"c\", realm=\"x y\", nc=00000001",
      "Digest realm=\"r\", qop=\"auth,auth-int\", algorithm=SHA-512-256, userhash=true",
      "Bearer abc.def~",
  };
  for (const char* v : values) {
    auto a = parse_credentials(v);
    ASSERT_TRUE(a) << v;
    auto b = parse_credentials(serialize(*a));
    ASSERT_TRUE(b) << serialize(*a);
    EXPECT_EQ(serialize(*a), serialize(*b));
    EXPECT_EQ(a->params.size(), b->params.size());
  }
  EXPECT_EQ(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_TRUE(is_token("SHA-512-256"));
  EXPECT_FALSE(is_token("a b"));
  EXPECT_FALSE(is_token(""));
}

}  // namespace
}  // namespace sipcred::auth
