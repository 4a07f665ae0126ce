#include "service/endpoint.hpp"

#include <algorithm>
#include <array>

#include "sip/headers.hpp"
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
  out.reserve(via_text.size() + 48);
  // Rebuild the parameter list in order, filling rport and dropping a stale received.
  out.append(via_text.substr(
      0, via->params.empty()
             ? via_text.size()
             : static_cast<size_t>(via->params.items().front().name.data() - via_text.data() - 1)));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t' || out.back() == ';')) {
    out.pop_back();
  }
  bool add_received = host_without_brackets(via->host.text) != from.address;
  for (const auto& p : via->params.items()) {
    if (sip::iequals(p.name, "received")) continue;
    out.append(";").append(p.name);
    if (sip::iequals(p.name, "rport")) {
      out.append("=").append(std::to_string(from.port));
      add_received = true;  // RFC 3581 §4: received is added whenever rport is
      continue;
    }
    if (p.has_value) out.append("=").append(p.value);
  }
  if (add_received) out.append(";received=").append(from.address);
  return out;
}

Peer response_destination(std::string_view top_via, const Peer& from) {
  Peer to = from;
  auto via = sip::parse_via(top_via);
  if (!via || from.transport != Transport::udp) return to;
  if (auto rport = via->params.value("rport"); rport && !rport->empty()) return to;
  // Without rport: the source address, at the sent-by port or 5060.
  to.port = via->port.value_or(5060);
  return to;
}

Endpoint::Endpoint(EndpointConfig config, Service* service)
    : config_(std::move(config)),
      service_(service),
      tokens_(config_.seed),
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
  // Growing the table rehashes every entry at once: a stall of milliseconds under load that
  // loses UDP requests. The table is bounded, so its buckets are made at the start.
  txns_.reserve(config_.max_transactions);
}

bool Endpoint::supports(std::string_view option_tag) const {
  return std::find(config_.supported.begin(), config_.supported.end(), option_tag) !=
         config_.supported.end();
}

std::string Endpoint::new_tag() {
  return tokens_.hex(16);
}

std::optional<Outgoing> Endpoint::reply(const sip::Message& req, const Peer& from, int status,
                                        std::string_view reason, const Answer* extra) {
  auto via = req.first(sip::HeaderId::via);
  if (!via) return std::nullopt;  // nowhere to send it (RFC 3261 §18.2.2)
  std::string tag = extra != nullptr && !extra->to_tag.empty() ? extra->to_tag : new_tag();
  sip::Message out = sip::make_response(req, status, reason, tag);
  std::string top = annotate_via(*via, from);
  out.replace_first(sip::HeaderId::via, top);
  if (status == 405 || (status == 200 && req.method() == "OPTIONS")) {
    out.add(sip::HeaderId::allow, allow_);
  }
  // RFC 6665 §8.2.2: a 489 lists the packages that are understood.
  if (!config_.events.empty() && (status == 489 || (status == 200 && req.method() == "OPTIONS"))) {
    out.add(sip::HeaderId::allow_events, join(config_.events));
  }
  if (status == 200 && req.method() == "OPTIONS") {
    // RFC 3261 §11.2: Accept, Accept-Encoding, Accept-Language and Supported SHOULD be present.
    out.add(sip::HeaderId::accept, join(config_.accept));
    out.add(sip::HeaderId::accept_encoding, "identity");
    out.add(sip::HeaderId::accept_language, "en");
    out.add(sip::HeaderId::supported, join(config_.supported));
  }
  if (status == 420) {
    for (auto opt : req.all(sip::HeaderId::require)) {
      if (!supports(opt)) out.add(sip::HeaderId::unsupported, opt);
    }
  }
  if (extra != nullptr) {
    for (const auto& [id, value] : extra->headers) out.add(id, value);
  }
  out.add(sip::HeaderId::server, config_.server);
  out.set_body({});
  return Outgoing{out.serialize(), response_destination(top, from), status};
}

Answer Endpoint::answer(const sip::Message& msg, const Peer& from, TimePoint now, WallTime wall) {
  Answer a;
  auto simple = [&](int status, std::string_view reason = {}) {
    a.status = status;
    a.reason = std::string{reason};
    return a;
  };
  sip::Verdict v = sip::validate_request(msg);
  if (!v.ok()) return simple(v.status, v.reason);

  // RFC 3261 §8.2.2.3: an extension we do not support in Require gets 420 (not for CANCEL).
  if (msg.method() != "CANCEL") {
    for (auto opt : msg.all(sip::HeaderId::require)) {
      if (!supports(opt)) return simple(420, "Bad Extension");
    }
  }
  if (std::find(config_.allow.begin(), config_.allow.end(), msg.method()) == config_.allow.end()) {
    if (msg.method() == "CANCEL") return simple(481);  // no transaction to cancel
    return simple(is_known_method(msg.method()) ? 405 : 501);
  }
  if (msg.method() == "OPTIONS") return simple(200);
  if (msg.method() == "SUBSCRIBE" || msg.method() == "PUBLISH") {
    // RFC 6665 §8.2.2 / RFC 3903 §6: a missing Event or a package we do not serve is 489.
    auto event = msg.first(sip::HeaderId::event);
    if (!event) return simple(489, "Bad Event (no Event header)");
    auto parsed = sip::parse_event(*event);
    if (!parsed || std::find(config_.events.begin(), config_.events.end(), parsed->package) ==
                       config_.events.end()) {
      return simple(489);
    }
    if (service_ != nullptr) return service_->on_request(msg, from, now, wall);
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
  if (txn.deadline) timers_.erase({*txn.deadline, key});
  txn.deadline = std::visit([](auto& m) { return m.next_deadline(); }, txn.machine);
  if (txn.deadline) timers_.insert({*txn.deadline, key});
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
  auto key = sip::txn::server_key(msg);
  if (key) {
    if (auto it = txns_.find(*key); it != txns_.end()) {
      Txn& txn = it->second;
      if (msg.method() == "ACK") {
        if (auto* inv = std::get_if<sip::txn::InviteServer>(&txn.machine)) inv->on_ack(now);
        schedule(*key, txn);
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
    if (auto r = reply(msg, from, 503, "Service Unavailable (too many requests from this address)",
                       &busy)) {
      out.push_back(std::move(*r));
    }
    return out;
  }
  per_source_.record(from.address, t);
  Answer a = answer(msg, from, now, wall);
  if (a.status == 0 && a.pending != 0) {
    // The answer waits for a durable write; the transaction absorbs retransmissions meanwhile.
    if (!key) key = "stateless " + std::to_string(a.pending);
    bool reliable = from.transport != Transport::udp;
    Txn txn{Machine{sip::txn::NonInviteServer{reliable, config_.timers}}, from, 0, std::nullopt};
    txns_.emplace(*key, std::move(txn));
    waiting_.emplace(a.pending, Waiting{*key, msg, from});
    return out;
  }
  auto first = reply(msg, from, a.status, a.reason, &a);
  if (!first) return out;
  if (!key || txns_.size() >= config_.max_transactions) {
    out.push_back(std::move(*first));  // stateless answer
  } else {
    bool reliable = from.transport != Transport::udp;
    Txn txn{msg.method() == "INVITE" ? Machine{sip::txn::InviteServer{reliable, config_.timers}}
                                     : Machine{sip::txn::NonInviteServer{reliable, config_.timers}},
            first->to, first->status, std::nullopt};
    auto [it, inserted] = txns_.emplace(*key, std::move(txn));
    respond(*key, it->second, std::move(*first), now, out);
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
    auto first = reply(waiting.request, waiting.from, a.status, a.reason, &a);
    auto it = txns_.find(waiting.key);
    if (first && it != txns_.end()) {
      respond(waiting.key, it->second, std::move(*first), now, out);
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
    std::string key = timers_.begin()->second;
    timers_.erase(timers_.begin());
    auto it = txns_.find(key);
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
      schedule(key, txn);
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
