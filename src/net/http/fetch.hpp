// An HTTPS GET client for small resources: the certificate an Identity-Info URL names (RFC 4474
// §6, application/pkix-cert) and, later, the certificate store's answers (HTTP-2). Every step is
// bounded: one deadline for the whole fetch, a byte limit on the body, a list of hosts it may
// reach. The server is checked as TLS-2 and HTTP-3 require: chain against the trust anchors,
// then a SubjectAltName equal to the URL's host (pki::check_tls_server).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace boost::asio {
class io_context;
}

namespace sipcred::net {

struct FetchOptions {
  std::chrono::milliseconds timeout{5000};  // resolve, connect, handshake, request and reply
  size_t max_bytes = 16 * 1024;             // of the body; a larger one is an error
  size_t max_header_bytes = 8 * 1024;       // of the reply's header
  std::string ca_file;                      // PEM trust anchors; empty: the system's store
  // Host names (or IP literals) the URL may name, compared case-insensitively; empty: any. A URL
  // naming another host fails before any connection, so that an untrusted Identity-Info header
  // cannot make us reach arbitrary hosts.
  std::vector<std::string> allowed_hosts;
  std::string user_agent = "sipcred";
};

struct FetchResponse {
  unsigned status = 0;  // always 200 in a successful result
  std::string content_type;
  std::string body;
};

using FetchCallback = std::function<void(Result<FetchResponse>)>;

// GET `url` (an https URL, http::parse_https_url) on `io`; `done` runs exactly once, on io's
// thread, never from within this call. Only 200 is success; redirects are not followed. Errors
// name the URL and what failed: parse (bad URL, unparseable reply), config (host not allowed,
// unreadable trust store), io (resolve, connect, TLS handshake including an untrusted chain,
// connection closed early, a status other than 200), crypto (the certificate does not name the
// host), limit (timed out, body or header too large).
void fetch(boost::asio::io_context& io, std::string_view url, FetchOptions options,
           FetchCallback done);

// The same on an io_context of its own, waiting for the answer.
Result<FetchResponse> fetch_blocking(std::string_view url, const FetchOptions& options = {});

}  // namespace sipcred::net
