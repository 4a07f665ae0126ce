// `https` URLs (RFC 9110 §4.2.2, syntax of RFC 3986 §3) as they reach us from untrusted places:
// Identity-Info headers (RFC 4474 §6), certificate-store locations (HTTP-1, HTTP-2), the command
// line. Only what an HTTPS client needs survives: host, port and request target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sipcred::http {

inline constexpr size_t kMaxUrlBytes = 2048;

struct HttpsUrl {
  std::string host;  // lower case; an IPv6 literal without its brackets
  uint16_t port = 443;
  std::string target;  // origin-form (RFC 9112 §3.2.1): path-abempty ["?" query], at least "/"

  bool host_is_ip() const;  // an IPv4 or IPv6 literal: no SNI for it (RFC 6066 §3)
  // The Host header's value (RFC 9110 §7.2): host, brackets around IPv6, ":port" unless 443.
  std::string authority() const;
  std::string to_string() const;  // "https://" authority target
};

// https-URI = "https" "://" authority path-abempty [ "?" query ] (RFC 9110 §4.2.2). Refused,
// each with Errc::parse naming why: another scheme, no host, userinfo (RFC 9110 §4.2.4 forbids
// it in https URIs), a fragment (it never goes to the server and we never need one), a port that
// is not 1-65535, a host that is neither a DNS name nor an IP literal, percent-escapes in the host,
// characters outside RFC 3986's pchar in the path or query, controls, spaces and non-ASCII.
// Longer than kMaxUrlBytes: Errc::limit. The scheme and host compare case-insensitively; both
// come back in lower case.
Result<HttpsUrl> parse_https_url(std::string_view text);

}  // namespace sipcred::http
