#include "sip/dialog/dialog.hpp"

#include "sip/headers.hpp"
#include "sip/name_addr.hpp"
#include "sip/scanner.hpp"

namespace sipcred::sip {

namespace {

// The value of a name-addr header without its "tag" parameter. The tag is the last thing we add
// and a request's To has none before the dialog exists, but a peer may send one out of place.
std::string without_tag(std::string_view value, const NameAddr& na) {
  const GenericParam* tag = na.params.find("tag");
  if (tag == nullptr) return std::string{value};
  // The parameter starts at its name, one ';' (and maybe whitespace) before.
  size_t start = static_cast<size_t>(tag->name.data() - value.data());
  while (start > 0 && (value[start - 1] == ' ' || value[start - 1] == '\t')) --start;
  if (start > 0 && value[start - 1] == ';') --start;
  size_t end = static_cast<size_t>(tag->name.data() - value.data()) + tag->name.size();
  if (tag->has_value) {
    end = static_cast<size_t>(tag->value.data() - value.data()) + tag->value.size();
  }
  std::string out{value.substr(0, start)};
  out.append(value.substr(end));
  return out;
}

}  // namespace

Result<Dialog> uas_dialog(const Message& request, std::string local_tag, uint32_t local_cseq,
                          bool over_tls) {
  Dialog d;
  auto call_id = request.first(HeaderId::call_id);
  auto from = request.first(HeaderId::from);
  auto to = request.first(HeaderId::to);
  auto cseq = request.first(HeaderId::cseq);
  if (!call_id || !from || !to || !cseq) return fail(Errc::parse, "missing dialog header");
  auto from_na = parse_name_addr(*from);
  auto to_na = parse_name_addr(*to);
  auto cseq_v = parse_cseq(*cseq);
  if (!from_na || !to_na || !cseq_v) return fail(Errc::parse, "unparsable dialog header");
  if (from_na->tag().empty()) return fail(Errc::parse, "From has no tag (RFC 3261 §8.1.1.3)");
  if (request.count(HeaderId::contact) != 1) {
    return fail(Errc::parse, "exactly one Contact is needed (RFC 6665 §4.1.2.2)");
  }
  auto contact = parse_name_addr(*request.first(HeaderId::contact));
  if (!contact || !contact->uri.is_sip()) {
    return fail(Errc::parse, "Contact is not a SIP or SIPS URI (RFC 3261 §8.1.1.8)");
  }
  for (auto rr : request.all(HeaderId::record_route)) {
    auto na = parse_name_addr(rr);
    if (!na || !na->bracketed || !na->uri.is_sip()) {
      return fail(Errc::parse, "Record-Route is not a SIP name-addr (RFC 3261 §20.30)");
    }
    d.route_set.emplace_back(rr);
  }
  d.call_id = std::string{*call_id};
  d.local_tag = std::move(local_tag);
  d.remote_tag = std::string{from_na->tag()};
  d.local = without_tag(*to, *to_na);
  d.remote = std::string{*from};
  d.remote_target = std::string{contact->uri.text};
  d.local_cseq = local_cseq;
  d.remote_cseq = cseq_v->number;
  auto ruri = parse_uri(request.request_uri());
  d.secure = over_tls && ruri && ruri->scheme == Scheme::sips;
  return d;
}

std::string dialog_key(std::string_view call_id, std::string_view local_tag,
                       std::string_view remote_tag) {
  // Tags are tokens and cannot hold a space; Call-ID is a word and cannot either (§25.1).
  std::string key;
  key.reserve(call_id.size() + local_tag.size() + remote_tag.size() + 2);
  key.append(call_id).append(" ").append(local_tag).append(" ").append(remote_tag);
  return key;
}

std::optional<std::string> incoming_dialog_key(const Message& request) {
  auto call_id = request.first(HeaderId::call_id);
  auto from = request.first(HeaderId::from);
  auto to = request.first(HeaderId::to);
  if (!call_id || !from || !to) return std::nullopt;
  // A To without a tag (every initial request) settles it before From is parsed.
  auto to_na = parse_name_addr(*to);
  if (!to_na || to_na->tag().empty()) return std::nullopt;
  auto from_na = parse_name_addr(*from);
  if (!from_na) return std::nullopt;
  return dialog_key(*call_id, to_na->tag(), from_na->tag());
}

Message in_dialog_request(Dialog& dialog, std::string_view method, std::string_view via,
                          std::string_view contact, uint32_t max_forwards) {
  std::string_view request_uri = dialog.remote_target;
  std::vector<std::string_view> routes(dialog.route_set.begin(), dialog.route_set.end());
  std::string strict_target;
  if (!routes.empty()) {
    auto first = parse_name_addr(routes.front());
    if (first && !first->uri.params.has("lr")) {
      // §12.2.1.1 strict routing: the first route becomes the Request-URI (without the
      // parameters a Request-URI may not carry) and the remote target goes last.
      strict_target = std::string{first->uri.text};
      request_uri = strict_target;
      routes.erase(routes.begin());
      routes.push_back({});  // placeholder for "<remote target>"
    }
  }
  Message m = Message::request(method, request_uri);
  m.add(HeaderId::via, via);
  m.add(HeaderId::max_forwards, std::to_string(max_forwards));
  for (auto r : routes) {
    if (r.empty()) {
      m.add(HeaderId::route, "<" + dialog.remote_target + ">");
    } else {
      m.add(HeaderId::route, r);
    }
  }
  m.add(HeaderId::from, dialog.local + ";tag=" + dialog.local_tag);
  m.add(HeaderId::to, dialog.remote);
  m.add(HeaderId::call_id, dialog.call_id);
  m.add(HeaderId::cseq, std::to_string(++dialog.local_cseq) + " " + std::string{method});
  m.add(HeaderId::contact, "<" + std::string{contact} + ">");
  return m;
}

bool accept_remote_cseq(Dialog& dialog, uint32_t cseq) {
  if (cseq < dialog.remote_cseq) return false;
  dialog.remote_cseq = cseq;
  return true;
}

}  // namespace sipcred::sip
