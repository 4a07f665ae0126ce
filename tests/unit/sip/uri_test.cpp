#include "sip/uri.hpp"

#include <gtest/gtest.h>

namespace sipcred::sip {
namespace {

// RFC 3261 §19.1.3: the example SIP and SIPS URIs are all valid.
TEST(Uri, Rfc3261ExamplesParse) {
  for (const char* text :
       {"sip:alice@atlanta.com", "sip:alice:secretword@atlanta.com;transport=tcp",
        "sips:alice@atlanta.com?subject=project%20x&priority=urgent",
        "sip:+1-212-555-1212:1234@gateway.com;user=phone", "sips:1212@gateway.com",
        "sip:alice@192.0.2.4", "sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com",
        "sip:alice;day=tuesday@atlanta.com"}) {
    auto u = parse_uri(text);
    EXPECT_TRUE(u) << text << ": " << (u ? "" : u.error().detail);
  }
}

TEST(Uri, Components) {
  auto u = parse_uri("sips:alice:secretword@atlanta.com:5061;transport=tcp?subject=project%20x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, Scheme::sips);
  EXPECT_EQ(u->user, "alice");
  EXPECT_EQ(u->password, "secretword");
  EXPECT_EQ(u->host.text, "atlanta.com");
  EXPECT_EQ(u->port, 5061);
  EXPECT_EQ(u->params.value("transport"), "tcp");
  EXPECT_EQ(u->headers, "subject=project%20x");

  auto v6 = parse_uri("sip:[2001:db8::10]:5070");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host.kind, HostKind::ipv6);
  EXPECT_EQ(v6->host.text, "[2001:db8::10]");
  EXPECT_EQ(v6->port, 5070);

  auto tel = parse_uri("tel:+1-201-555-0123;ext=1234");  // RFC 3966 §6
  ASSERT_TRUE(tel);
  EXPECT_EQ(tel->scheme, Scheme::tel);
  EXPECT_EQ(tel->number, "+1-201-555-0123");
  EXPECT_EQ(tel->params.value("ext"), "1234");

  auto other = parse_uri("im:bob@example.com");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->scheme, Scheme::other);
  EXPECT_EQ(other->opaque, "bob@example.com");
}

TEST(Uri, Invalid) {
  for (const char* text :
       {"sip:", "sip:@example.com", "sip:a@b:99999", "sip:[2001:db8::10", "sip:[zz::1]",
        "sip:user@exa mple.com", "sip:a@-bad-.com", "sip:a@b;=x", "sip:a@b?", "nocolon", "1sip:a@b",
        "sip:a@b%zz", "sip:a%4@b", "tel:", "sip:a@1.2.3.256x",
        // RFC 3261 §19.1.1: no parameter twice (found by the URI fuzzer, which checks that
        // every URI is equivalent to itself).
        "sip:atlanta.com;method=REGISTER;method=INVITE", "sip:a@b;lr;LR"}) {
    EXPECT_FALSE(parse_uri(text)) << text;
  }
}

// RFC 3261 §19.1.4: the equivalent and non-equivalent pairs printed there.
TEST(Uri, Rfc3261EquivalentPairs) {
  const std::pair<const char*, const char*> equal[] = {
      {"sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"},
      {"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"},
      {"sip:carol@chicago.com", "sip:carol@chicago.com;security=on"},
      {"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"},
      {"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
       "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"},
      {"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
       "sip:alice@atlanta.com?priority=urgent&subject=project%20x"},
  };
  for (auto [a, b] : equal) {
    auto ua = parse_uri(a);
    auto ub = parse_uri(b);
    ASSERT_TRUE(ua && ub) << a << " / " << b;
    EXPECT_TRUE(uri_equivalent(*ua, *ub)) << a << " / " << b;
    EXPECT_TRUE(uri_equivalent(*ub, *ua)) << b << " / " << a;
  }
  const std::pair<const char*, const char*> different[] = {
      {"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"},
      {"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"},
      {"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"},
      {"sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"},
  };
  for (auto [a, b] : different) {
    auto ua = parse_uri(a);
    auto ub = parse_uri(b);
    ASSERT_TRUE(ua && ub) << a << " / " << b;
    EXPECT_FALSE(uri_equivalent(*ua, *ub)) << a << " / " << b;
  }
}

}  // namespace
}  // namespace sipcred::sip
