#include "sip/name_addr.hpp"

namespace sipcred::sip {

std::string NameAddr::display() const {
  std::string_view d = display_name;
  if (d.size() >= 2 && d.front() == '"' && d.back() == '"') {
    return unquote(d.substr(1, d.size() - 2));
  }
  return std::string{d};
}

Result<NameAddr> parse_name_addr(std::string_view value) {
  NameAddr out;
  Scanner in{value};
  in.skip_ws();
  size_t start = in.pos();
  // display-name = *(token LWS) / quoted-string. Decide the form by looking for "<" at the top
  // level; otherwise the value is an addr-spec.
  if (in.peek() == '"') {
    auto q = in.quoted_string();
    if (!q) return fail(Errc::parse, "unterminated display name");
    out.display_name = *q;
    in.skip_ws();
    if (in.peek() != '<') return fail(Errc::parse, "quoted display name without <URI>");
  } else {
    // Tokens separated by LWS, then "<"; if no "<" follows, rewind and read an addr-spec.
    size_t last_end = start;
    while (true) {
      auto t = in.token();
      if (t.empty()) break;
      last_end = in.pos();
      in.skip_ws();
    }
    if (in.peek() == '<' && !in.at_end()) {
      out.display_name = value.substr(start, last_end - start);
    } else {
      in.set_pos(start);
    }
  }
  if (in.consume('<')) {
    out.bracketed = true;
    std::string_view rest = in.rest();
    size_t close = rest.find('>');
    if (close == std::string_view::npos) return fail(Errc::parse, "missing '>' after URI");
    auto uri = parse_uri(rest.substr(0, close));
    if (!uri) return Unexpected{uri.error()};
    out.uri = std::move(*uri);
    in.advance(close + 1);
  } else {
    auto uri = parse_uri_prefix(in, true);
    if (!uri) return Unexpected{uri.error()};
    out.uri = std::move(*uri);
  }
  if (auto r = in.params(out.params); !r) return Unexpected{r.error()};
  in.skip_ws();
  if (!in.at_end()) return fail(Errc::parse, "unexpected text after address");
  return out;
}

}  // namespace sipcred::sip
