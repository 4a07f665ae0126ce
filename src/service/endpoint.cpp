#include "service/endpoint.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "sip/headers.hpp"
#include "sip/name_addr.hpp"
#include "sip/response.hpp"
#include "sip/scanner.hpp"
#include "sip/validate.hpp"

namespace sipcred::service {

std::string_view to_string(Transport t) {
  switch (t) {
    case Transport::udp:
      return "UDP";
    case Transport::tcp:
      return "TCP";
    case Transport::tls:
      return "TLS";
  }
  return "UDP";
}

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ", ";
    out += i;
  }
  return out;
}

// Methods of RFC 3261 and its extensions that we recognise: 405 for these, 501 for the rest
// (RFC 3261 §8.2.1).
bool is_known_method(std::string_view m) {
  static constexpr std::array<std::string_view, 14> kKnown = {
      "INVITE", "ACK",     "BYE",     "CANCEL", "REGISTER", "OPTIONS", "SUBSCRIBE",
      "NOTIFY", "PUBLISH", "MESSAGE", "INFO",   "PRACK",    "UPDATE",  "REFER"};
  return std::find(kKnown.begin(), kKnown.end(), m) != kKnown.end();
}

std::string_view host_without_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[') return host.substr(1, host.size() - 2);
  return host;
}

}  // namespace

std::string annotate_via(std::string_view via_text, const Peer& from) {
  auto via = sip::parse_via(via_text);
  if (!via) return std::string{via_text};
  std::string out;
  annotate_via(via_text, *via, from, out);
  return out;
}

void annotate_via(std::string_view via_text, const sip::Via& via, const Peer& from,
                  std::string& out) {
  // Rebuild the parameter list in order, filling rport and dropping a stale received.
  std::string_view head = via_text.substr(
      0, via.params.empty()
             ? via_text.size()
             : static_cast<size_t>(via.params.items().front().name.data() - via_text.data() - 1));
  while (!head.empty() && (head.back() == ' ' || head.back() == '\t' || head.back() == ';')) {
    head.remove_suffix(1);
  }
  out.append(head);
  bool add_received = host_without_brackets(via.host.text) != from.address;
  for (const auto& p : via.params.items()) {
    if (sip::iequals(p.name, "received")) continue;
    out.append(";").append(p.name);
    if (sip::iequals(p.name, "rport")) {
      char port[8];
      auto [end, ec] = std::to_chars(port, port + sizeof port, from.port);
      out.append("=").append(port, end);
      add_received = true;  // RFC 3581 §4: received is added whenever rport is
      continue;
    }
    if (p.has_value) out.append("=").append(p.value);
  }
  if (add_received) out.append(";received=").append(from.address);
}

Peer response_destination(std::string_view top_via, const Peer& from) {
  auto via = sip::parse_via(top_via);
  if (!via) return from;
  return response_destination(*via, from);
}

Peer response_destination(const sip::Via& via, const Peer& from) {
  Peer to = from;
  if (from.transport != Transport::udp) return to;
  if (auto rport = via.params.value("rport"); rport) return to;
  // Without rport: the source address, at the sent-by port or 5060.
  to.port = via.port.value_or(5060);
  return to;
}

Endpoint::Endpoint(EndpointConfig config, Service* service)
    : config_(std::move(config)),
      service_(service),
      tokens_(config_.seed),
      tag_key_((uint64_t{tokens_.below(0xffffffffU)} << 32) | tokens_.below(0xffffffffU)),
      per_source_(config_.source_rate == 0 ? 0 : config_.source_burst,
                  std::chrono::microseconds{
                      config_.source_rate == 0 ? 1 : std::max(1u, 1'000'000 / config_.source_rate)},
                  config_.source_capacity) {
  if (service_ != nullptr) {
    for (const auto& m : {"SUBSCRIBE", "PUBLISH"}) {
      if (std::find(config_.allow.begin(), config_.allow.end(), m) == config_.allow.end()) {
        config_.allow.emplace_back(m);
      }
    }
    for (auto& e : service_->events()) {
      if (std::find(config_.events.begin(), config_.events.end(), e) == config_.events.end()) {
        config_.events.push_back(std::move(e));
      }
    }
  }
  allow_ = join(config_.allow);
  allow_events_ = join(config_.events);
  // Growing the table rehashes every entry at once: a stall of milliseconds under load that
  // loses UDP requests. The table is bounded, so its buckets are made at the start.
  txns_.reserve(config_.max_transactions);
}

bool Endpoint::supports(std::string_view option_tag) const {
  return std::find(config_.supported.begin(), config_.supported.end(), option_tag) !=
         config_.supported.end();
}

namespace {

// RFC 3261 §8.2.7: a stateless UAS makes the To tag of a response from the request, so that a
// retransmission of the request gets the same response. Tags must be unique, not secret
// (§19.3): a 64-bit hash of the transaction key, mixed with a per-process key, as 16 hex digits.
void stateless_tag(std::string_view key, uint64_t tag_key, char (&out)[16]) {
  uint64_t h = std::hash<std::string_view>{}(key) ^ tag_key;
  // splitmix64's finalizer, so that similar keys give unrelated tags.
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  h ^= h >> 31;
  static constexpr char kHex[] = "0123456789abcdef";
  for (char& c : out) {
    c = kHex[h & 15];
    h >>= 4;
  }
}

}  // namespace

std::string Endpoint::new_tag() {
  return tokens_.hex(16);
}

namespace {

void append_header(std::string& out, sip::HeaderId id, std::string_view value) {
  out.append(sip::header_info(id).name).append(": ").append(value).append("\r\n");
}

}  // namespace

std::optional<Outgoing> Endpoint::reply(const sip::Message& req, const sip::RequestHeads& heads,
                                        const Peer& from, int status, std::string_view reason,
                                        const Answer* extra, std::string_view tag) {
  if (!req.first(sip::HeaderId::via)) return std::nullopt;  // nowhere to send it (§18.2.2)
  std::string random_tag;
  if (extra != nullptr && !extra->to_tag.empty()) {
    tag = extra->to_tag;
  } else if (tag.empty()) {
    random_tag = new_tag();
    tag = random_tag;
  }
  if (reason.empty()) reason = sip::default_reason(status);
  const bool options_ok = status == 200 && req.method() == "OPTIONS";

  // Sized once: the response is kept by its transaction for Timer J (32 s over UDP).
  size_t size = 160 + reason.size() + allow_events_.size() + config_.server.size();
  for (const auto& f : req.fields()) {
    if (f.id == sip::HeaderId::via || f.id == sip::HeaderId::from || f.id == sip::HeaderId::to ||
        f.id == sip::HeaderId::call_id || f.id == sip::HeaderId::cseq) {
      size += f.value.len + 16;
    }
  }
  std::string out;
  out.reserve(size);
  // Status-Line (RFC 3261 §7.2); the Reason-Phrase excludes CR and LF (§25.1).
  char code[8];
  auto [code_end, ec] = std::to_chars(code, code + sizeof code, status);
  out.append("SIP/2.0 ").append(code, code_end).append(" ");
  for (char c : reason) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  out.append("\r\n");
  // RFC 3261 §8.2.6.2: Via, From, Call-ID and CSeq copied, To with our tag; the top Via
  // annotated for the response's way back (§18.2.1, RFC 3581 §4).
  bool top = true;
  std::optional<Peer> to;
  for (const auto& f : req.fields()) {
    switch (f.id) {
      case sip::HeaderId::via:
        if (top) {
          top = false;
          out.append(sip::header_info(f.id).name).append(": ");
          std::optional<sip::Via> parsed;
          const sip::Via* via = heads.top_via ? &*heads.top_via : nullptr;
          if (via == nullptr) {
            if (auto p = sip::parse_via(req.value(f))) parsed = std::move(*p);
            if (parsed) via = &*parsed;
          }
          if (via != nullptr) {
            annotate_via(req.value(f), *via, from, out);
            to = response_destination(*via, from);
          } else {
            out.append(req.value(f));
          }
          out.append("\r\n");
        } else {
          append_header(out, f.id, req.value(f));
        }
        break;
      case sip::HeaderId::from:
      case sip::HeaderId::call_id:
      case sip::HeaderId::cseq:
        append_header(out, f.id, req.value(f));
        break;
      case sip::HeaderId::to: {
        std::string_view value = req.value(f);
        bool add_tag = false;
        if (status > 100 && !tag.empty()) {
          if (heads.to_has_tag && value.data() == req.first(sip::HeaderId::to)->data()) {
            add_tag = !*heads.to_has_tag;
          } else {
            auto parsed = sip::parse_name_addr(value);
            add_tag = parsed && !parsed->params.has("tag");
          }
        }
        out.append(sip::header_info(f.id).name).append(": ").append(value);
        if (add_tag) out.append(";tag=").append(tag);
        out.append("\r\n");
        break;
      }
      default:
        break;
    }
  }
  if (status == 405 || options_ok) append_header(out, sip::HeaderId::allow, allow_);
  // RFC 6665 §8.2.2: a 489 lists the packages that are understood.
  if (!config_.events.empty() && (status == 489 || options_ok)) {
    append_header(out, sip::HeaderId::allow_events, allow_events_);
  }
  if (options_ok) {
    // RFC 3261 §11.2: Accept, Accept-Encoding, Accept-Language and Supported SHOULD be present.
    append_header(out, sip::HeaderId::accept, join(config_.accept));
    append_header(out, sip::HeaderId::accept_encoding, "identity");
    append_header(out, sip::HeaderId::accept_language, "en");
    append_header(out, sip::HeaderId::supported, join(config_.supported));
  }
  if (status == 420) {
    for (auto opt : req.all(sip::HeaderId::require)) {
      if (!supports(opt)) append_header(out, sip::HeaderId::unsupported, opt);
    }
  }
  if (extra != nullptr) {
    for (const auto& [id, value] : extra->headers) append_header(out, id, value);
  }
  append_header(out, sip::HeaderId::server, config_.server);
  append_header(out, sip::HeaderId::content_length, "0");
  out.append("\r\n");
  return Outgoing{std::move(out), to.value_or(from), status};
}

Answer Endpoint::answer(const sip::Message& msg, sip::RequestHeads& heads, const Peer& from,
                        TimePoint now, WallTime wall, bool& by_service) {
  by_service = false;
  Answer a;
  auto simple = [&](int status, std::string_view reason = {}) {
    a.status = status;
    a.reason = std::string{reason};
    return a;
  };
  sip::Verdict v = sip::validate_request(msg, &heads);
  if (!v.ok()) return simple(v.status, v.reason);

  // RFC 3261 §8.2.2.3: an extension we do not support in Require gets 420 (not for CANCEL).
  if (msg.method() != "CANCEL") {
    for (const auto& f : msg.fields()) {
      if (f.id == sip::HeaderId::require && !supports(msg.value(f))) {
        return simple(420, "Bad Extension");
      }
    }
  }
  if (std::find(config_.allow.begin(), config_.allow.end(), msg.method()) == config_.allow.end()) {
    if (msg.method() == "CANCEL") return simple(481);  // no transaction to cancel
    return simple(is_known_method(msg.method()) ? 405 : 501);
  }
  if (msg.method() == "OPTIONS") return simple(200);
  if (msg.method() == "SUBSCRIBE" || msg.method() == "PUBLISH") {
    // RFC 6665 §8.2.2 / RFC 3903 §6: a missing Event or a package we do not serve is 489.
    // The validator parsed the Event (a malformed one was answered 400 there).
    if (!heads.event) return simple(489, "Bad Event (no Event header)");
    if (std::find(config_.events.begin(), config_.events.end(), heads.event->package) ==
        config_.events.end()) {
      return simple(489);
    }
    if (service_ != nullptr) {
      by_service = true;
      return service_->on_request(msg, from, now, wall);
    }
  }
  return simple(501);
}

void Endpoint::collect(std::vector<sip::txn::Action>&& actions, const Txn& txn,
                       std::vector<Outgoing>& out) {
  for (auto& a : actions) {
    if (auto* send = std::get_if<sip::txn::Send>(&a)) {
      out.push_back(Outgoing{std::move(send->bytes), txn.to, txn.status});
    }
  }
}

void Endpoint::schedule(const std::string& key, Txn& txn) {
  if (txn.deadline) timers_.erase({*txn.deadline, &key});
  txn.deadline = std::visit([](auto& m) { return m.next_deadline(); }, txn.machine);
  if (txn.deadline) timers_.insert({*txn.deadline, &key});
}

void Endpoint::respond(const std::string& key, Txn& txn, Outgoing first, TimePoint now,
                       std::vector<Outgoing>& out) {
  txn.to = first.to;
  txn.status = first.status;
  auto actions = std::visit(
      [&](auto& m) { return m.respond(first.status, std::move(first.bytes), now); }, txn.machine);
  collect(std::move(actions), txn, out);
  schedule(key, txn);
}

std::vector<Outgoing> Endpoint::on_message(const sip::Message& msg, const Peer& from, TimePoint now,
                                           WallTime wall) {
  std::vector<Outgoing> out;
  if (msg.is_response()) {
    // RFC 3261 §18.1.2 / §17.1.3: to the client transaction it matches, or dropped.
    if (service_ != nullptr) service_->on_response(msg, now, out);
    return out;
  }
  // The top Via and the CSeq, parsed once for matching, validation and the response.
  sip::RequestHeads heads = sip::parse_request_heads(msg);
  bool keyed =
      heads.top_via && heads.cseq && sip::txn::server_key(msg, *heads.top_via, *heads.cseq, key_);
  if (keyed && !txns_.empty()) {  // an empty table's buckets are not worth a cache miss
    if (auto it = txns_.find(std::string_view{key_}); it != txns_.end()) {
      Txn& txn = it->second;
      if (msg.method() == "ACK") {
        if (auto* inv = std::get_if<sip::txn::InviteServer>(&txn.machine)) inv->on_ack(now);
        schedule(it->first, txn);
        return out;  // absorbed (RFC 3261 §17.2.1)
      }
      auto actions = std::visit([](auto& m) { return m.on_request_retransmission(); }, txn.machine);
      collect(std::move(actions), txn, out);
      return out;
    }
  }
  if (msg.method() == "ACK") return out;  // never answered (RFC 3261 §17.2.1)
  // Limits against a flood from one address: answered statelessly, nothing else done for it.
  const MicroTime t{now.time_since_epoch()};
  if (auto wait = per_source_.blocked_for(from.address, t); wait.count() > 0) {
    Answer busy;
    busy.headers.emplace_back(
        sip::HeaderId::retry_after,
        std::to_string(std::max<int64_t>(1, (wait.count() + 999'999) / 1'000'000)));
    if (auto r = reply(msg, heads, from, 503,
                       "Service Unavailable (too many requests from this address)", &busy)) {
      out.push_back(std::move(*r));
    }
    return out;
  }
  per_source_.record(from.address, t);
  bool by_service = false;
  Answer a = answer(msg, heads, from, now, wall, by_service);
  if (a.status == 0 && a.pending != 0) {
    // The answer waits for a durable write; the transaction absorbs retransmissions meanwhile.
    if (!keyed) key_ = "stateless " + std::to_string(a.pending);
    bool reliable = from.transport != Transport::udp;
    Txn txn{Machine{sip::txn::NonInviteServer{reliable, config_.timers}}, from, 0, std::nullopt};
    txns_.emplace(key_, std::move(txn));
    waiting_.emplace(a.pending, Waiting{key_, msg, from});
    return out;
  }
  // A request the endpoint refuses itself, other than INVITE, is answered statelessly (RFC 3261
  // §8.2.7): the same request always gets the same refusal, and with a To tag made from the
  // transaction key a retransmission gets the same bytes, as the transaction would send
  // (§17.2.2) — without keeping ~1 KB for Timer J (32 s over UDP) per refused request. An
  // INVITE's refusal waits for its ACK (§17.2.1); the service's answers may change state.
  const bool stateless =
      keyed && !by_service && a.status >= 300 && msg.method() != "INVITE" && a.after.empty();
  char tag[16];
  if (stateless) stateless_tag(key_, tag_key_, tag);
  auto first = reply(msg, heads, from, a.status, a.reason, &a,
                     stateless ? std::string_view{tag, sizeof tag} : std::string_view{});
  if (!first) return out;
  if (stateless || !keyed || txns_.size() >= config_.max_transactions) {
    out.push_back(std::move(*first));  // stateless answer
  } else {
    bool reliable = from.transport != Transport::udp;
    Txn txn{msg.method() == "INVITE" ? Machine{sip::txn::InviteServer{reliable, config_.timers}}
                                     : Machine{sip::txn::NonInviteServer{reliable, config_.timers}},
            first->to, first->status, std::nullopt};
    auto [it, inserted] = txns_.emplace(key_, std::move(txn));
    respond(it->first, it->second, std::move(*first), now, out);
  }
  // The response first, then what the service sends because of it (RFC 6665 §4.2.1.2's NOTIFY).
  out.insert(out.end(), std::make_move_iterator(a.after.begin()),
             std::make_move_iterator(a.after.end()));
  return out;
}

std::vector<SignRequest> Endpoint::take_sign_jobs() {
  if (service_ == nullptr) return {};
  return service_->take_sign_jobs();
}

std::vector<Outgoing> Endpoint::on_signed(uint64_t id, Result<identity::IdentityHeaders> headers,
                                          TimePoint now) {
  if (service_ == nullptr) return {};
  return service_->on_signed(id, std::move(headers), now);
}

std::vector<PendingWrite> Endpoint::take_writes() {
  if (service_ == nullptr) return {};
  return service_->take_writes();
}

std::vector<Outgoing> Endpoint::on_write_done(uint64_t token, Result<store::Applied> result,
                                              TimePoint now, WallTime wall) {
  std::vector<Outgoing> out;
  if (service_ == nullptr) return out;
  Answer a = service_->on_write_done(token, std::move(result), now, wall);
  auto w = waiting_.find(token);
  if (w != waiting_.end()) {
    Waiting waiting = std::move(w->second);
    waiting_.erase(w);
    auto first = reply(waiting.request, sip::parse_request_heads(waiting.request), waiting.from,
                       a.status, a.reason, &a);
    auto it = txns_.find(waiting.key);
    if (first && it != txns_.end()) {
      respond(it->first, it->second, std::move(*first), now, out);
    } else if (first) {
      out.push_back(std::move(*first));
    }
  }
  out.insert(out.end(), std::make_move_iterator(a.after.begin()),
             std::make_move_iterator(a.after.end()));
  return out;
}

void Endpoint::on_transport_error(uint64_t txn, TimePoint now) {
  if (service_ != nullptr) service_->on_transport_error(txn, now);
}

std::vector<Outgoing> Endpoint::on_timer(TimePoint now, WallTime wall) {
  std::vector<Outgoing> out;
  while (!timers_.empty() && timers_.begin()->first <= now) {
    const std::string& key = *timers_.begin()->second;  // a live entry's key (see timers_)
    auto it = txns_.find(std::string_view{key});
    timers_.erase(timers_.begin());
    if (it == txns_.end()) continue;
    Txn& txn = it->second;
    txn.deadline.reset();
    auto actions = std::visit([&](auto& m) { return m.on_timer(now); }, txn.machine);
    collect(std::move(actions), txn, out);
    bool done = std::visit(
        [](auto& m) { return m.state() == std::decay_t<decltype(m)>::State::terminated; },
        txn.machine);
    if (done) {
      txns_.erase(it);
    } else {
      schedule(it->first, txn);
    }
  }
  if (service_ != nullptr) {
    auto more = service_->on_timer(now, wall);
    out.insert(out.end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
  }
  return out;
}

std::optional<TimePoint> Endpoint::next_deadline() const {
  std::optional<TimePoint> d;
  if (!timers_.empty()) d = timers_.begin()->first;
  if (service_ != nullptr) {
    auto s = service_->next_deadline();
    if (s && (!d || *s < *d)) d = s;
  }
  return d;
}

}  // namespace sipcred::service
