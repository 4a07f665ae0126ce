#include "http/url.hpp"

#include <arpa/inet.h>

#include "core/text.hpp"

namespace sipcred::http {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 3986 §2.2, §2.3: unreserved and sub-delims.
bool is_unreserved(char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool is_sub_delim(char c) {
  switch (c) {
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
      return true;
    default:
      return false;
  }
}

// path-abempty and query (RFC 3986 §3.3, §3.4): pchar, "/", and "?" in the query.
Result<void> check_target(std::string_view t) {
  bool in_query = false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == '%') {
      if (i + 2 >= t.size() || !is_hex(t[i + 1]) || !is_hex(t[i + 2])) {
        return fail(Errc::parse, "bad percent-escape");
      }
      i += 2;
      continue;
    }
    if (c == '?') {
      in_query = true;
      continue;
    }
    if (is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@' || c == '/') continue;
    if (c == '#') return fail(Errc::parse, "a fragment is not allowed");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return fail(Errc::parse, "control character");
    }
    return fail(Errc::parse,
                std::string{"character not allowed in the "} + (in_query ? "query" : "path") +
                    (static_cast<unsigned char>(c) < 0x80 ? std::string{": '"} + c + "'"
                                                          : std::string{": non-ASCII"}));
  }
  return {};
}

bool is_ipv4(const std::string& s) {
  unsigned char buf[4];
  return inet_pton(AF_INET, s.c_str(), buf) == 1;
}
bool is_ipv6(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// A DNS host name (RFC 1123 §2.1): labels of letters, digits and hyphens, 1-63 octets each, at
// most 253 in all. A name whose last label is all digits must be a dotted-quad IPv4 address:
// resolvers read "1.2.3" or "0x7f.1" as addresses (inet_aton), which would let a URL reach a host
// its text does not name.
Result<void> check_host_name(const std::string& host) {
  if (host.size() > 253) return fail(Errc::parse, "host name longer than 253 octets");
  size_t start = 0;
  bool last_numeric = false;
  while (true) {
    size_t dot = host.find('.', start);
    std::string_view label =
        std::string_view{host}.substr(start, dot == std::string::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63) {
      return fail(Errc::parse, "host '" + host + "' has an empty or over-long label");
    }
    if (label.front() == '-' || label.back() == '-') {
      return fail(Errc::parse, "host '" + host + "' has a label starting or ending with '-'");
    }
    last_numeric = true;
    for (char c : label) {
      if (!is_alpha(c) && !is_digit(c) && c != '-') {
        return fail(Errc::parse, "host '" + host + "' is not a DNS name");
      }
      if (!is_digit(c)) last_numeric = false;
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (last_numeric && !is_ipv4(host)) {
    return fail(Errc::parse, "host '" + host + "' is neither a DNS name nor an IPv4 address");
  }
  return {};
}

}  // namespace

bool HttpsUrl::host_is_ip() const {
  return is_ipv4(host) || is_ipv6(host);
}

std::string HttpsUrl::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 443) out += ":" + std::to_string(port);
  return out;
}

std::string HttpsUrl::to_string() const {
  return "https://" + authority() + target;
}

Result<HttpsUrl> parse_https_url(std::string_view text) {
  if (text.size() > kMaxUrlBytes) {
    return fail(Errc::limit, "URL longer than " + std::to_string(kMaxUrlBytes) + " octets");
  }
  constexpr std::string_view kScheme = "https://";
  if (text.size() < kScheme.size() || !iequals(text.substr(0, kScheme.size()), kScheme)) {
    return fail(Errc::parse, "not an https URL");
  }
  text.remove_prefix(kScheme.size());
  // authority ends at the first "/", "?" or "#" (RFC 3986 §3.2).
  size_t end = text.find_first_of("/?#");
  std::string_view authority = text.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view{} : text.substr(end);
  for (char c : authority) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return fail(Errc::parse, "control, space or non-ASCII character in the host");
    }
  }
  if (authority.find('@') != std::string_view::npos) {
    return fail(Errc::parse, "userinfo is not allowed in an https URL (RFC 9110 §4.2.4)");
  }

  HttpsUrl out;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail(Errc::parse, "unclosed '[' in the host");
    std::string literal{authority.substr(1, close - 1)};
    // IPvFuture ("v1.x") and zone identifiers (RFC 6874 "%25") are refused with the rest.
    if (literal.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos ||
        !is_ipv6(literal)) {
      return fail(Errc::parse, "'[" + literal + "]' is not an IPv6 address");
    }
    out.host = literal;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail(Errc::parse, "junk after ']' in the host");
      has_port = true;
      port = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    out.host = std::string{authority.substr(0, colon)};
    if (colon != std::string_view::npos) {
      has_port = true;
      port = authority.substr(colon + 1);
    }
    if (out.host.empty()) return fail(Errc::parse, "no host");
    if (out.host.find('%') != std::string::npos) {
      return fail(Errc::parse, "percent-escapes are not allowed in the host");
    }
    if (auto r = check_host_name(out.host); !r) return Unexpected{r.error()};
  }
  for (auto& c : out.host) c = ascii_lower(c);

  // RFC 3986 §3.2.3: an empty port (a bare ":") means the default.
  if (has_port && !port.empty()) {
    if (port.size() > 5) return fail(Errc::parse, "bad port");
    unsigned long value = 0;
    for (char c : port) {
      if (!is_digit(c)) return fail(Errc::parse, "bad port");
      value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (value == 0 || value > 65535) return fail(Errc::parse, "port out of range");
    out.port = static_cast<uint16_t>(value);
  }

  if (auto r = check_target(rest); !r) return Unexpected{r.error()};
  out.target = rest.empty() || rest.front() != '/' ? "/" + std::string{rest} : std::string{rest};
  return out;
}

}  // namespace sipcred::http
