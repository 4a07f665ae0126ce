#include "sip/validate.hpp"

#include <array>

#include "sip/name_addr.hpp"
#include "sip/scanner.hpp"
#include "sip/uri.hpp"

namespace sipcred::sip {
namespace {

Verdict bad(std::string reason, int status = 400) {
  return Verdict{status, std::move(reason)};
}

// Where each known header is, from one pass over the fields: validation looks at a dozen headers
// and must not rescan the message (or allocate) for each.
struct Census {
  std::array<uint16_t, static_cast<size_t>(HeaderId::count_)> count{};
  std::array<uint16_t, static_cast<size_t>(HeaderId::count_)> first{};
  explicit Census(const Message& m) {
    const auto& fields = m.fields();
    for (size_t i = 0; i < fields.size(); ++i) {
      auto k = static_cast<size_t>(fields[i].id);
      if (count[k]++ == 0) first[k] = static_cast<uint16_t>(i);
    }
  }
  size_t n(HeaderId id) const { return count[static_cast<size_t>(id)]; }
};

// A header that must appear at most once (or, for a list header, any number of times) and parse.
// `skip_first`: the first field was parsed already (RequestHeads).
Verdict check_header(const Message& m, const Census& c, HeaderId id, bool required,
                     bool skip_first = false) {
  const HeaderInfo& info = header_info(id);
  size_t n = c.n(id);
  if (n == 0) {
    return required ? bad("Missing " + std::string{info.name} + " header") : Verdict{};
  }
  if (n > 1 && info.kind != HeaderKind::list) {
    return bad("Multiple " + std::string{info.name} + " headers");
  }
  if (info.check == nullptr) return {};
  const auto& fields = m.fields();
  for (size_t i = c.first[static_cast<size_t>(id)], seen = 0; seen < n; ++i) {
    if (fields[i].id != id) continue;
    if (seen++ == 0 && skip_first) continue;
    if (auto r = info.check(m.value(fields[i])); !r) {
      return bad("Malformed " + std::string{info.name} + " header: " + r.error().detail);
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

RequestHeads parse_request_heads(const Message& m) {
  RequestHeads h;
  for (const auto& f : m.fields()) {
    if (f.id == HeaderId::via && !h.top_via) {
      auto via = parse_via(m.value(f));
      if (!via) break;  // an unparseable top Via: no transaction to match
      h.top_via = std::move(*via);
    } else if (f.id == HeaderId::cseq && !h.cseq) {
      if (auto cseq = parse_cseq(m.value(f))) h.cseq = *cseq;
    }
    if (h.top_via && h.cseq) break;
  }
  return h;
}

Verdict validate_request(const Message& m, RequestHeads* heads) {
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
  Census census{m};
  auto first_value = [&](HeaderId id) {
    return m.value(m.fields()[census.first[static_cast<size_t>(id)]]);
  };
  // To is parsed here rather than through the table's check, to keep whether it has a tag.
  if (auto v = check_header(m, census, HeaderId::to, true, true); !v.ok()) return v;
  auto to = parse_name_addr(first_value(HeaderId::to));
  if (!to) return bad("Malformed To header: " + to.error().detail);
  if (heads != nullptr) heads->to_has_tag = to->params.has("tag");
  // The top Via and the CSeq (single, so the first is the only one) parsed once, in `heads`.
  bool have_via = heads != nullptr && heads->top_via.has_value();
  bool have_cseq = heads != nullptr && heads->cseq.has_value();
  for (HeaderId id :
       {HeaderId::from, HeaderId::call_id, HeaderId::cseq, HeaderId::via, HeaderId::max_forwards}) {
    bool parsed = (id == HeaderId::via && have_via) || (id == HeaderId::cseq && have_cseq);
    if (auto v = check_header(m, census, id, true, parsed); !v.ok()) return v;
  }
  std::string_view cseq_method;
  if (have_cseq) {
    cseq_method = heads->cseq->method;
  } else {
    cseq_method = parse_cseq(first_value(HeaderId::cseq))->method;
  }
  if (cseq_method != m.method()) return bad("CSeq method does not match the request method");

  for (HeaderId id : {HeaderId::content_length, HeaderId::content_type, HeaderId::expires,
                      HeaderId::content_disposition}) {
    if (auto v = check_header(m, census, id, false); !v.ok()) return v;
  }
  // Event (RFC 6665 §8.4) is kept for the caller, which routes on its package.
  if (auto v = check_header(m, census, HeaderId::event, false, true); !v.ok()) return v;
  if (census.n(HeaderId::event) == 1) {
    auto event = parse_event(first_value(HeaderId::event));
    if (!event) return bad("Malformed Event header: " + event.error().detail);
    if (heads != nullptr) heads->event = std::move(*event);
  }
  if (auto v = check_header(m, census, HeaderId::contact, false); !v.ok()) return v;
  if (!m.body().empty() && census.n(HeaderId::content_type) == 0) {
    return bad("Missing Content-Type for a message body");  // RFC 3261 §20.15
  }
  return {};
}

Verdict validate_response(const Message& m) {
  if (auto v = check_common(m); !v.ok()) return v;
  Census census{m};
  for (HeaderId id :
       {HeaderId::to, HeaderId::from, HeaderId::call_id, HeaderId::cseq, HeaderId::via}) {
    if (auto v = check_header(m, census, id, true); !v.ok()) return v;
  }
  return check_header(m, census, HeaderId::content_length, false);
}

}  // namespace sipcred::sip
