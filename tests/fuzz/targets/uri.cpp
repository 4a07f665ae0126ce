// SIP, SIPS, tel and opaque URIs (RFC 3261 §19.1, RFC 3966).
#include <string>
#include <string_view>

#include "fuzz/registry.hpp"
#include "sip/scanner.hpp"
#include "sip/uri.hpp"

using sipcred::fuzz::check;
namespace sip = sipcred::sip;

SIPCRED_FUZZ_TARGET(uri) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto u = sip::parse_uri(text);
  if (u) {
    check(sip::uri_equivalent(*u, *u), "URI equivalence is reflexive");
    (void)sip::unescape(u->user);
  }
  return 0;
}
