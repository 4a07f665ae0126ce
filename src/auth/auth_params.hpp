// The auth-param lists of HTTP authentication (RFC 7235 §2.1, RFC 7230 §3.2.6 and §7), which SIP
// shares for its challenge and credentials headers (RFC 3261 §25.1, §20.7, §20.44). The parser
// lives here rather than in src/sip/ so that digest stays free of SIP framing: the HTTPS
// certificate store (HTTP-8, HTTP-9) uses the same code.
//
// Input is an already unfolded header value (the SIP parser replaces `CRLF 1*WSP` with SP, and
// HTTP/1.1 forbids obs-fold), so white space is SP and HTAB only.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sipcred::auth {

// auth-param = token BWS "=" BWS ( token / quoted-string )
struct AuthParam {
  std::string name;     // lower-cased: parameter names are case-insensitive (RFC 7235 §2.1)
  std::string value;    // a quoted-string arrives unquoted and unescaped
  bool quoted = false;  // the value was a quoted-string
};

// challenge / credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
struct AuthField {
  std::string scheme;   // as received; compare with is_scheme()
  std::string token68;  // for schemes that carry one (Basic, Bearer); never for Digest
  std::vector<AuthParam> params;

  bool is_scheme(std::string_view s) const;
  const AuthParam* find(std::string_view lower_name) const;
  std::optional<std::string_view> value(std::string_view lower_name) const;
};

// Bounds on untrusted input; anything larger is refused, not truncated.
struct ParseLimits {
  size_t max_bytes = 8 * 1024;  // one header value
  size_t max_params = 32;       // per challenge or credentials
  size_t max_value = 2 * 1024;  // one parameter value, after unescaping
  size_t max_fields = 8;        // challenges in one value (HTTP may list several)
};

// One Authorization / Proxy-Authorization value. Errors (Errc::parse, Errc::limit): no scheme,
// a parameter without "=", an unterminated or control-character quoted-string, a duplicate
// parameter (RFC 7235 §2.1: "each parameter name MUST only occur once"), text after the list.
Result<AuthField> parse_credentials(std::string_view value, const ParseLimits& limits = {});

// One WWW-Authenticate / Proxy-Authenticate value. SIP sends one challenge per header field;
// HTTP may put several in one (RFC 7235 §4.1), told apart by a token not followed by "=".
// Errors as parse_credentials, plus Errc::limit past max_fields.
Result<std::vector<AuthField>> parse_challenges(std::string_view value,
                                                const ParseLimits& limits = {});

// The `username*` form of RFC 7616 §3.4 is an RFC 8187 ext-value: UTF-8 '' pct-encoded. Returns the
// raw octets; any other charset or a broken %XX is Errc::parse.
Result<std::string> decode_ext_value(std::string_view ext_value);

// Serialising what we send. quote() escapes DQUOTE and backslash (quoted-pair, RFC 7230 §3.2.6);
// serialize() writes every value as it was received (token or quoted-string).
std::string quote(std::string_view raw);
bool is_token(std::string_view s);
std::string serialize(const AuthField& field);

}  // namespace sipcred::auth
