#include "http/url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sipcred::http {
namespace {

// Expected components are read off the RFC text each URL comes from, not computed by the parser.

// RFC 9110 §4.2.3's example (there with http): scheme and host compare case-insensitively, and
// an empty path is "/".
TEST(HttpsUrl, Rfc9110NormalizationExample) {
  for (const char* text :
       {"https://example.com/~smith/home.html", "HTTPS://EXAMPLE.com/~smith/home.html",
        "https://example.com:/~smith/home.html"}) {
    auto u = parse_https_url(text);
    ASSERT_TRUE(u) << text << ": " << u.error().detail;
    EXPECT_EQ(u->host, "example.com");
    EXPECT_EQ(u->port, 443);
    EXPECT_EQ(u->target, "/~smith/home.html");
  }
  auto bare = parse_https_url("https://example.com");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->target, "/");
}

// RFC 4474 §6's Identity-Info example, with its port and a path.
TEST(HttpsUrl, Rfc4474IdentityInfo) {
  auto u = parse_https_url("https://atlanta.example.com/atlanta.cer");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "atlanta.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/atlanta.cer");
  EXPECT_EQ(u->to_string(), "https://atlanta.example.com/atlanta.cer");
}

// The certificate store's query form keeps its percent-escapes.
TEST(HttpsUrl, CertificateStoreQuery) {
  // REQ-PART HTTP-2
  auto u =
      parse_https_url("https://certificates.example.com:8443/search-cgi?email=bob%40example.com");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "certificates.example.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/search-cgi?email=bob%40example.com");
  EXPECT_EQ(u->authority(), "certificates.example.com:8443");
  auto q = parse_https_url("https://example.com?x=1");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->target, "/?x=1");
}

// RFC 3986 §3.2.2: IP-literal in brackets (the address is RFC 3986 §1.1.2's example); IPv4.
TEST(HttpsUrl, IpLiterals) {
  auto v6 = parse_https_url("https://[2001:DB8::7]:8443/c");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "2001:db8::7");
  EXPECT_EQ(v6->port, 8443);
  EXPECT_TRUE(v6->host_is_ip());
  EXPECT_EQ(v6->authority(), "[2001:db8::7]:8443");
  EXPECT_EQ(v6->to_string(), "https://[2001:db8::7]:8443/c");
  auto v4 = parse_https_url("https://192.0.2.4/");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "192.0.2.4");
  EXPECT_TRUE(v4->host_is_ip());
  EXPECT_FALSE(parse_https_url("https://localhost/")->host_is_ip());
  auto loop = parse_https_url("https://[::1]/");
  ASSERT_TRUE(loop);
  EXPECT_EQ(loop->authority(), "[::1]");
}

TEST(HttpsUrl, PortBounds) {
  EXPECT_EQ(parse_https_url("https://h.example:1/")->port, 1);
  EXPECT_EQ(parse_https_url("https://h.example:65535/")->port, 65535);
  for (const char* bad :
       {"https://h.example:0/", "https://h.example:65536/", "https://h.example:123456/",
        "https://h.example:8x/", "https://h.example:-1/", "https://h.example:+443/",
        "https://[::1]x/", "https://[::1]:99999/"}) {
    EXPECT_FALSE(parse_https_url(bad)) << bad;
  }
}

TEST(HttpsUrl, Refused) {
  for (const char* bad : {"http://example.com/",  // not https
                          "ftp://example.com/",
                          "https:/example.com/",
                          "https:example.com",
                          "example.com/x",
                          "https://user@example.com/",  // userinfo (RFC 9110 §4.2.4)
                          "https://user:pw@example.com/",
                          "https://example.com@evil.example/",
                          "https://example.com/a#frag",  // fragment
                          "https://example.com#f",
                          "https:///path",
                          "https://:443/",
                          "https://",
                          "https://exa mple.com/",
                          "https://example.com/a b",
                          "https://example.com/a\r\nX: y",
                          "https://example.com/\x7f",
                          "https://example.com/\xc3\xa9",
                          "https://ex\tample.com/",
                          "https://exa%6dple.com/",  // escapes in the host
                          "https://example.com/%zz",
                          "https://example.com/%4",
                          "https://example.com/a\"b",
                          "https://example.com/<x>",
                          "https://example.com/a\\b",
                          "https://example.com/{x}",
                          "https://-example.com/",
                          "https://example-.com/",
                          "https://a..b/",
                          "https://.a/",
                          "https://a./",
                          "https://ex_ample.com/",
                          "https://[::1/",
                          "https://[v1.x]/",
                          "https://[fe80::1%25eth0]/",
                          "https://[1.2.3.4]/",
                          "https://[::g]/",
                          "https://1.2.3/",  // inet_aton would read an address
                          "https://0x7f.1/",
                          "https://999.1.1.1/",
                          "https://127.1/"}) {
    auto u = parse_https_url(bad);
    EXPECT_FALSE(u) << bad << " -> " << (u ? u->to_string() : "");
  }
  EXPECT_TRUE(parse_https_url("https://1.example/"));  // digits are fine in other labels
  EXPECT_TRUE(parse_https_url("https://example.com/a;b=c,d!$&'()*+:@/-._~?q=/?"));
}

TEST(HttpsUrl, Limits) {
  std::string label(63, 'a');
  EXPECT_TRUE(parse_https_url("https://" + label + ".example/"));
  EXPECT_FALSE(parse_https_url("https://" + label + "a.example/"));
  std::string host;
  while (host.size() < 254) host += "a.";
  host += "example";
  EXPECT_FALSE(parse_https_url("https://" + host + "/"));

  std::string prefix = "https://example.com/";
  std::string fits = prefix + std::string(kMaxUrlBytes - prefix.size(), 'x');
  EXPECT_TRUE(parse_https_url(fits));
  auto over = parse_https_url(fits + "x");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, Errc::limit);
  EXPECT_FALSE(parse_https_url(std::string_view{"https://a\0b/", 12}));
}

}  // namespace
}  // namespace sipcred::http
