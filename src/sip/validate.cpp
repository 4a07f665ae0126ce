#include "sip/validate.hpp"

#include "sip/headers.hpp"
#include "sip/name_addr.hpp"
#include "sip/scanner.hpp"
#include "sip/uri.hpp"

namespace sipcred::sip {
namespace {

Verdict bad(std::string reason, int status = 400) { return Verdict{status, std::move(reason)}; }

// A header that must appear exactly once and parse.
Verdict check_single(const Message& m, HeaderId id, bool required) {
  const HeaderInfo& info = header_info(id);
  size_t n = m.count(id);
  if (n == 0) {
    return required ? bad("Missing " + std::string{info.name} + " header") : Verdict{};
  }
  if (n > 1 && info.kind != HeaderKind::list) {
    return bad("Multiple " + std::string{info.name} + " headers");
  }
  for (auto v : m.all(id)) {
    if (info.check != nullptr) {
      if (auto r = info.check(v); !r) {
        return bad("Malformed " + std::string{info.name} + " header: " + r.error().detail);
      }
    }
  }
  return {};
}

Verdict check_common(const Message& m) {
  if (!m.defect().empty()) return bad("Bad Request: " + std::string{m.defect()});
  // RFC 3261 §7.1: the version string is case-insensitive; any other version gets 505
  // (§21.5.6; RFC 4475's "badvers").
  if (!iequals(m.version(), "SIP/2.0")) {
    return bad("Version Not Supported: " + std::string{m.version()}, 505);
  }
  return {};
}

}  // namespace

Verdict validate_request(const Message& m) {
  if (auto v = check_common(m); !v.ok()) return v;

  // Request-URI: RFC 3261 §8.2.2.1 and RFC 4475 §3.1.2.7-§3.1.2.10.
  std::string_view ruri = m.request_uri();
  for (char c : ruri) {
    if (chars::is_wsp(c)) return bad("Malformed Request-URI: contains white space");
  }
  auto uri = parse_uri(ruri);
  if (!uri) {
    if (ruri.front() == '<') return bad("Malformed Request-URI: enclosed in <>");
    return bad("Malformed Request-URI: " + uri.error().detail);
  }
  if (uri->scheme == Scheme::other) {
    return bad("Unsupported URI Scheme: " + std::string{uri->scheme_text}, 416);
  }
  // RFC 3261 §19.1.1 (table): the headers component is not allowed in a Request-URI.
  if (uri->is_sip() && !uri->headers.empty()) {
    return bad("Malformed Request-URI: headers are not allowed in it");
  }

  // Mandatory headers, RFC 3261 §8.1.1.
  for (HeaderId id : {HeaderId::to, HeaderId::from, HeaderId::call_id, HeaderId::cseq,
                      HeaderId::via, HeaderId::max_forwards}) {
    if (auto v = check_single(m, id, true); !v.ok()) return v;
  }
  auto cseq = parse_cseq(*m.first(HeaderId::cseq));
  if (cseq->method != m.method()) return bad("CSeq method does not match the request method");

  for (HeaderId id : {HeaderId::content_length, HeaderId::content_type, HeaderId::expires,
                      HeaderId::content_disposition, HeaderId::event, HeaderId::contact}) {
    if (auto v = check_single(m, id, false); !v.ok()) return v;
  }
  if (!m.body().empty() && m.count(HeaderId::content_type) == 0) {
    return bad("Missing Content-Type for a message body");  // RFC 3261 §20.15
  }
  return {};
}

Verdict validate_response(const Message& m) {
  if (auto v = check_common(m); !v.ok()) return v;
  for (HeaderId id : {HeaderId::to, HeaderId::from, HeaderId::call_id, HeaderId::cseq,
                      HeaderId::via}) {
    if (auto v = check_single(m, id, true); !v.ok()) return v;
  }
  return check_single(m, HeaderId::content_length, false);
}

}  // namespace sipcred::sip
