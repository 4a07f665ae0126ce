// SIP over UDP, TCP and TLS (RFC 3261 §18, §26): the only place with sockets and Asio. It frames
// bytes with the sans-I/O parser, hands messages to the endpoint, sends what the endpoint returns
// (responses on the connection the request came in on, requests on a connection to the peer if
// one is open, else a new TCP connection), commits the store writes the endpoint asks for and
// hands their results back on the I/O thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "crypto/tls.hpp"
#include "service/endpoint.hpp"
#include "sip/parser.hpp"

namespace sipcred::net {

struct ListenAddress {
  std::string host;  // numeric IPv4/IPv6 or a name resolved at start
  uint16_t port = 0;
  std::string to_string() const;
};

// "HOST:PORT" or "[IPV6]:PORT".
Result<ListenAddress> parse_listen_address(std::string_view text);

struct ServerConfig {
  std::vector<ListenAddress> sip;  // UDP and TCP on each
  std::vector<ListenAddress> tls;  // SIP over TLS (RFC 3261 §26.3.1) on each
  sip::ParserLimits limits;
  size_t max_tcp_connections = 1024;       // TCP and TLS connections at once
  size_t max_connections_per_source = 16;  // from one address
  std::chrono::seconds idle_timeout{600};  // a connection with no traffic is closed
  std::chrono::seconds handshake_timeout{10};
  // Bytes waiting to be written to one TCP/TLS connection. A peer that sends requests but does
  // not read the answers (or lets its window stay shut while NOTIFYs pile up) would otherwise
  // grow the queue without bound: past this the connection is closed and every transaction
  // whose message was still queued gets a transport error (RFC 3261 §17.1.4).
  size_t max_queued_bytes = 1 << 20;
  // Threads that sign NOTIFYs (RFC 4474 / RFC 8224), off the I/O thread: the private-key
  // operation is the costly part of this service. 0: sign on the I/O thread.
  unsigned sign_threads = 0;
};

class Server {
 public:
  // `store` commits what the endpoint's service asks for (may be null when nothing is served);
  // `tls` is required when config.tls is not empty.
  Server(ServerConfig config, service::Endpoint& endpoint, store::Store* store = nullptr,
         const crypto::TlsServerContext* tls = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listener; fails (naming the address) if one cannot be bound.
  Result<void> start();
  // Runs until SIGINT or SIGTERM, or until stop() is called from another thread.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipcred::net
