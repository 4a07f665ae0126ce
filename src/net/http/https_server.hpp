// The HTTPS endpoint (RFC 9110, HTTP/1.1 per RFC 9112, over TLS per RFC 9110 §4.2.2): serves what
// an http::Router answers, for every domain of the TLS context (SNI picks the certificate,
// TLS-3). Serves the domain certificates named by Identity-Info (RFC 4474 §6) and, later, the
// certificate store (HTTP-2). Beast parses and serializes; every limit is in the config.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "crypto/tls.hpp"
#include "http/router.hpp"
#include "net/sip_transport.hpp"  // ListenAddress

namespace boost::asio {
class io_context;
}

namespace sipcred::net {

struct HttpsServerConfig {
  std::vector<ListenAddress> listen;
  size_t max_connections = 1024;           // open at once, in all
  size_t max_connections_per_source = 32;  // from one client address
  std::chrono::milliseconds handshake_timeout{10'000};
  // Waiting for a request, reading it, and writing its response: each within this time.
  std::chrono::milliseconds idle_timeout{30'000};
  size_t max_header_bytes = 8 * 1024;  // request line and header fields; larger: 431, closed
  // Request bodies: never on GET or HEAD (400, closed); larger than this: 413, closed. Zero
  // refuses every body until a handler needs them (PUT enrollment, HTTP-8).
  size_t max_body_bytes = 0;
  size_t max_requests_per_connection = 1000;  // then Connection: close
  std::string server = "sipcred";             // the Server header field
};

class HttpsServer {
 public:
  // On `io`, the caller's I/O loop (run by the caller on one thread). `router` and `tls` must
  // outlive the server; the router's handlers run on that thread.
  HttpsServer(boost::asio::io_context& io, HttpsServerConfig config, const http::Router& router,
              const crypto::TlsServerContext& tls);
  // With an io_context of its own, run on a thread of its own from start() to stop(): for a
  // process whose main loop this class cannot reach. Handlers then run on that thread.
  HttpsServer(HttpsServerConfig config, const http::Router& router,
              const crypto::TlsServerContext& tls);
  ~HttpsServer();  // stops
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Binds every listen address and starts accepting. Errors: config (a name that does not
  // resolve), io (an address that cannot be bound), naming the address.
  Result<void> start();
  // The bound ports, in the order of config.listen (useful with port 0).
  std::vector<uint16_t> ports() const;
  // Closes the listeners and every connection; with an own thread, joins it. Call it from the
  // I/O thread or after that loop has stopped; safe to call twice.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sipcred::net
