#include "http/router.hpp"

#include <gtest/gtest.h>

namespace sipcred::http {
namespace {

// Expected statuses and Allow values are RFC 9110's: §15.5.5 (404), §15.5.6 (405 MUST send
// Allow), §9.3.2 (HEAD: GET's header, no content).

Request req(std::string method, std::string target, std::string host = "example.com") {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.host = std::move(host);
  return r;
}

std::string allow(const Response& r) {
  for (const auto& [n, v] : r.headers) {
    if (n == "Allow") return v;
  }
  return "";
}

TEST(Router, StaticGetHeadAndOthers) {
  Router router;
  router.add_static("*", "/health", "text/plain", "ok");
  auto get = router.route(req("GET", "/health"));
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.content_type, "text/plain");
  EXPECT_EQ(get.body, "ok");
  EXPECT_FALSE(get.head_length);

  auto head = router.route(req("HEAD", "/health"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  ASSERT_TRUE(head.head_length);
  EXPECT_EQ(*head.head_length, 2u);

  for (const char* m : {"POST", "PUT", "DELETE", "get", "OPTIONS"}) {
    auto r = router.route(req(m, "/health"));
    EXPECT_EQ(r.status, 405) << m;
    EXPECT_EQ(allow(r), "GET, HEAD") << m;
  }
  EXPECT_EQ(router.route(req("GET", "/health?probe=1")).status, 200);  // the query is ignored
  EXPECT_EQ(router.route(req("GET", "/health/")).status, 404);
  EXPECT_EQ(router.route(req("GET", "/nothing")).status, 404);
  EXPECT_EQ(router.route(req("POST", "/nothing")).status, 404);
  auto head404 = router.route(req("HEAD", "/nothing"));
  EXPECT_EQ(head404.status, 404);
  EXPECT_EQ(head404.body, "");
}

// One endpoint, a route per domain; the host compares case-insensitively.
TEST(Router, HostsAndWildcard) {
  // REQ-PART TLS-3
  Router router;
  router.add_static("Example.COM", "/cert", "application/pkix-cert", "com");
  router.add_static("example.org", "/cert", "application/pkix-cert", "org");
  router.add_static("*", "/cert", "application/pkix-cert", "any");
  EXPECT_EQ(router.route(req("GET", "/cert", "example.com")).body, "com");
  EXPECT_EQ(router.route(req("GET", "/cert", "EXAMPLE.com")).body, "com");
  EXPECT_EQ(router.route(req("GET", "/cert", "example.org")).body, "org");
  EXPECT_EQ(router.route(req("GET", "/cert", "example.net")).body, "any");
  EXPECT_EQ(router.route(req("GET", "/cert", "")).body, "any");

  Router only;
  only.add_static("example.com", "/cert", "application/pkix-cert", "com");
  EXPECT_EQ(only.route(req("GET", "/cert", "example.org")).status, 404);
  EXPECT_EQ(only.route(req("GET", "/cert", "sub.example.com")).status, 404);

  router.add_static("example.com", "/cert", "application/pkix-cert", "replaced");
  EXPECT_EQ(router.route(req("GET", "/cert", "example.com")).body, "replaced");
}

TEST(Router, PrefixHandlers) {
  Router router;
  std::string seen;
  router.add_prefix("*", "/search-cgi", [&](const Request& r) {
    seen = std::string{r.path()} + "|" + std::string{r.query()} + "|" + r.method;
    Response out;
    out.content_type = "application/pkix-cert";
    out.body = "DER";
    out.headers.emplace_back("Cache-Control", "max-age=60");
    return out;
  });
  router.add_prefix("example.com", "/search-cgi",
                    [](const Request&) { return text_response(200, "com"); },
                    {"GET", "PUT", "DELETE"});
  router.add_prefix("*", "/search-cgi/deeper",
                    [](const Request&) { return text_response(200, "deeper"); });

  auto r = router.route(req("GET", "/search-cgi?email=bob%40example.org", "example.org"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "DER");
  EXPECT_EQ(seen, "/search-cgi|email=bob%40example.org|GET");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Cache-Control");

  // A named host beats "*" at the same prefix; a longer prefix beats both.
  EXPECT_EQ(router.route(req("GET", "/search-cgi", "example.com")).body, "com");
  EXPECT_EQ(router.route(req("PUT", "/search-cgi", "example.com")).status, 200);
  EXPECT_EQ(router.route(req("GET", "/search-cgi/deeper/x", "example.com")).body, "deeper");

  auto put = router.route(req("PUT", "/search-cgi", "example.org"));
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(allow(put), "GET, HEAD");
  auto del = router.route(req("POST", "/search-cgi", "example.com"));
  EXPECT_EQ(del.status, 405);
  EXPECT_EQ(allow(del), "GET, PUT, DELETE, HEAD");

  auto head = router.route(req("HEAD", "/search-cgi", "example.org"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.head_length.value_or(0), 3u);
  EXPECT_EQ(seen, "/search-cgi||HEAD");

  // refusal() never runs a handler.
  seen.clear();
  EXPECT_FALSE(router.refusal(req("GET", "/search-cgi", "example.org")));
  EXPECT_EQ(seen, "");
  EXPECT_EQ(router.refusal(req("POST", "/search-cgi", "example.org"))->status, 405);
  EXPECT_EQ(router.refusal(req("POST", "/other", "example.org"))->status, 404);
}

TEST(Request, HeaderLookup) {
  Request r;
  r.headers = {{"Host", "example.com"}, {"X-A", "1"}, {"x-a", "2"}};
  EXPECT_EQ(r.header("host").value_or(""), "example.com");
  EXPECT_EQ(r.header("X-a").value_or(""), "1");
  EXPECT_FALSE(r.header("Accept"));
}

TEST(Reason, Phrases) {
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");  // RFC 6585 §5
  EXPECT_EQ(reason_phrase(299), "");
}

}  // namespace
}  // namespace sipcred::http
