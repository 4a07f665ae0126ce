// SIP-URI / SIPS-URI (RFC 3261 §19.1, §25.1), tel URI (RFC 3966), and any other absoluteURI kept
// opaque. A Uri holds views into the text it was parsed from: that text must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sip/scanner.hpp"

namespace sipcred::sip {

enum class Scheme { sip, sips, tel, other };
enum class HostKind { name, ipv4, ipv6 };

struct Host {
  std::string_view text;  // an IPv6 reference keeps its brackets
  HostKind kind = HostKind::name;
};

// Reads `host` at the scanner (hostname / IPv4address / IPv6reference) and validates it.
Result<Host> parse_host(Scanner& in);
// Reads `host [":" port]` (Via's sent-by, a SIP URI's hostport).
Result<void> parse_hostport(Scanner& in, Host& host, std::optional<uint16_t>& port);

struct Uri {
  Scheme scheme = Scheme::other;
  std::string_view text;         // the whole URI as parsed
  std::string_view scheme_text;  // as written (case preserved)

  // sip: / sips:
  std::string_view user;  // escaped form; empty when there is no userinfo
  std::string_view password;
  bool has_user = false;
  bool has_password = false;
  Host host;
  std::optional<uint16_t> port;
  Params params;             // uri-parameters, names and values still escaped
  std::string_view headers;  // after "?", escaped; empty when absent

  // tel: the telephone-subscriber's number (global "+..." or local), params in `params`.
  std::string_view number;

  // other schemes: everything after "scheme:".
  std::string_view opaque;

  bool is_sip() const { return scheme == Scheme::sip || scheme == Scheme::sips; }
};

// Parses a whole URI; trailing characters are an error.
Result<Uri> parse_uri(std::string_view text);

// Stops at the first character that cannot continue the URI, for an addr-spec inside a header
// where ";" starts header parameters: `addr_spec_form` ends the URI before them (RFC 3261 §20.10).
Result<Uri> parse_uri_prefix(Scanner& in, bool addr_spec_form);

// RFC 3261 §19.1.4 equivalence for SIP and SIPS URIs (user and password case-sensitive after
// unescaping, host case-insensitive, an explicit port differs from an absent one, the user, ttl,
// method, maddr and transport parameters compared when present in either, other parameters when
// present in both, headers all compared). tel URIs compare by number without visual separators
// and by parameters; other schemes by case-insensitive scheme and exact remainder.
bool uri_equivalent(const Uri& a, const Uri& b);

}  // namespace sipcred::sip
