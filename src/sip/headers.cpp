#include "sip/headers.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace sipcred::sip {
namespace {

Result<void> expect_end(Scanner& in, const char* what) {
  in.skip_ws();
  if (!in.at_end()) return fail(Errc::parse, std::string{"unexpected text after "} + what);
  return {};
}

}  // namespace

Result<Via> parse_via(std::string_view value) {
  Via via;
  Scanner in{value};
  in.skip_ws();
  via.protocol_name = in.token();
  if (via.protocol_name.empty() || !in.consume_sep('/')) {
    return fail(Errc::parse, "Via without sent-protocol");
  }
  via.protocol_version = in.token();
  if (via.protocol_version.empty() || !in.consume_sep('/')) {
    return fail(Errc::parse, "Via without protocol version");
  }
  via.transport = in.token();
  if (via.transport.empty()) return fail(Errc::parse, "Via without transport");
  size_t before = in.pos();
  in.skip_ws();
  if (in.pos() == before) return fail(Errc::parse, "Via needs whitespace before sent-by");
  if (auto r = parse_hostport(in, via.host, via.port); !r) {
    return fail(Errc::parse, "Via sent-by: " + r.error().detail);
  }
  if (auto r = in.params(via.params); !r) return fail(Errc::parse, "Via: " + r.error().detail);
  if (auto r = expect_end(in, "Via"); !r) return Unexpected{r.error()};
  return via;
}

Result<CSeq> parse_cseq(std::string_view value) {
  Scanner in{value};
  in.skip_ws();
  auto n = parse_number(in.take_while(chars::is_digit), 0x7fffffff);
  if (!n) return fail(Errc::parse, "CSeq number is not below 2**31");
  size_t before = in.pos();
  in.skip_ws();
  if (in.pos() == before) return fail(Errc::parse, "CSeq without method");
  CSeq c;
  c.number = static_cast<uint32_t>(*n);
  c.method = in.token();
  if (c.method.empty()) return fail(Errc::parse, "CSeq without method");
  if (auto r = expect_end(in, "CSeq"); !r) return Unexpected{r.error()};
  return c;
}

Result<std::string_view> parse_call_id(std::string_view value) {
  auto v = trim(value);
  Scanner in{v};
  auto left = in.word();
  if (left.empty()) return fail(Errc::parse, "empty Call-ID");
  if (in.consume('@') && in.word().empty()) return fail(Errc::parse, "Call-ID empty after '@'");
  if (!in.at_end()) return fail(Errc::parse, "invalid character in Call-ID");
  return v;
}

Result<uint32_t> parse_uint(std::string_view value, uint32_t max) {
  auto n = parse_number(trim(value), max);
  if (!n) return Unexpected{n.error()};
  return static_cast<uint32_t>(*n);
}

Result<Event> parse_event(std::string_view value) {
  Event e;
  Scanner in{value};
  in.skip_ws();
  e.package = in.token();
  if (e.package.empty()) return fail(Errc::parse, "Event without event-type");
  if (e.package.front() == '.' || e.package.back() == '.' ||
      e.package.find("..") != std::string_view::npos) {
    return fail(Errc::parse, "malformed event-type");
  }
  if (auto r = in.params(e.params); !r) return fail(Errc::parse, "Event: " + r.error().detail);
  if (auto r = expect_end(in, "Event"); !r) return Unexpected{r.error()};
  return e;
}

Result<SubscriptionState> parse_subscription_state(std::string_view value) {
  SubscriptionState s;
  Scanner in{value};
  in.skip_ws();
  s.state = in.token();
  if (s.state.empty()) return fail(Errc::parse, "Subscription-State without a state");
  if (auto r = in.params(s.params); !r) {
    return fail(Errc::parse, "Subscription-State: " + r.error().detail);
  }
  for (std::string_view num : {"expires", "retry-after"}) {
    if (auto v = s.params.value(num); v && !parse_uint(*v, 0xffffffff)) {
      return fail(Errc::parse, "Subscription-State " + std::string{num} + " is not a number");
    }
  }
  if (auto r = expect_end(in, "Subscription-State"); !r) return Unexpected{r.error()};
  return s;
}

bool MediaType::matches(std::string_view t, std::string_view s) const {
  if (type == "*") return true;
  if (!iequals(type, t)) return false;
  return subtype == "*" || iequals(subtype, s);
}

Result<MediaType> parse_media_type(std::string_view value, bool allow_wildcards) {
  MediaType m;
  Scanner in{value};
  in.skip_ws();
  m.type = in.token();
  if (m.type.empty() || !in.consume_sep('/')) return fail(Errc::parse, "malformed media type");
  m.subtype = in.token();
  if (m.subtype.empty()) return fail(Errc::parse, "media type without subtype");
  if (!allow_wildcards && (m.type == "*" || m.subtype == "*")) {
    return fail(Errc::parse, "wildcard in a media type");
  }
  if (m.type == "*" && m.subtype != "*") return fail(Errc::parse, "malformed media range");
  if (auto r = in.params(m.params); !r) return fail(Errc::parse, "media type: " + r.error().detail);
  if (auto r = expect_end(in, "media type"); !r) return Unexpected{r.error()};
  return m;
}

Result<Disposition> parse_content_disposition(std::string_view value) {
  Disposition d;
  Scanner in{value};
  in.skip_ws();
  d.type = in.token();
  if (d.type.empty()) return fail(Errc::parse, "Content-Disposition without a type");
  if (auto r = in.params(d.params); !r) {
    return fail(Errc::parse, "Content-Disposition: " + r.error().detail);
  }
  if (auto r = expect_end(in, "Content-Disposition"); !r) return Unexpected{r.error()};
  return d;
}

Result<AuthField> parse_auth(std::string_view value, bool has_scheme) {
  AuthField a;
  Scanner in{value};
  in.skip_ws();
  if (has_scheme) {
    a.scheme = in.token();
    if (a.scheme.empty()) return fail(Errc::parse, "authentication header without a scheme");
    size_t before = in.pos();
    in.skip_ws();
    if (in.at_end()) return a;
    if (in.pos() == before) return fail(Errc::parse, "malformed authentication scheme");
  }
  // auth-param *(COMMA auth-param): the first one has no leading comma. Prepend one by parsing
  // the first by hand and the rest with the comma separator.
  bool first = true;
  while (!in.at_end()) {
    if (!first && !in.consume_sep(','))
      return fail(Errc::parse, "expected ',' between auth-params");
    first = false;
    GenericParam p;
    p.name = in.token();
    if (p.name.empty()) return fail(Errc::parse, "empty auth-param name");
    if (!in.consume_sep('=')) return fail(Errc::parse, "auth-param without '='");
    p.has_value = true;
    if (in.peek() == '"') {
      auto q = in.quoted_string();
      if (!q) return fail(Errc::parse, "unterminated quoted auth-param");
      p.value = *q;
    } else {
      p.value = in.token();
      if (p.value.empty()) return fail(Errc::parse, "empty auth-param value");
    }
    a.params.push(p);
    in.skip_ws();
  }
  return a;
}

Result<WallTime> parse_date(std::string_view value) {
  // Fixed layout: "Sat, 13 Nov 2010 23:29:00 GMT" (29 characters).
  auto v = trim(value);
  static constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu",
                                                            "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (v.size() != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' ||
      v[19] != ':' || v[22] != ':' || v[25] != ' ' || v.substr(26) != "GMT") {
    return fail(Errc::parse, "Date is not an RFC 1123 date in GMT");
  }
  int wday = -1;
  for (int i = 0; i < 7; ++i) {
    if (v.substr(0, 3) == kDays[i]) wday = i;
  }
  int month = -1;
  for (int i = 0; i < 12; ++i) {
    if (v.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  auto num = [&](size_t pos, size_t len, uint64_t max) {
    return parse_number(v.substr(pos, len), max);
  };
  auto day = num(5, 2, 31);
  auto year = num(12, 4, 9999);
  auto hh = num(17, 2, 23);
  auto mm = num(20, 2, 59);
  auto ss = num(23, 2, 60);
  if (wday < 0 || month < 0 || !day || !year || !hh || !mm || !ss || *day == 0) {
    return fail(Errc::parse, "Date has an invalid field");
  }
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{static_cast<int>(*year)},
                     std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return fail(Errc::parse, "Date names a day that does not exist");
  sys_days days{ymd};
  if (weekday{days}.iso_encoding() != static_cast<unsigned>(wday + 1)) {
    return fail(Errc::parse, "Date's weekday does not match its date");
  }
  return WallTime{days.time_since_epoch() + hours{*hh} + minutes{*mm} + seconds{*ss}};
}

Result<std::string_view> parse_entity_tag(std::string_view value) {
  auto v = trim(value);
  if (!is_token(v)) return fail(Errc::parse, "entity-tag is not a token");
  return v;
}

Result<Identity> parse_identity(std::string_view value) {
  Identity id;
  Scanner in{value};
  in.skip_ws();
  if (in.peek() == '"') {
    auto q = in.quoted_string();
    if (!q) return fail(Errc::parse, "unterminated Identity");
    id.signature = q->substr(1, q->size() - 2);
    for (char c : id.signature) {
      if (!chars::is_alnum(c) && c != '+' && c != '/' && c != '=') {
        return fail(Errc::parse, "Identity is not base64");
      }
    }
    if (auto r = expect_end(in, "Identity"); !r) return Unexpected{r.error()};
    return id;
  }
  id.rfc8224 = true;
  // signed-identity-digest = 1*(base64-char / ".") (base64url of the compact JWS)
  id.signature = in.take_while([](char c) {
    return chars::is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '+' || c == '/' ||
           c == '=';
  });
  if (id.signature.empty()) return fail(Errc::parse, "empty Identity");
  // ident-info = "info" EQUAL ident-info-uri; ident-info-uri = LAQUOT absoluteURI RAQUOT
  while (in.consume_sep(';')) {
    GenericParam p;
    p.name = in.token();
    if (p.name.empty() || !in.consume_sep('='))
      return fail(Errc::parse, "malformed Identity parameter");
    p.has_value = true;
    if (iequals(p.name, "info")) {
      if (!in.consume('<')) return fail(Errc::parse, "Identity info= needs <URI>");
      std::string_view rest = in.rest();
      size_t close = rest.find('>');
      if (close == std::string_view::npos) return fail(Errc::parse, "Identity info= misses '>'");
      id.info_uri = rest.substr(0, close);
      if (!parse_uri(id.info_uri)) return fail(Errc::parse, "Identity info= URI is invalid");
      in.advance(close + 1);
      p.value = id.info_uri;
    } else {
      p.value = in.token();
      if (p.value.empty()) return fail(Errc::parse, "empty Identity parameter value");
    }
    id.params.push(p);
  }
  if (id.info_uri.empty()) return fail(Errc::parse, "RFC 8224 Identity without info=");
  if (auto r = expect_end(in, "Identity"); !r) return Unexpected{r.error()};
  return id;
}

Result<IdentityInfo> parse_identity_info(std::string_view value) {
  IdentityInfo info;
  Scanner in{value};
  in.skip_ws();
  if (!in.consume('<')) return fail(Errc::parse, "Identity-Info needs <URI>");
  std::string_view rest = in.rest();
  size_t close = rest.find('>');
  if (close == std::string_view::npos) return fail(Errc::parse, "Identity-Info misses '>'");
  info.uri = rest.substr(0, close);
  if (!parse_uri(info.uri)) return fail(Errc::parse, "Identity-Info URI is invalid");
  in.advance(close + 1);
  if (auto r = in.params(info.params); !r) {
    return fail(Errc::parse, "Identity-Info: " + r.error().detail);
  }
  if (auto r = expect_end(in, "Identity-Info"); !r) return Unexpected{r.error()};
  return info;
}

Result<RetryAfter> parse_retry_after(std::string_view value) {
  RetryAfter ra;
  Scanner in{value};
  in.skip_ws();
  auto n = parse_number(in.take_while(chars::is_digit), 0xffffffff);
  if (!n) return fail(Errc::parse, "Retry-After is not a number of seconds");
  ra.seconds = static_cast<uint32_t>(*n);
  in.skip_ws();
  if (in.peek() == '(') {
    // comment = LPAREN *(ctext / quoted-pair / comment) RPAREN, nested.
    size_t b = in.pos();
    int depth = 0;
    while (!in.at_end()) {
      char c = in.peek();
      in.advance();
      if (c == '\\') {
        in.advance();
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        break;
      }
    }
    if (depth != 0) return fail(Errc::parse, "unterminated Retry-After comment");
    ra.comment = in.text().substr(b, in.pos() - b);
  }
  if (auto r = in.params(ra.params); !r)
    return fail(Errc::parse, "Retry-After: " + r.error().detail);
  if (auto r = expect_end(in, "Retry-After"); !r) return Unexpected{r.error()};
  return ra;
}

Result<Warning> parse_warning(std::string_view value) {
  Warning w;
  Scanner in{value};
  in.skip_ws();
  auto code = in.take_while(chars::is_digit);
  if (code.size() != 3) return fail(Errc::parse, "warn-code is not three digits");
  w.code = static_cast<uint16_t>(*parse_number(code, 999));
  if (!in.consume(' ')) return fail(Errc::parse, "Warning without agent");
  // warn-agent = hostport / pseudonym
  w.agent =
      in.take_while([](char c) { return chars::is_token(c) || c == ':' || c == '[' || c == ']'; });
  if (w.agent.empty() || !in.consume(' ')) return fail(Errc::parse, "Warning without agent");
  auto text = in.quoted_string();
  if (!text) return fail(Errc::parse, "warn-text is not a quoted string");
  w.text = *text;
  if (auto r = expect_end(in, "Warning"); !r) return Unexpected{r.error()};
  return w;
}

Result<std::string_view> parse_token(std::string_view value) {
  auto v = trim(value);
  if (!is_token(v)) return fail(Errc::parse, "expected a token");
  return v;
}

}  // namespace sipcred::sip
