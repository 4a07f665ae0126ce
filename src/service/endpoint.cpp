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

Endpoint::Endpoint(EndpointConfig config)
    : config_(std::move(config)),
      allow_(join(config_.allow)),
      rng_(config_.seed != 0 ? config_.seed : std::random_device{}()) {}

bool Endpoint::supports(std::string_view option_tag) const {
  return std::find(config_.supported.begin(), config_.supported.end(), option_tag) !=
         config_.supported.end();
}

std::string Endpoint::new_tag() {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t v = rng_();
  std::string tag(16, '0');
  for (auto& c : tag) {
    c = kHex[v & 15];
    v >>= 4;
  }
  return tag;
}

std::optional<Outgoing> Endpoint::reply(const sip::Message& req, const Peer& from, int status,
                                        std::string_view reason) {
  auto via = req.first(sip::HeaderId::via);
  if (!via) return std::nullopt;  // nowhere to send it (RFC 3261 §18.2.2)
  sip::Message out = sip::make_response(req, status, reason, new_tag());
  std::string top = annotate_via(*via, from);
  out.replace_first(sip::HeaderId::via, top);
  if (status == 405 || status == 200) out.add(sip::HeaderId::allow, allow_);
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
  out.add(sip::HeaderId::server, config_.server);
  out.set_body({});
  return Outgoing{out.serialize(), response_destination(top, from), status};
}

std::optional<Outgoing> Endpoint::answer(const sip::Message& msg, const Peer& from) {
  sip::Verdict v = sip::validate_request(msg);
  if (!v.ok()) return reply(msg, from, v.status, v.reason);

  // RFC 3261 §8.2.2.3: an extension we do not support in Require gets 420 (not for CANCEL).
  if (msg.method() != "CANCEL") {
    for (auto opt : msg.all(sip::HeaderId::require)) {
      if (!supports(opt)) return reply(msg, from, 420, "Bad Extension");
    }
  }
  if (std::find(config_.allow.begin(), config_.allow.end(), msg.method()) == config_.allow.end()) {
    if (msg.method() == "CANCEL") return reply(msg, from, 481, {});  // no transaction to cancel
    return reply(msg, from, is_known_method(msg.method()) ? 405 : 501, {});
  }
  if (msg.method() == "OPTIONS") return reply(msg, from, 200, {});
  if (msg.method() == "SUBSCRIBE" || msg.method() == "PUBLISH") {
    // RFC 6665 §8.2.2 / RFC 3903 §6: a missing Event or a package we do not serve is 489.
    auto event = msg.first(sip::HeaderId::event);
    if (!event) return reply(msg, from, 489, "Bad Event (no Event header)");
    auto parsed = sip::parse_event(*event);
    if (!parsed || std::find(config_.events.begin(), config_.events.end(), parsed->package) ==
                       config_.events.end()) {
      return reply(msg, from, 489, {});
    }
  }
  return reply(msg, from, 501, {});
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

std::vector<Outgoing> Endpoint::on_message(const sip::Message& msg, const Peer& from,
                                           TimePoint now) {
  std::vector<Outgoing> out;
  if (msg.is_response()) return out;  // no client transactions yet
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
  auto first = answer(msg, from);
  if (!first) return out;
  int status = first->status;
  if (!key || txns_.size() >= config_.max_transactions) {
    out.push_back(std::move(*first));  // stateless answer
    return out;
  }
  bool reliable = from.transport != Transport::udp;
  Txn txn{msg.method() == "INVITE" ? Machine{sip::txn::InviteServer{reliable, config_.timers}}
                                   : Machine{sip::txn::NonInviteServer{reliable, config_.timers}},
          first->to, status, std::nullopt};
  auto actions = std::visit(
      [&](auto& m) { return m.respond(status, std::move(first->bytes), now); }, txn.machine);
  collect(std::move(actions), txn, out);
  auto [it, inserted] = txns_.emplace(*key, std::move(txn));
  schedule(*key, it->second);
  return out;
}

std::vector<Outgoing> Endpoint::on_timer(TimePoint now) {
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
  return out;
}

std::optional<TimePoint> Endpoint::next_deadline() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first;
}

}  // namespace sipcred::service
