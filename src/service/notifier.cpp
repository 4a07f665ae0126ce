#include "service/notifier.hpp"

#include <algorithm>

#include "sip/headers.hpp"

namespace sipcred::service {

namespace {

std::string resource_key(std::string_view package, std::string_view resource) {
  std::string k{package};
  k.append(" ").append(resource);
  return k;
}

std::string_view via_transport(Transport t) {
  return to_string(t);
}

// Seconds left, rounded up so that a subscriber is never told less than it has.
uint64_t seconds_left(TimePoint now, TimePoint until) {
  if (until <= now) return 0;
  auto ms = (until - now).count();
  return static_cast<uint64_t>((ms + 999) / 1000);
}

}  // namespace

Notifier::Notifier(NotifierConfig config, ContentSource content,
                   const identity::AuthenticationService* signer)
    : config_(std::move(config)),
      content_(std::move(content)),
      signer_(signer),
      tokens_(config_.seed) {}

Peer Notifier::destination(const Subscription& sub) {
  return sub.flow;
}

std::vector<Outgoing> Notifier::add(Subscription sub, TimePoint now) {
  std::vector<Outgoing> out;
  sub.id = next_sub_++;
  sub.dirty = true;
  sub.immediate = true;
  uint64_t id = sub.id;
  by_dialog_.emplace(std::hash<std::string>{}(sip::dialog_key(
                         sub.dialog.call_id, sub.dialog.local_tag, sub.dialog.remote_tag)),
                     id);
  auto& list = by_resource_[resource_key(sub.package, sub.resource)];
  sub.resource_pos = static_cast<uint32_t>(list.size());
  list.push_back(id);
  auto [it, inserted] = subs_.emplace(id, std::move(sub));
  due(it->second, now, out);
  return out;
}

Subscription* Notifier::find(uint64_t id) {
  auto it = subs_.find(id);
  return it == subs_.end() ? nullptr : &it->second;
}

Subscription* Notifier::find_dialog(std::string_view key) {
  auto [b, e] = by_dialog_.equal_range(std::hash<std::string_view>{}(key));
  for (auto it = b; it != e; ++it) {
    Subscription* s = find(it->second);
    if (s != nullptr &&
        sip::dialog_key(s->dialog.call_id, s->dialog.local_tag, s->dialog.remote_tag) == key) {
      return s;
    }
  }
  return nullptr;
}

std::vector<Outgoing> Notifier::refresh(uint64_t id, Duration expires, TimePoint now) {
  std::vector<Outgoing> out;
  Subscription* s = find(id);
  if (s == nullptr) return out;
  if (expires.count() == 0) {
    if (s->final_reason.empty()) s->final_reason = "timeout";
  } else {
    s->expires_at = now + expires;
  }
  s->dirty = true;
  s->immediate = true;
  due(*s, now, out);
  return out;
}

std::vector<Outgoing> Notifier::changed(std::string_view package, std::string_view resource,
                                        TimePoint now) {
  std::vector<Outgoing> out;
  std::string key = resource_key(package, resource);
  content_cache_.erase(key);
  auto found = by_resource_.find(key);
  if (found == by_resource_.end()) return out;
  size_t done = 0;
  for (uint64_t id : std::vector<uint64_t>{found->second}) {
    if (Subscription* s = find(id)) {
      s->dirty = true;
      // A large fan-out goes out a batch per turn of the caller's loop, so that other traffic
      // is served in between (on_timer takes the rest).
      if (done++ < config_.fanout_batch) {
        due(*s, now, out);
      } else {
        ready_.push_back(id);
      }
    }
  }
  return out;
}

std::vector<Outgoing> Notifier::terminate_all(std::string_view package, std::string_view resource,
                                              std::string_view reason, TimePoint now) {
  std::vector<Outgoing> out;
  std::string key = resource_key(package, resource);
  content_cache_.erase(key);
  auto found = by_resource_.find(key);
  if (found == by_resource_.end()) return out;
  size_t done = 0;
  for (uint64_t id : std::vector<uint64_t>{found->second}) {
    if (Subscription* s = find(id); s && s->final_reason.empty()) {
      s->final_reason = std::string{reason};
      if (done++ < config_.fanout_batch) {
        due(*s, now, out);
      } else {
        ready_.push_back(id);
      }
    }
  }
  return out;
}

void Notifier::due(Subscription& s, TimePoint now, std::vector<Outgoing>& out) {
  if (s.in_flight == 0 && !s.final_sent) {
    bool final_due = !s.final_reason.empty();
    bool rate_ok = !s.last_notify || now >= *s.last_notify + config_.min_interval;
    if (final_due || (s.dirty && (s.immediate || rate_ok))) send_notify(s, now, out);
  }
  reschedule(s, now);
}

void Notifier::reschedule(Subscription& s, TimePoint now) {
  if (s.deadline) {
    sub_timers_.erase({*s.deadline, s.id});
    s.deadline.reset();
  }
  std::optional<TimePoint> when;
  if (s.final_reason.empty()) when = s.expires_at;
  if (s.dirty && s.in_flight == 0 && s.final_reason.empty() && s.last_notify) {
    TimePoint next = *s.last_notify + config_.min_interval;
    if (next > now && (!when || next < *when)) when = next;
  }
  if (when) {
    s.deadline = when;
    sub_timers_.insert({*when, s.id});
  }
}

const NotifyContent& Notifier::content_of(const Subscription& s) {
  // A final NOTIFY's content may depend on why it ends (nothing after a revocation): not shared.
  if (!s.final_reason.empty()) {
    static thread_local NotifyContent scratch;
    scratch = content_(s);
    return scratch;
  }
  std::string key = resource_key(s.package, s.resource);
  auto it = content_cache_.find(key);
  if (it == content_cache_.end()) it = content_cache_.emplace(std::move(key), content_(s)).first;
  return it->second;
}

sip::Message Notifier::build_notify(Subscription& s, const NotifyContent& c, Transport transport,
                                    std::string_view branch, TimePoint now) {
  // RFC 6665 §8.2.3 / §4.2.2: the state and what is left of the subscription.
  std::string state;
  if (!s.final_reason.empty()) {
    state = "terminated;reason=" + s.final_reason;
  } else {
    state = s.pending ? "pending" : "active";
    state += ";expires=" + std::to_string(seconds_left(now, s.expires_at));
  }
  std::string event = s.package;
  if (!s.event_id.empty()) event += ";id=" + s.event_id;
  event += c.event_params;

  std::string_view sent_by = transport == Transport::udp   ? config_.sent_by_udp
                             : transport == Transport::tcp ? config_.sent_by_tcp
                                                           : config_.sent_by_tls;
  std::string via = "SIP/2.0/" + std::string{via_transport(transport)} + " " +
                    std::string{sent_by} + ";branch=" + std::string{branch};
  std::string contact = transport == Transport::tls ? "sips:" + std::string{sent_by}
                        : transport == Transport::tcp
                            ? "sip:" + std::string{sent_by} + ";transport=tcp"
                            : "sip:" + std::string{sent_by};
  // in_dialog_request takes the dialog's next CSeq: build once per NOTIFY sent.
  sip::Message m = sip::in_dialog_request(s.dialog, "NOTIFY", via, contact);
  m.add(sip::HeaderId::event, event);
  m.add(sip::HeaderId::subscription_state, state);
  m.add(sip::HeaderId::user_agent, config_.user_agent);
  if (!c.body.empty()) {
    m.add(sip::HeaderId::content_type, c.content_type);
    // RFC 3204 / draft-ietf-sip-certs-06 §6.5 (CERT-5) and §7.5 (CRED-4).
    m.add(sip::HeaderId::content_disposition, "signal");
  }
  m.set_body(c.body);
  return m;
}

void Notifier::send_notify(Subscription& s, TimePoint now, std::vector<Outgoing>& out,
                           bool force_udp) {
  const NotifyContent& c = content_of(s);
  Peer to = destination(s);
  bool fallback = false;
  std::string branch = "z9hG4bK" + tokens_.hex(20);
  std::optional<identity::SignJob> job;
  if (signer_ != nullptr) {
    // The NOTIFY's From is the AOR watched (CERT-4): its domain signs.
    std::string_view host{s.resource};
    host.remove_prefix(host.rfind('@') + 1);
    if (auto key = signer_->find(host)) job = identity::SignJob{std::move(key), {}};
  }
  const uint32_t cseq = s.dialog.local_cseq;
  sip::Message m = build_notify(s, c, to.transport, branch, now);
  // RFC 3261 §18.1.1: a request larger than 1300 bytes goes over TCP to the same address and
  // port, counting the Identity still to come (an RSA-2048 one with its Date and Identity-Info is
  // about 500 bytes). Rebuilt for TCP with the same CSeq (Via and Contact change).
  if (to.transport == Transport::udp && !force_udp && config_.udp_mtu != 0 &&
      m.serialized_size() + (job ? identity::AuthenticationService::overhead(*job) : 0) >
          config_.udp_mtu) {
    to.transport = Transport::tcp;
    fallback = config_.udp_fallback;
    s.dialog.local_cseq = cseq;
    m = build_notify(s, c, to.transport, branch, now);
  }

  s.dirty = false;
  s.immediate = false;
  s.last_notify = now;
  if (!s.final_reason.empty()) s.final_sent = true;
  uint64_t txn = next_txn_++;
  s.in_flight = txn;
  if (job) {
    // REQ-PART ID-1 CERT-4: signed by the domain of the From (the AOR) before it goes out.
    auto fields = identity::request_fields(m);
    if (fields) {
      job->fields = std::move(*fields);
      parked_.emplace(txn, Parked{s.id, std::move(m), to, std::move(branch), fallback});
      sign_jobs_.push_back(SignRequest{txn, std::move(*job)});
      return;
    }
  }
  start_txn(txn, s.id, m.serialize(), to, branch, now, out);
  txns_.at(txn).udp_fallback = fallback;
}

std::vector<SignRequest> Notifier::take_sign_jobs() {
  std::vector<SignRequest> out;
  out.swap(sign_jobs_);
  return out;
}

std::vector<Outgoing> Notifier::on_signed(uint64_t id,
                                          Result<identity::IdentityHeaders> signed_headers,
                                          TimePoint now) {
  std::vector<Outgoing> out;
  auto it = parked_.find(id);
  if (it == parked_.end()) return out;
  Parked p = std::move(it->second);
  parked_.erase(it);
  Subscription* s = find(p.sub);
  if (s == nullptr || s->in_flight != id) return out;  // ended while it was being signed
  if (!signed_headers) {
    s->in_flight = 0;
    remove(s->id);
    return out;
  }
  identity::AuthenticationService::apply(p.msg, *signed_headers);
  start_txn(id, s->id, p.msg.serialize(), p.to, p.branch, now, out);
  txns_.at(id).udp_fallback = p.udp_fallback;
  return out;
}

void Notifier::start_txn(uint64_t id, uint64_t sub, std::string bytes, Peer to,
                         std::string_view branch, TimePoint now, std::vector<Outgoing>& out) {
  bool reliable = to.transport != Transport::udp;
  ClientTxn t{sip::txn::NonInviteClient{std::move(bytes), reliable, now, config_.timers},
              sub,
              to,
              std::string{branch} + "|NOTIFY",
              false,
              std::nullopt};
  auto [it, inserted] = txns_.emplace(id, std::move(t));
  txn_by_key_[it->second.key] = id;
  for (auto& a : it->second.machine.start()) {
    if (auto* send = std::get_if<sip::txn::Send>(&a)) {
      out.push_back(Outgoing{std::move(send->bytes), to, 0, id});
    }
  }
  schedule_txn(id, it->second);
}

void Notifier::schedule_txn(uint64_t id, ClientTxn& t) {
  if (t.deadline) txn_timers_.erase({*t.deadline, id});
  t.deadline = t.machine.next_deadline();
  if (t.deadline) txn_timers_.insert({*t.deadline, id});
}

void Notifier::finish_txn(uint64_t id, bool success, int status, TimePoint now,
                          std::vector<Outgoing>& out) {
  auto it = txns_.find(id);
  if (it == txns_.end()) return;
  Subscription* s = find(it->second.sub);
  if (s == nullptr || s->in_flight != id) return;
  s->in_flight = 0;
  if (!success) {
    // RFC 6665 §4.2.2: a NOTIFY answered 481 (or failing with a timeout or a transport error)
    // means the subscriber is gone; other failures end the subscription as well, since the
    // notifier cannot deliver state to it.
    (void)status;
    remove(s->id);
    return;
  }
  if (s->final_sent) {
    remove(s->id);
    return;
  }
  due(*s, now, out);
}

bool Notifier::on_response(const sip::Message& response, TimePoint now,
                           std::vector<Outgoing>& out) {
  auto key = sip::txn::client_key(response);
  if (!key) return false;
  auto k = txn_by_key_.find(*key);
  if (k == txn_by_key_.end()) return false;
  uint64_t id = k->second;
  ClientTxn& t = txns_.at(id);
  auto actions = t.machine.on_response(response, now);
  for (auto& a : actions) {
    if (auto* d = std::get_if<sip::txn::Deliver>(&a)) {
      int status = d->response.status();
      if (status >= 200) finish_txn(id, status < 300, status, now, out);
    } else if (std::holds_alternative<sip::txn::TimedOut>(a)) {
      finish_txn(id, false, 408, now, out);
    }
  }
  if (auto it = txns_.find(id); it != txns_.end()) {
    if (it->second.machine.state() == sip::txn::NonInviteClient::State::terminated) {
      if (it->second.deadline) txn_timers_.erase({*it->second.deadline, id});
      txn_by_key_.erase(it->second.key);
      txns_.erase(it);
    } else {
      schedule_txn(id, it->second);
    }
  }
  return true;
}

void Notifier::on_transport_error(uint64_t id, TimePoint now) {
  auto it = txns_.find(id);
  if (it == txns_.end()) return;
  ClientTxn& t = it->second;
  uint64_t sub = t.sub;
  bool fallback = t.udp_fallback;
  if (t.deadline) txn_timers_.erase({*t.deadline, id});
  txn_by_key_.erase(t.key);
  txns_.erase(it);
  Subscription* s = find(sub);
  if (s == nullptr || s->in_flight != id) return;
  s->in_flight = 0;
  if (fallback) {
    // §18.1.1's TCP attempt failed: the same NOTIFY (fresh CSeq and branch) over UDP.
    send_notify(*s, now, pending_sends_, /*force_udp=*/true);
    return;
  }
  remove(sub);  // RFC 6665 §4.2.2: the subscriber cannot be reached
}

std::vector<Outgoing> Notifier::on_timer(TimePoint now) {
  std::vector<Outgoing> out;
  out.swap(pending_sends_);
  for (size_t n = 0; n < config_.fanout_batch && !ready_.empty(); ++n) {
    uint64_t id = ready_.front();
    ready_.pop_front();
    if (Subscription* s = find(id)) due(*s, now, out);
  }
  while (!txn_timers_.empty() && txn_timers_.begin()->first <= now) {
    uint64_t id = txn_timers_.begin()->second;
    txn_timers_.erase(txn_timers_.begin());
    auto it = txns_.find(id);
    if (it == txns_.end()) continue;
    ClientTxn& t = it->second;
    t.deadline.reset();
    for (auto& a : t.machine.on_timer(now)) {
      if (auto* send = std::get_if<sip::txn::Send>(&a)) {
        out.push_back(Outgoing{std::move(send->bytes), t.to, 0, id});
      } else if (std::holds_alternative<sip::txn::TimedOut>(a)) {
        finish_txn(id, false, 408, now, out);  // Timer F (§17.1.2.2)
      }
    }
    it = txns_.find(id);
    if (it == txns_.end()) continue;
    if (it->second.machine.state() == sip::txn::NonInviteClient::State::terminated) {
      txn_by_key_.erase(it->second.key);
      txns_.erase(it);
    } else {
      schedule_txn(id, it->second);
    }
  }
  while (!sub_timers_.empty() && sub_timers_.begin()->first <= now) {
    uint64_t id = sub_timers_.begin()->second;
    sub_timers_.erase(sub_timers_.begin());
    Subscription* s = find(id);
    if (s == nullptr) continue;
    s->deadline.reset();
    // RFC 6665 §4.2.2: an expired subscription ends with a final NOTIFY, reason=timeout.
    if (now >= s->expires_at && s->final_reason.empty()) s->final_reason = "timeout";
    due(*s, now, out);
  }
  return out;
}

std::optional<TimePoint> Notifier::next_deadline() const {
  std::optional<TimePoint> d;
  if (!pending_sends_.empty() || !ready_.empty()) return TimePoint{};
  if (!txn_timers_.empty()) d = txn_timers_.begin()->first;
  if (!sub_timers_.empty() && (!d || sub_timers_.begin()->first < *d)) {
    d = sub_timers_.begin()->first;
  }
  return d;
}

void Notifier::remove(uint64_t id) {
  auto it = subs_.find(id);
  if (it == subs_.end()) return;
  Subscription& s = it->second;
  auto [db, de] = by_dialog_.equal_range(std::hash<std::string>{}(
      sip::dialog_key(s.dialog.call_id, s.dialog.local_tag, s.dialog.remote_tag)));
  for (auto d = db; d != de; ++d) {
    if (d->second == id) {
      by_dialog_.erase(d);
      break;
    }
  }
  std::string key = resource_key(s.package, s.resource);
  if (auto r = by_resource_.find(key); r != by_resource_.end()) {
    auto& list = r->second;
    uint32_t pos = s.resource_pos;
    if (pos < list.size() && list[pos] == id) {
      uint64_t moved = list.back();
      list[pos] = moved;
      list.pop_back();
      if (moved != id) subs_.at(moved).resource_pos = pos;
    }
    if (list.empty()) {
      by_resource_.erase(r);
      content_cache_.erase(key);
    }
  }
  if (s.deadline) sub_timers_.erase({*s.deadline, id});
  subs_.erase(it);
}

}  // namespace sipcred::service
