#include "ua/exchange.hpp"

#include <random>

#include "sip/headers.hpp"
#include "sip/name_addr.hpp"
#include "sip/response.hpp"

namespace sipcred::ua {

namespace {

std::string hex_token(uint64_t& state, size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::mt19937_64 rng{state};
  state = rng();
  std::string out;
  while (out.size() < digits) {
    uint64_t v = rng();
    for (int i = 0; i < 16 && out.size() < digits; ++i, v >>= 4) out.push_back(kHex[v & 15]);
  }
  return out;
}

}  // namespace

Exchange::Exchange(RequestSpec spec, ExchangeConfig config)
    : spec_(std::move(spec)),
      config_(std::move(config)),
      rng_state_(config_.seed != 0 ? config_.seed : std::random_device{}()) {
  if (spec_.from.empty()) spec_.from = spec_.request_uri;
  call_id_ = hex_token(rng_state_, 24);
  from_tag_ = hex_token(rng_state_, 12);
  if (spec_.credentials) auth_.emplace(*spec_.credentials);
}

std::vector<std::string> Exchange::start(TimePoint now) {
  return send_request(now, nullptr);
}

std::vector<std::string> Exchange::send_request(TimePoint now, const std::string* authorization) {
  branch_ = "z9hG4bK" + hex_token(rng_state_, 20);
  sip::Message m = sip::Message::request(spec_.method, spec_.request_uri);
  m.add(sip::HeaderId::via,
        "SIP/2.0/" + config_.transport + " " + config_.sent_by + ";branch=" + branch_ + ";rport");
  m.add(sip::HeaderId::max_forwards, "70");
  m.add(sip::HeaderId::from, "<" + spec_.from + ">;tag=" + from_tag_);
  m.add(sip::HeaderId::to, "<" + spec_.request_uri + ">");
  m.add(sip::HeaderId::call_id, call_id_);
  // RFC 3261 §22.2: the retry with credentials is a new request with a higher CSeq.
  m.add(sip::HeaderId::cseq, std::to_string(++cseq_) + " " + spec_.method);
  std::string scheme = config_.transport == "TLS" ? "sips:" : "sip:";
  std::string contact = "<" + scheme + config_.sent_by;
  if (config_.transport == "TCP") contact += ";transport=tcp";
  m.add(sip::HeaderId::contact, contact + ">");
  m.add(sip::HeaderId::event, spec_.event);
  for (const auto& [id, value] : spec_.headers) m.add(id, value);
  if (authorization != nullptr) m.add(auth_header_, *authorization);
  m.add(sip::HeaderId::user_agent, "sipcred");
  if (!spec_.body.empty()) m.add(sip::HeaderId::content_type, spec_.content_type);
  m.set_body(spec_.body);
  bool reliable = config_.transport != "UDP";
  txn_.emplace(m.serialize(), reliable, now, config_.timers);
  std::vector<std::string> out;
  for (auto& a : txn_->start()) {
    if (auto* s = std::get_if<sip::txn::Send>(&a)) out.push_back(std::move(s->bytes));
  }
  return out;
}

void Exchange::fail_with(std::string why) {
  if (state_ != State::running) return;
  state_ = State::failed;
  error_ = std::move(why);
}

std::vector<std::string> Exchange::on_message(const sip::Message& msg, TimePoint now) {
  std::vector<std::string> out;
  if (state_ != State::running && !msg.is_request()) return out;
  if (msg.is_request()) {
    // A NOTIFY of our subscription: same Call-ID, To tag ours (RFC 6665 §4.1.3). Anything else
    // is not for us: 481.
    auto to = sip::parse_name_addr(msg.first(sip::HeaderId::to).value_or(""));
    bool ours = msg.method() == "NOTIFY" && msg.first(sip::HeaderId::call_id) == call_id_ && to &&
                to->tag() == from_tag_;
    sip::Message r = sip::make_response(msg, ours ? 200 : 481, {}, {});
    out.push_back(r.serialize());
    if (!ours || state_ != State::running) return out;
    notifies_.push_back(msg);
    auto st =
        sip::parse_subscription_state(msg.first(sip::HeaderId::subscription_state).value_or(""));
    if (st && st->state == "terminated" && response_ && response_->status() < 300) {
      state_ = State::done;
    }
    return out;
  }
  if (!txn_ || sip::txn::client_key(msg) != branch_ + "|" + spec_.method) return out;
  for (auto& a : txn_->on_response(msg, now)) {
    auto* d = std::get_if<sip::txn::Deliver>(&a);
    if (d == nullptr || d->response.status() < 200) continue;
    int status = d->response.status();
    if ((status == 401 || status == 407) && auth_ && !retried_) {
      auto challenges = d->response.all(status == 401 ? sip::HeaderId::www_authenticate
                                                      : sip::HeaderId::proxy_authenticate);
      if (auth_->on_challenge(challenges) == auth::ClientAuth::Action::retry) {
        if (auto value = auth_->authorize(spec_.method, spec_.request_uri, {})) {
          retried_ = true;
          // RFC 3261 §22.3: a proxy's challenge is answered in Proxy-Authorization.
          auth_header_ =
              status == 401 ? sip::HeaderId::authorization : sip::HeaderId::proxy_authorization;
          return send_request(now, &*value);
        }
      }
    }
    response_ = d->response;
    if (status >= 300) {
      fail_with(std::to_string(status) + " " + std::string{d->response.reason()});
    } else if (spec_.method != "SUBSCRIBE") {
      state_ = State::done;
    } else {
      // RFC 6665 §4.1.2.4: the NOTIFY may come before or after the 2xx.
      for (const auto& n : notifies_) {
        auto st =
            sip::parse_subscription_state(n.first(sip::HeaderId::subscription_state).value_or(""));
        if (st && st->state == "terminated") state_ = State::done;
      }
      if (state_ == State::running) notify_deadline_ = now + config_.notify_wait;
    }
  }
  return out;
}

std::vector<std::string> Exchange::on_timer(TimePoint now) {
  std::vector<std::string> out;
  if (state_ != State::running) return out;
  if (notify_deadline_ && now >= *notify_deadline_) {
    // A subscription that is still active (Expires > 0) is as good as done once one NOTIFY is in.
    if (!notifies_.empty()) {
      state_ = State::done;
    } else {
      fail_with("no NOTIFY after the 2xx");
    }
    return out;
  }
  if (txn_) {
    for (auto& a : txn_->on_timer(now)) {
      if (auto* s = std::get_if<sip::txn::Send>(&a)) out.push_back(std::move(s->bytes));
      if (std::holds_alternative<sip::txn::TimedOut>(a)) {
        fail_with("no response (RFC 3261 Timer F)");
      }
    }
  }
  return out;
}

std::optional<TimePoint> Exchange::next_deadline() const {
  if (state_ != State::running) return std::nullopt;
  std::optional<TimePoint> d = txn_ ? txn_->next_deadline() : std::nullopt;
  if (notify_deadline_ && (!d || *notify_deadline_ < *d)) d = notify_deadline_;
  return d;
}

}  // namespace sipcred::ua
