#include "net/dns/locator.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "sip/scanner.hpp"

namespace sipcred::net::dns {

namespace {

// RFC 3261 §19.1.2: 5060 for UDP and TCP, 5061 for TLS.
uint16_t default_port(Transport t) {
  return t == Transport::tls ? 5061 : 5060;
}

std::string without_trailing_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return std::string{name};
}

// Numeric text of an IP literal (brackets of an IPv6reference removed), or nullopt for a name.
std::optional<std::string> ip_literal(std::string_view text) {
  if (text.find(':') != std::string_view::npos) {  // a host name never holds ':'
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
      text = text.substr(1, text.size() - 2);
    }
    return std::string{text};
  }
  sip::Scanner in{text};
  auto host = sip::parse_host(in);
  if (host && in.at_end() && host->kind == sip::HostKind::ipv4) return std::string{text};
  return std::nullopt;
}

// RFC 3263 §4.1 and the IANA SIP NAPTR services registry: the services this client can use.
std::optional<Transport> naptr_transport(std::string_view service, bool& is_sips) {
  if (iequals(service, "SIP+D2U")) {
    is_sips = false;
    return Transport::udp;
  }
  if (iequals(service, "SIP+D2T")) {
    is_sips = false;
    return Transport::tcp;
  }
  if (iequals(service, "SIPS+D2T")) {
    is_sips = true;
    return Transport::tls;
  }
  return std::nullopt;  // SCTP (D2S) and WebSocket (D2W) are not transports of ours
}

bool supports(const LocatorOptions& o, Transport t) {
  return std::find(o.transports.begin(), o.transports.end(), t) != o.transports.end();
}

}  // namespace

std::string sip_srv_name(Transport transport, bool sips, std::string_view domain) {
  // RFC 3263 §4.2: "_sips" for a SIPS URI and for TLS asked for a SIP URI; TLS runs over TCP.
  std::string name = (sips || transport == Transport::tls) ? "_sips." : "_sip.";
  name += transport == Transport::udp ? "_udp." : "_tcp.";
  name += without_trailing_dot(domain);
  return name;
}

Locator::Locator(LocatorOptions options, Random random)
    : options_(std::move(options)), random_(std::move(random)) {}

Result<Locator> Locator::sip(const sip::Uri& uri, LocatorOptions options, Random random) {
  if (!uri.is_sip()) {
    return fail(Errc::invalid_argument, "not a SIP or SIPS URI: " + std::string{uri.text});
  }
  Locator loc{std::move(options), std::move(random)};
  loc.sips_ = uri.scheme == sip::Scheme::sips;

  // RFC 3263 §4: the TARGET is maddr when present, otherwise the host.
  std::string_view target = uri.host.text;
  if (auto maddr = uri.params.value("maddr")) {
    sip::Scanner in{*maddr};
    auto host = sip::parse_host(in);
    if (!host || !in.at_end()) {
      return fail(Errc::invalid_argument, "unusable maddr in " + std::string{uri.text});
    }
    target = host->text;
  }

  // RFC 3263 §4.1: an explicit transport parameter decides.
  std::optional<Transport> transport;
  if (auto param = uri.params.value("transport")) {
    if (iequals(*param, "udp")) {
      transport = Transport::udp;
    } else if (iequals(*param, "tcp")) {
      transport = loc.sips_ ? Transport::tls : Transport::tcp;  // SIPS over TCP is TLS
    } else if (iequals(*param, "tls")) {
      transport = Transport::tls;  // RFC 3261 deprecates it, but peers still write it
    } else {
      return fail(Errc::invalid_argument, "unsupported transport in " + std::string{uri.text});
    }
    if (loc.sips_ && *transport == Transport::udp) {
      return fail(Errc::invalid_argument, "a SIPS URI cannot use UDP: " + std::string{uri.text});
    }
  }
  if (loc.sips_ && !transport && !supports(loc.options_, Transport::tls)) {
    return fail(Errc::invalid_argument, "a SIPS URI needs TLS, which is not enabled");
  }
  // RFC 3263 §4.1: without NAPTR and SRV, UDP for SIP and TCP (here: TLS) for SIPS.
  Transport plain = Transport::udp;
  if (loc.sips_) {
    plain = Transport::tls;
  } else if (!supports(loc.options_, Transport::udp) && supports(loc.options_, Transport::tcp)) {
    plain = Transport::tcp;
  }
  Transport chosen = transport.value_or(plain);

  // RFC 3263 §4.2: a numeric TARGET needs no DNS at all.
  if (auto literal = ip_literal(target)) {
    loc.finish_with(
        {Target{*literal, uri.port.value_or(default_port(chosen)), chosen, std::string{target}}});
    return loc;
  }

  loc.domain_ = without_trailing_dot(target);
  loc.fallback_ = HostEntry{loc.domain_, uri.port.value_or(default_port(chosen)), chosen};
  if (uri.port) {
    // RFC 3263 §4.2: a name with an explicit port is looked up as A/AAAA only.
    loc.hosts_.push_back(loc.fallback_);
    loc.start_address_phase();
  } else if (transport) {
    // RFC 3263 §4.2: a transport given explicitly skips NAPTR; SRV for that transport only.
    loc.phase_ = Phase::srv;
    loc.srv_sets_.push_back(SrvSet{sip_srv_name(*transport, loc.sips_, loc.domain_), *transport});
    loc.ask(Query{loc.srv_sets_.back().name, RrType::srv});
  } else {
    loc.phase_ = Phase::naptr;
    loc.ask(Query{loc.domain_, RrType::naptr});
  }
  if (loc.outstanding_.empty()) loc.advance();
  return loc;
}

Locator Locator::srv_or_default(std::string srv_name, std::string fallback_host,
                                uint16_t fallback_port, Transport transport, LocatorOptions options,
                                Random random) {
  Locator loc{std::move(options), std::move(random)};
  loc.domain_ = without_trailing_dot(srv_name);
  loc.fallback_ = HostEntry{without_trailing_dot(fallback_host), fallback_port, transport};
  loc.phase_ = Phase::srv;
  loc.srv_sets_.push_back(SrvSet{loc.domain_, transport});
  loc.ask(Query{loc.domain_, RrType::srv});
  return loc;
}

// REQ-PART HTTP-1 (the lookup; the HTTPS client that uses it comes later)
Locator Locator::certificate_store(std::string_view domain, LocatorOptions options, Random random) {
  std::string d = without_trailing_dot(domain);
  return srv_or_default("_certificates._tcp." + d, "certificates." + d, 443, Transport::tcp,
                        std::move(options), std::move(random));
}

std::vector<Query> Locator::take_queries() {
  return std::exchange(outbox_, {});
}

void Locator::ask(Query q) {
  if (!asked_.insert(q).second) return;  // one query per (name, type), however many need it
  outstanding_.insert(q);
  outbox_.push_back(std::move(q));
}

const Answer* Locator::answer_to(const Query& q) const {
  auto it = answers_.find(q);
  return it == answers_.end() ? nullptr : &it->second;
}

void Locator::on_answer(const Query& query, const Answer& answer) {
  if (outstanding_.erase(query) == 0) return;  // not ours, or answered already
  if (answer.status == AnswerStatus::timeout || answer.status == AnswerStatus::failure) {
    saw_failure_ = true;
    failure_detail_ = std::string{to_string(query.type)} + " " + query.name + ": " +
                      std::string{to_string(answer.status)} +
                      (answer.detail.empty() ? "" : " (" + answer.detail + ")");
  }
  answers_.emplace(query, answer);
  if (outstanding_.empty()) advance();
}

void Locator::advance() {
  while (outstanding_.empty() && phase_ != Phase::done) {
    switch (phase_) {
      case Phase::naptr:
        after_naptr();
        break;
      case Phase::srv:
        after_srv();
        break;
      case Phase::address:
        after_address();
        break;
      case Phase::done:
        break;
    }
  }
}

void Locator::after_naptr() {
  struct Usable {
    const NaptrRecord* record;
    Transport transport;
  };
  std::vector<Usable> usable;
  const Answer* a = answer_to(Query{domain_, RrType::naptr});
  if (a != nullptr && a->status == AnswerStatus::ok) {
    for (const auto& r : a->naptr) {
      bool service_sips = false;
      auto t = naptr_transport(r.service, service_sips);
      // RFC 3263 §4.1: the "s" flag leads to SRV; a SIPS URI keeps only SIPS services; a
      // SIP URI keeps SIPS ones too when TLS is available; unsupported transports go.
      if (!t || !iequals(r.flags, "s") || !supports(options_, *t)) continue;
      if (sips_ && !service_sips) continue;
      if (is_root_target(r.replacement)) continue;
      usable.push_back(Usable{&r, *t});
    }
  }
  // RFC 3403 §4.1: lowest order first, then lowest preference.
  std::stable_sort(usable.begin(), usable.end(), [](const Usable& x, const Usable& y) {
    if (x.record->order != y.record->order) return x.record->order < y.record->order;
    return x.record->preference < y.record->preference;
  });
  for (const auto& u : usable) {
    srv_sets_.push_back(
        SrvSet{without_trailing_dot(u.record->replacement), u.transport, u.record->order});
  }
  if (srv_sets_.empty()) {
    // RFC 3263 §4.1: no usable NAPTR records, so an SRV query for each transport supported.
    for (Transport t : options_.transports) {
      if (sips_ && t != Transport::tls) continue;
      srv_sets_.push_back(SrvSet{sip_srv_name(t, sips_, domain_), t, 0});
    }
  }
  phase_ = Phase::srv;
  for (const auto& s : srv_sets_) ask(Query{s.name, RrType::srv});
}

void Locator::after_srv() {
  bool any_record = false;
  for (size_t i = 0; i < srv_sets_.size() && hosts_.empty();) {
    // The sets of one NAPTR order value form a group (RFC 3403 §4.1: once a rule of some order
    // matches, higher orders are not considered); a group whose SRV lookups all came back
    // empty did not match, so the next group is tried.
    size_t end = i;
    while (end < srv_sets_.size() && srv_sets_[end].group == srv_sets_[i].group) ++end;
    for (size_t k = i; k < end; ++k) {
      const Answer* a = answer_to(Query{srv_sets_[k].name, RrType::srv});
      if (a == nullptr || a->status != AnswerStatus::ok || a->srv.empty()) continue;
      any_record = true;
      for (const auto& r : order_srv(a->srv, random_)) {
        if (is_root_target(r.target)) continue;  // RFC 2782: "." offers nothing
        if (hosts_.size() >= options_.max_targets) break;
        hosts_.push_back(HostEntry{without_trailing_dot(r.target), r.port, srv_sets_[k].transport});
      }
    }
    i = end;
  }
  if (!any_record) {
    // RFC 3263 §4.2 (and RFC 2782 for other services): no SRV records, so A/AAAA of the
    // domain itself on the default port.
    hosts_.push_back(fallback_);
  } else if (hosts_.empty()) {
    fallback_ok_ = false;
  }
  start_address_phase();
}

void Locator::start_address_phase() {
  phase_ = Phase::address;
  for (const auto& h : hosts_) {
    if (ip_literal(h.host)) continue;
    if (options_.ipv4) ask(Query{h.host, RrType::a});
    if (options_.ipv6) ask(Query{h.host, RrType::aaaa});
  }
}

void Locator::after_address() {
  std::vector<Target> targets;
  auto add = [&](const std::string& address, const HostEntry& h) {
    if (targets.size() >= options_.max_targets) return;
    Target t{address, h.port, h.transport, h.host};
    if (std::find(targets.begin(), targets.end(), t) == targets.end()) targets.push_back(t);
  };
  for (const auto& h : hosts_) {
    if (auto literal = ip_literal(h.host)) {
      add(*literal, h);
      continue;
    }
    const Answer* v4 = options_.ipv4 ? answer_to(Query{h.host, RrType::a}) : nullptr;
    const Answer* v6 = options_.ipv6 ? answer_to(Query{h.host, RrType::aaaa}) : nullptr;
    if (options_.prefer_ipv6) std::swap(v4, v6);
    for (const Answer* a : {v4, v6}) {
      if (a == nullptr || a->status != AnswerStatus::ok) continue;
      for (const auto& addr : a->addresses) add(addr, h);
    }
  }
  finish_with(std::move(targets));
}

void Locator::finish_with(std::vector<Target> targets) {
  phase_ = Phase::done;
  targets_ = std::move(targets);
  if (!targets_.empty()) return;
  if (!fallback_ok_) {
    error_ = make_error(Errc::not_found, domain_ + ": SRV target \".\" (service not offered)");
  } else if (saw_failure_) {
    error_ = make_error(Errc::io, "DNS lookup failed: " + failure_detail_);
  } else {
    error_ = make_error(Errc::not_found, "no address found for " + domain_);
  }
}

Result<TargetList> Locator::result() const {
  if (phase_ != Phase::done) return fail(Errc::internal, "server location not finished");
  if (error_) return Unexpected{*error_};
  return TargetList{targets_};
}

}  // namespace sipcred::net::dns
