// https URLs (src/http/url.hpp) as they come in Identity-Info headers and from the command line:
// whatever parses must print to a URL that parses to the same host, port and target, and what
// the client would send (SNI, Host) must be free of spaces and controls.
#include <string_view>

#include "fuzz/registry.hpp"
#include "http/url.hpp"

using sipcred::fuzz::check;
namespace http = sipcred::http;

SIPCRED_FUZZ_TARGET(url) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto u = http::parse_https_url(text);
  if (!u) return 0;
  check(!u->host.empty() && u->port != 0, "a parsed URL has a host and a port");
  check(!u->target.empty() && u->target.front() == '/', "the target is origin-form");
  for (char c : u->host + u->authority() + u->target) {
    check(static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f,
          "no space, control or non-ASCII octet reaches a request");
    check(c != '#', "no fragment reaches a request");
  }
  for (char c : u->host) check(!(c >= 'A' && c <= 'Z'), "the host is lower case");
  auto again = http::parse_https_url(u->to_string());
  check(again.has_value(), "a printed URL parses");
  check(again->host == u->host && again->port == u->port && again->target == u->target,
        "printing and parsing again keeps host, port and target");
  return 0;
}
