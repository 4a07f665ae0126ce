#include "sip/uri.hpp"

#include <arpa/inet.h>
#include <algorithm>

namespace sipcred::sip {
namespace {

constexpr bool is_user_char(char c) {
  return chars::has(c, chars::kUser);
}
constexpr bool is_password_char(char c) {
  return chars::has(c, chars::kPassword);
}
constexpr bool is_param_char(char c) {
  return chars::has(c, chars::kParam);
}
constexpr bool is_header_char(char c) {
  return chars::has(c, chars::kHeader);
}
constexpr bool is_host_char(char c) {
  return chars::has(c, chars::kHost);
}
bool is_scheme_char(char c) {
  return chars::is_alnum(c) || c == '+' || c == '-' || c == '.';
}
bool is_tel_char(char c) {
  // RFC 3966: phonedigit-hex plus the visual separators and the global "+" prefix.
  return chars::is_hex(c) || c == '*' || c == '#' || c == '+' || c == '-' || c == '.' || c == '(' ||
         c == ')';
}

// Every "%" must start a well-formed escape.
bool escapes_ok(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (s.size() - i < 3 || !chars::is_hex(s[i + 1]) || !chars::is_hex(s[i + 2])) return false;
      i += 2;
    }
  }
  return true;
}

bool valid_ipv4(std::string_view s) {
  int groups = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t b = i;
    while (i < s.size() && chars::is_digit(s[i])) ++i;
    size_t n = i - b;
    if (n == 0 || n > 3) return false;
    int v = 0;
    for (size_t k = b; k < i; ++k) v = v * 10 + (s[k] - '0');
    if (v > 255) return false;
    ++groups;
    if (i == s.size()) break;
    if (s[i] != '.') return false;
    ++i;
  }
  return groups == 4;
}

bool valid_hostname(std::string_view s) {
  // hostname = *( domainlabel "." ) toplabel [ "." ]
  if (s.empty()) return false;
  if (s.back() == '.') s.remove_suffix(1);
  if (s.empty()) return false;
  std::string_view last;
  size_t b = 0;
  while (true) {
    size_t dot = s.find('.', b);
    std::string_view label = s.substr(b, dot == std::string_view::npos ? dot : dot - b);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    last = label;
    if (dot == std::string_view::npos) break;
    b = dot + 1;
  }
  return chars::is_alpha(last.front());  // toplabel starts with ALPHA
}

std::string_view strip_visual_separators(std::string_view in, std::string& buf) {
  buf.clear();
  for (char c : in) {
    if (c != '-' && c != '.' && c != '(' && c != ')') buf.push_back(chars::lower(c));
  }
  return buf;
}

Result<void> parse_uri_params(Scanner& in, Params& out) {
  while (in.peek() == ';' && !in.at_end()) {
    in.advance();
    GenericParam p;
    p.name = in.take_while([](char c) { return is_param_char(c) && c != '='; });
    if (p.name.empty()) return fail(Errc::parse, "empty URI parameter name");
    if (in.consume('=')) {
      p.has_value = true;
      p.value = in.take_while(chars::In<chars::kParam>{});
      if (p.value.empty()) return fail(Errc::parse, "empty URI parameter value");
    }
    if (!escapes_ok(p.name) || !escapes_ok(p.value)) {
      return fail(Errc::parse, "bad %-escape in URI parameter");
    }
    // RFC 3261 §19.1.1: a parameter name appears at most once (else "transport=udp;transport=tcp"
    // would mean different things to different elements).
    if (out.has(p.name)) return fail(Errc::parse, "URI parameter appears twice");
    out.push(p);
  }
  return {};
}

Result<void> parse_sip_rest(Scanner& in, Uri& uri, bool addr_spec_form) {
  std::string_view rest = in.rest();
  // userinfo ends at the first "@": "@" is allowed nowhere else unescaped. Only look within the
  // characters a SIP URI can hold, so an addr-spec followed by header text is not misread.
  size_t limit = 0;
  while (limit < rest.size()) {
    char c = rest[limit];
    if (addr_spec_form && (c == ';' || c == '?' || c == ',')) break;
    if (c == '@' || chars::has(c, chars::kUser | chars::kParam | chars::kHeader)) {
      ++limit;
    } else {
      break;
    }
  }
  size_t at = rest.substr(0, limit).find('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    size_t colon = userinfo.find(':');
    uri.user = userinfo.substr(0, colon);
    uri.has_user = true;
    if (colon != std::string_view::npos) {
      uri.has_password = true;
      uri.password = userinfo.substr(colon + 1);
      if (!std::all_of(uri.password.begin(), uri.password.end(), is_password_char)) {
        return fail(Errc::parse, "invalid character in URI password");
      }
    }
    if (uri.user.empty()) return fail(Errc::parse, "empty user part before '@'");
    if (!std::all_of(uri.user.begin(), uri.user.end(), is_user_char)) {
      return fail(Errc::parse, "invalid character in URI user part");
    }
    if (!escapes_ok(uri.user) || !escapes_ok(uri.password)) {
      return fail(Errc::parse, "bad %-escape in URI user part");
    }
    in.advance(at + 1);
  }
  if (auto r = parse_hostport(in, uri.host, uri.port); !r) return r;
  // RFC 3261 §20.10: in an addr-spec without angle brackets, ";" starts header parameters and
  // "?" and "," cannot appear.
  if (addr_spec_form) return {};
  if (auto r = parse_uri_params(in, uri.params); !r) return r;
  if (in.peek() == '?' && !in.at_end()) {
    in.advance();
    uri.headers = in.take_while(chars::In<chars::kHeader>{});
    if (uri.headers.empty()) return fail(Errc::parse, "empty URI headers after '?'");
    if (!escapes_ok(uri.headers)) return fail(Errc::parse, "bad %-escape in URI headers");
  }
  return {};
}

}  // namespace

Result<Host> parse_host(Scanner& in) {
  Host host;
  if (in.peek() == '[' && !in.at_end()) {
    size_t b = in.pos();
    std::string_view rest = in.rest();
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return fail(Errc::parse, "unterminated IPv6 reference");
    std::string addr{rest.substr(1, close - 1)};
    unsigned char buf[16];
    if (addr.empty() || addr.size() > 45 || inet_pton(AF_INET6, addr.c_str(), buf) != 1) {
      return fail(Errc::parse, "invalid IPv6 address");
    }
    in.advance(close + 1);
    host.text = in.text().substr(b, close + 1);
    host.kind = HostKind::ipv6;
    return host;
  }
  host.text = in.take_while(chars::In<chars::kHost>{});
  if (host.text.empty()) return fail(Errc::parse, "missing host");
  if (chars::is_digit(host.text.back()) && valid_ipv4(host.text)) {
    host.kind = HostKind::ipv4;
  } else if (!valid_hostname(host.text)) {
    return fail(Errc::parse, "invalid host name");
  }
  return host;
}

Result<void> parse_hostport(Scanner& in, Host& host, std::optional<uint16_t>& port) {
  auto h = parse_host(in);
  if (!h) return Unexpected{h.error()};
  host = *h;
  if (in.peek() == ':' && !in.at_end()) {
    in.advance();
    auto digits = in.take_while(chars::is_digit);
    auto n = parse_number(digits, 65535);
    if (!n) return fail(Errc::parse, "invalid port");
    port = static_cast<uint16_t>(*n);
  }
  return {};
}

Result<Uri> parse_uri_prefix(Scanner& in, bool addr_spec_form) {
  Uri uri;
  size_t begin = in.pos();
  std::string_view rest = in.rest();
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) return fail(Errc::parse, "URI has no scheme");
  uri.scheme_text = rest.substr(0, colon);
  if (!chars::is_alpha(uri.scheme_text.front()) ||
      !std::all_of(uri.scheme_text.begin(), uri.scheme_text.end(), is_scheme_char)) {
    return fail(Errc::parse, "invalid URI scheme");
  }
  in.advance(colon + 1);
  if (iequals(uri.scheme_text, "sip") || iequals(uri.scheme_text, "sips")) {
    uri.scheme = iequals(uri.scheme_text, "sip") ? Scheme::sip : Scheme::sips;
    if (auto r = parse_sip_rest(in, uri, addr_spec_form); !r) return Unexpected{r.error()};
  } else if (iequals(uri.scheme_text, "tel")) {
    uri.scheme = Scheme::tel;
    uri.number = in.take_while(&is_tel_char);
    if (uri.number.empty()) return fail(Errc::parse, "tel URI without a number");
    if (!addr_spec_form) {
      if (auto r = parse_uri_params(in, uri.params); !r) return Unexpected{r.error()};
    }
  } else {
    uri.scheme = Scheme::other;
    // absoluteURI, kept opaque; refuse only what can never be in a URI (RFC 3986 §2). In an
    // addr-spec, ";" and "," belong to the header around it (RFC 3261 §20.10).
    uri.opaque = addr_spec_form ? in.take_while([](char c) {
      auto u = static_cast<unsigned char>(c);
      return u > 0x20 && u < 0x7f && c != '<' && c != '>' && c != '"' && c != ',' && c != ';';
    })
                                : in.take_while([](char c) {
                                    auto u = static_cast<unsigned char>(c);
                                    return u > 0x20 && u < 0x7f && c != '<' && c != '>' && c != '"';
                                  });
    if (uri.opaque.empty()) return fail(Errc::parse, "URI has nothing after its scheme");
  }
  uri.text = in.text().substr(begin, in.pos() - begin);
  return uri;
}

Result<Uri> parse_uri(std::string_view text) {
  Scanner in{text};
  auto uri = parse_uri_prefix(in, false);
  if (!uri) return uri;
  if (!in.at_end()) return fail(Errc::parse, "unexpected character in URI");
  return uri;
}

namespace {

bool unescaped_equal(std::string_view a, std::string_view b, bool case_insensitive) {
  auto ua = unescape(a);
  auto ub = unescape(b);
  if (!ua || !ub) return false;
  return case_insensitive ? iequals(*ua, *ub) : *ua == *ub;
}

bool params_equivalent(const Params& a, const Params& b) {
  // These must match if either URI has them (RFC 3261 §19.1.4).
  for (std::string_view name : {"user", "ttl", "method", "maddr", "transport"}) {
    const auto* pa = a.find(name);
    const auto* pb = b.find(name);
    if ((pa == nullptr) != (pb == nullptr)) return false;
    if (pa != nullptr && !unescaped_equal(pa->value, pb->value, true)) return false;
  }
  // Any other parameter appearing in both must match.
  for (const auto& pa : a.items()) {
    const auto* pb = b.find(pa.name);
    if (pb == nullptr) continue;
    if (pa.has_value != pb->has_value || !unescaped_equal(pa.value, pb->value, true)) return false;
  }
  return true;
}

// Headers compare as an unordered set of hname=hvalue, names case-insensitive.
bool headers_equivalent(std::string_view a, std::string_view b) {
  auto split = [](std::string_view s) {
    std::vector<std::string_view> out;
    size_t b0 = 0;
    while (!s.empty() && b0 <= s.size()) {
      size_t amp = s.find('&', b0);
      out.push_back(s.substr(b0, amp == std::string_view::npos ? amp : amp - b0));
      if (amp == std::string_view::npos) break;
      b0 = amp + 1;
    }
    return out;
  };
  auto ha = split(a);
  auto hb = split(b);
  if (ha.size() != hb.size()) return false;
  for (auto x : ha) {
    size_t ex = x.find('=');
    bool found = false;
    for (auto y : hb) {
      size_t ey = y.find('=');
      if (unescaped_equal(x.substr(0, ex), y.substr(0, ey), true) &&
          unescaped_equal(ex == std::string_view::npos ? "" : x.substr(ex + 1),
                          ey == std::string_view::npos ? "" : y.substr(ey + 1), false)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace

bool uri_equivalent(const Uri& a, const Uri& b) {
  if (a.scheme != b.scheme) return false;
  switch (a.scheme) {
    case Scheme::sip:
    case Scheme::sips:
      return a.has_user == b.has_user && unescaped_equal(a.user, b.user, false) &&
             a.has_password == b.has_password && unescaped_equal(a.password, b.password, false) &&
             iequals(a.host.text, b.host.text) && a.port == b.port &&
             params_equivalent(a.params, b.params) && headers_equivalent(a.headers, b.headers);
    case Scheme::tel: {
      std::string x, y;
      return strip_visual_separators(a.number, x) == strip_visual_separators(b.number, y) &&
             params_equivalent(a.params, b.params) && a.params.size() == b.params.size();
    }
    case Scheme::other:
      return iequals(a.scheme_text, b.scheme_text) && a.opaque == b.opaque;
  }
  return false;
}

}  // namespace sipcred::sip
