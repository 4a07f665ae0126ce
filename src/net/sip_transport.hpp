// SIP over UDP and TCP (RFC 3261 §18): the only place with sockets and Asio. It frames bytes with
// the sans-I/O parser, hands messages to the endpoint and sends what the endpoint returns.
// Transactions, TLS, connection reuse and abuse limits grow here in issue 3.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
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
  sip::ParserLimits limits;
  size_t max_tcp_connections = 1024;
};

class Server {
 public:
  Server(ServerConfig config, service::Endpoint& endpoint);
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
