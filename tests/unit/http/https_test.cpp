// net::HttpsServer and net::fetch over loopback: the server's limits (requests per connection,
// connections per source, handshake timeout, header size) judged by curl and plain sockets, and
// the client's checks (body limit, allowed hosts, status, name) against the server. The TLS
// certificate is made by the openssl CLI; expected statuses are RFC 9110's.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "crypto/tls.hpp"
#include "http/router.hpp"
#include "net/http/fetch.hpp"
#include "net/http/https_server.hpp"
#include "support/run.hpp"

namespace sipcred::net {
namespace {

class Https : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made =
        test::run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                  dir_ / "key.pem" + " -out " + dir_ / "cert.pem" +
                  " -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
                  " -addext basicConstraints=critical,CA:FALSE");
    ASSERT_EQ(made.status, 0) << made.out;
    auto tls =
        crypto::TlsServerContext::create({{"localhost", dir_ / "cert.pem", dir_ / "key.pem"}});
    ASSERT_TRUE(tls) << tls.error().message();
    tls_.emplace(std::move(*tls));
    router_.add_static("*", "/health", "text/plain", "ok");
    router_.add_static("*", "/big", "application/octet-stream", std::string(20000, 'b'));
    router_.add_static("*", "/limit", "application/octet-stream", std::string(16384, 'l'));
  }

  // A server on a thread of its own, on an ephemeral loopback port.
  uint16_t start(HttpsServerConfig config = {}) {
    config.listen = {{"127.0.0.1", 0}};
    server_.emplace(config, router_, *tls_);
    auto r = server_->start();
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return server_->ports().at(0);
  }

  std::string url(uint16_t port, const std::string& path, const std::string& host = "localhost") {
    return "https://" + host + ":" + std::to_string(port) + path;
  }

  FetchOptions options() {
    FetchOptions o;
    o.ca_file = dir_ / "cert.pem";
    return o;
  }

  std::string curl(const std::string& args) {
    return test::run("curl -sS --max-time 10 --cacert " + dir_ / "cert.pem" + " " + args).out;
  }

  test::TempDir dir_;
  std::optional<crypto::TlsServerContext> tls_;
  http::Router router_;
  std::optional<HttpsServer> server_;
};

// A plain TCP connection to 127.0.0.1:port; -1 when refused.
int connect_tcp(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Whether the peer closed `fd` within `wait` (recv returns 0 or an error).
bool closed_within(int fd, std::chrono::milliseconds wait) {
  timeval tv{static_cast<time_t>(wait.count() / 1000),
             static_cast<suseconds_t>((wait.count() % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  ssize_t n = recv(fd, &c, 1, 0);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

TEST_F(Https, FetchBlockingAgainstServer) {
  auto port = start();
  auto r = fetch_blocking(url(port, "/health"), options());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->content_type, "text/plain");
  EXPECT_EQ(r->body, "ok");
  // REQ-PART TLS-2: an IP literal must be an IP SubjectAltName; this certificate has 127.0.0.1.
  EXPECT_TRUE(fetch_blocking(url(port, "/health", "127.0.0.1"), options()));

  auto missing = fetch_blocking(url(port, "/none"), options());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().detail.find("status 404"), std::string::npos) << missing.error().detail;
}

TEST_F(Https, FetchLimitsAndAllowedHosts) {
  auto port = start();
  auto exact = fetch_blocking(url(port, "/limit"), options());  // 16384 = the default limit
  ASSERT_TRUE(exact) << exact.error().message();
  EXPECT_EQ(exact->body.size(), 16384u);
  auto big = fetch_blocking(url(port, "/big"), options());
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::limit);
  EXPECT_EQ(big.error().detail, url(port, "/big") + ": body larger than 16384 bytes");

  auto o = options();
  o.allowed_hosts = {"example.com", "LocalHost"};
  EXPECT_TRUE(fetch_blocking(url(port, "/health"), o));
  o.allowed_hosts = {"example.com"};
  auto refused = fetch_blocking(url(port, "/health"), o);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::config);
  EXPECT_EQ(refused.error().detail, url(port, "/health") + ": host localhost is not allowed");

  auto bad = fetch_blocking("https://localhost:" + std::to_string(port) + "/#x", options());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::parse);
}

// The system store does not know this self-signed certificate.
TEST_F(Https, FetchRefusesAnUntrustedChain) {
  // REQ-PART TLS-2
  auto port = start();
  auto r = fetch_blocking(url(port, "/health"), FetchOptions{});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("certificate verify failed"), std::string::npos)
      << r.error().detail;
}

// The server and the asynchronous client on one io_context and one thread, as in `serve`.
TEST_F(Https, SharedIoContext) {
  boost::asio::io_context io{1};
  HttpsServerConfig config;
  config.listen = {{"127.0.0.1", 0}};
  HttpsServer server{io, config, router_, *tls_};
  ASSERT_TRUE(server.start());
  int answers = 0;
  std::string body;
  for (int i = 0; i < 3; ++i) {
    fetch(io, url(server.ports().at(0), "/health"), options(), [&](Result<FetchResponse> r) {
      if (r) body = r->body;
      if (++answers == 3) server.stop();
    });
  }
  io.run_for(std::chrono::seconds{10});
  EXPECT_EQ(answers, 3);
  EXPECT_EQ(body, "ok");
}

TEST_F(Https, RequestsPerConnection) {
  HttpsServerConfig config;
  config.max_requests_per_connection = 2;
  auto port = start(config);
  // curl sends the three on one connection while the server keeps it; the second response
  // says Connection: close and the third needs a new connection.
  auto u = url(port, "/health");
  auto out = curl("-v " + u + " " + u + " " + u);
  EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
  size_t reused = 0;
  for (size_t at = out.find("Re-using existing connection"); at != std::string::npos;
       at = out.find("Re-using existing connection", at + 1)) {
    ++reused;
  }
  EXPECT_EQ(reused, 1u) << out;
}

TEST_F(Https, ConnectionsPerSource) {
  HttpsServerConfig config;
  config.max_connections_per_source = 1;
  auto port = start(config);
  int held = connect_tcp(port);
  ASSERT_GE(held, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds{100});  // accepted and counted
  int second = connect_tcp(port);
  ASSERT_GE(second, 0);  // the kernel accepts; the server closes it at once
  EXPECT_TRUE(closed_within(second, std::chrono::milliseconds{2000}));
  close(second);
  close(held);
  std::this_thread::sleep_for(std::chrono::milliseconds{100});
  EXPECT_EQ(curl(url(port, "/health")), "ok");  // the count went down again
}

TEST_F(Https, HandshakeTimeout) {
  HttpsServerConfig config;
  config.handshake_timeout = std::chrono::milliseconds{300};
  auto port = start(config);
  int fd = connect_tcp(port);
  ASSERT_GE(fd, 0);
  auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(closed_within(fd, std::chrono::milliseconds{3000}));
  auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(took, std::chrono::milliseconds{250});
  EXPECT_LT(took, std::chrono::milliseconds{2000});
  close(fd);
}

// RFC 6585 §5: 431 for a header over the limit; the connection closes.
TEST_F(Https, HeaderLimit) {
  HttpsServerConfig config;
  config.max_header_bytes = 1024;
  auto port = start(config);
  auto code = [&](size_t n) {
    return curl("-o /dev/null -w '%{http_code}' -H 'X-Pad: " + std::string(n, 'p') + "' " +
                url(port, "/health"));
  };
  EXPECT_EQ(code(100), "200");
  EXPECT_EQ(code(2000), "431");
}

// Bodies reach a handler that takes them, up to the limit (RFC 9110 §15.5.14: 413 beyond); a
// handler cannot break the framing or inject fields.
TEST_F(Https, BodiesAndHandlerFields) {
  router_.add_prefix("*", "/put",
                     [](const http::Request& r) {
                       auto out = http::text_response(200, "got " + std::to_string(r.body.size()));
                       out.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: injected");
                       out.headers.emplace_back("Content-Length", "999");
                       out.headers.emplace_back("X-Fine", "yes");
                       return out;
                     },
                     {"PUT"});
  HttpsServerConfig config;
  config.max_body_bytes = 100;
  auto port = start(config);
  auto out = curl("-i -X PUT --data-binary " + std::string(100, 'x') + " " + url(port, "/put"));
  EXPECT_NE(out.find("got 100"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Fine: yes"), std::string::npos) << out;
  EXPECT_EQ(out.find("Set-Cookie"), std::string::npos) << out;
  EXPECT_EQ(out.find("999"), std::string::npos) << out;
  auto code = [&](const std::string& args) {
    return curl("-o /dev/null -w '%{http_code}' " + args);
  };
  EXPECT_EQ(code("-X PUT --data-binary " + std::string(101, 'x') + " " + url(port, "/put")), "413");
  EXPECT_EQ(code("-X PUT -H 'Transfer-Encoding: chunked' --data-binary x " + url(port, "/put")),
            "413");
  EXPECT_EQ(code("-X POST --data-binary x " + url(port, "/put")), "405");
  EXPECT_EQ(code("-X PUT --data-binary x " + url(port, "/nothing")), "404");
  EXPECT_EQ(code("--data-binary x -X GET " + url(port, "/health")), "400");
}

}  // namespace
}  // namespace sipcred::net
