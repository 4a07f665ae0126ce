// The UDP side of the SIP transport on loopback: requests that queue up in the socket are read in
// batches (recvmmsg) and answered in batches (sendmmsg); every request gets its answer, from the
// address and port it was sent to (RFC 3581 §4, RFC 3261 §18.2.2), over IPv4 and IPv6. The
// client is plain POSIX sockets, independent of the code under test.
#include "net/sip_transport.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <set>
#include <thread>

#include "sip/headers.hpp"
#include "sip/parser.hpp"

namespace sipcred::net {
namespace {

// A port free for both UDP and TCP on `family`'s loopback, as the kernel picks it.
uint16_t free_port(int family) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int u = ::socket(family, SOCK_DGRAM, 0);
    sockaddr_storage sa{};
    socklen_t len = 0;
    if (family == AF_INET) {
      auto& in = reinterpret_cast<sockaddr_in&>(sa);
      in.sin_family = AF_INET;
      in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof in;
    } else {
      auto& in6 = reinterpret_cast<sockaddr_in6&>(sa);
      in6.sin6_family = AF_INET6;
      in6.sin6_addr = in6addr_loopback;
      len = sizeof in6;
    }
    ::bind(u, reinterpret_cast<sockaddr*>(&sa), len);
    ::getsockname(u, reinterpret_cast<sockaddr*>(&sa), &len);
    uint16_t port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in&>(sa).sin_port
                                            : reinterpret_cast<sockaddr_in6&>(sa).sin6_port);
    int t = ::socket(family, SOCK_STREAM, 0);
    bool ok = ::bind(t, reinterpret_cast<sockaddr*>(&sa), len) == 0;
    ::close(t);
    ::close(u);
    if (ok) return port;
  }
  return 0;
}

std::string options(int i, const std::string& host, uint16_t port) {
  return "OPTIONS sip:load@" + host + " SIP/2.0\r\n" + "Via: SIP/2.0/UDP " + host + ":" +
         std::to_string(port) + ";rport;branch=z9hG4bKbatch" + std::to_string(1000 + i) +
         "\r\n"
         "Max-Forwards: 70\r\n"
         "To: <sip:load@example.com>\r\n"
         "From: <sip:test@example.com>;tag=t" +
         std::to_string(i) +
         "\r\n"
         "Call-ID: batch-" +
         std::to_string(i) +
         "\r\n"
         "CSeq: 1 OPTIONS\r\n"
         "Content-Length: 0\r\n\r\n";
}

// Sends `n` requests at once (they queue in the server's socket) and collects the answers.
void burst(int family, const std::string& host, int n) {
  uint16_t port = free_port(family);
  ASSERT_NE(port, 0);
  service::Endpoint endpoint{service::EndpointConfig{.seed = 7}};
  ServerConfig config;
  config.sip.push_back(ListenAddress{host, port});
  Server server{config, endpoint};
  ASSERT_TRUE(server.start());
  std::thread io{[&] { server.run(); }};

  int c = ::socket(family, SOCK_DGRAM, 0);
  sockaddr_storage to{};
  socklen_t to_len = 0;
  if (family == AF_INET) {
    auto& in = reinterpret_cast<sockaddr_in&>(to);
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &in.sin_addr);
    to_len = sizeof in;
  } else {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(to);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    ::inet_pton(AF_INET6, host.c_str(), &in6.sin6_addr);
    to_len = sizeof in6;
  }
  int buf = 4 << 20;
  ::setsockopt(c, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  ::connect(c, reinterpret_cast<sockaddr*>(&to), to_len);  // only answers from the server
  sockaddr_storage local{};
  socklen_t local_len = sizeof local;
  ::getsockname(c, reinterpret_cast<sockaddr*>(&local), &local_len);
  uint16_t local_port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in&>(local).sin_port
                                                : reinterpret_cast<sockaddr_in6&>(local).sin6_port);
  std::string sent_by = family == AF_INET ? host : "[" + host + "]";
  for (int i = 0; i < n; ++i) {
    std::string req = options(i, sent_by, local_port);
    ASSERT_EQ(::send(c, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  }
  std::set<std::string> branches;
  char in[65536];
  while (branches.size() < static_cast<size_t>(n)) {
    pollfd p{c, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) break;
    ssize_t got = ::recv(c, in, sizeof in, 0);
    ASSERT_GT(got, 0);
    auto resp = sip::parse_datagram(std::string_view{in, static_cast<size_t>(got)});
    ASSERT_TRUE(resp);
    EXPECT_EQ(resp->status(), 200);
    auto via = sip::parse_via(*resp->first(sip::HeaderId::via));
    ASSERT_TRUE(via);
    // RFC 3581 §4: rport filled with the source port.
    EXPECT_EQ(via->params.value("rport"), std::to_string(local_port));
    branches.insert(std::string{via->branch()});
  }
  EXPECT_EQ(branches.size(), static_cast<size_t>(n));
  ::close(c);
  server.stop();
  io.join();
}

TEST(SipTransport, UdpBurstAnsweredIPv4) {
  burst(AF_INET, "127.0.0.1", 300);
}

TEST(SipTransport, UdpBurstAnsweredIPv6) {
  int s = ::socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool have_v6 = s >= 0 && ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  if (s >= 0) ::close(s);
  if (!have_v6) GTEST_SKIP() << "no IPv6 loopback";
  burst(AF_INET6, "::1", 300);
}

// A TCP peer that sends requests and never reads the answers: what the server cannot write waits
// in the connection's queue, and past max_queued_bytes the server closes the connection instead
// of letting the queue grow (an attacker's memory otherwise). The client's writes then fail; a
// new connection is served as usual.
TEST(SipTransport, TcpPeerThatDoesNotReadIsClosed) {
  uint16_t port = free_port(AF_INET);
  ASSERT_NE(port, 0);
  service::Endpoint endpoint{service::EndpointConfig{.seed = 7}};
  ServerConfig config;
  config.sip.push_back(ListenAddress{"127.0.0.1", port});
  config.max_queued_bytes = 64 * 1024;
  Server server{config, endpoint};
  ASSERT_TRUE(server.start());
  std::thread io{[&] { server.run(); }};

  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  auto connect_tcp = [&](int rcvbuf) {
    int c = ::socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) ::setsockopt(c, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    timeval tv{5, 0};  // a send that blocks this long means the server stopped reading
    ::setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    EXPECT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    return c;
  };

  int c = connect_tcp(4096);
  bool closed = false;
  int sent = 0;
  // Each answer is ~300 bytes; the kernel's buffers on both sides hold a few MB before anything
  // waits in the server's queue. 100,000 requests are far more than that and the limit together.
  for (; sent < 100000 && !closed; ++sent) {
    std::string req = options(sent, "127.0.0.1", 5060);
    std::string_view rest = req;
    while (!rest.empty()) {
      ssize_t n = ::send(c, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        closed = errno == EPIPE || errno == ECONNRESET;
        EXPECT_TRUE(closed) << "send: " << std::strerror(errno);
        break;
      }
      rest.remove_prefix(static_cast<size_t>(n));
    }
  }
  EXPECT_TRUE(closed) << "still open after " << sent << " unread requests";
  ::close(c);

  // The server itself goes on: a reading client on a new connection gets its 200.
  int d = connect_tcp(0);
  std::string req = options(1, "127.0.0.1", 5060);
  ASSERT_EQ(::send(d, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  std::string got;
  char in[4096];
  while (got.find("\r\n\r\n") == std::string::npos) {
    pollfd p{d, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) break;
    ssize_t n = ::recv(d, in, sizeof in, 0);
    if (n <= 0) break;
    got.append(in, static_cast<size_t>(n));
  }
  EXPECT_EQ(got.rfind("SIP/2.0 200", 0), 0u) << got;
  ::close(d);
  server.stop();
  io.join();
}

}  // namespace
}  // namespace sipcred::net
