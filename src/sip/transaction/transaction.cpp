#include "sip/transaction/transaction.hpp"

#include <algorithm>
#include <charconv>

#include "sip/headers.hpp"
#include "sip/name_addr.hpp"

namespace sipcred::sip::txn {
namespace {

std::optional<TimePoint> earliest(std::initializer_list<std::optional<TimePoint>> ts) {
  std::optional<TimePoint> best;
  for (const auto& t : ts) {
    if (t && (!best || *t < *best)) best = t;
  }
  return best;
}

bool due(const std::optional<TimePoint>& t, TimePoint now) {
  return t && *t <= now;
}

constexpr std::string_view kMagicCookie = "z9hG4bK";  // RFC 3261 §8.1.1.7

}  // namespace

// --- non-INVITE client ---

NonInviteClient::NonInviteClient(std::string request, bool reliable, TimePoint now, Timers timers)
    : request_(std::move(request)), reliable_(reliable), timers_(timers), e_interval_(timers.t1) {
  timer_f_ = now + 64 * timers_.t1;
  if (!reliable_) timer_e_ = now + timers_.t1;
}

std::vector<Action> NonInviteClient::start() {
  return {Send{request_}};
}

std::vector<Action> NonInviteClient::on_response(Message response, TimePoint now) {
  std::vector<Action> out;
  int code = response.status();
  switch (state_) {
    case State::trying:
    case State::proceeding:
      if (code < 200) {
        state_ = State::proceeding;
        out.push_back(Deliver{std::move(response)});
      } else {
        state_ = State::completed;
        timer_e_.reset();
        timer_f_.reset();
        // Timer K absorbs response retransmissions: T4 on unreliable transports, 0 otherwise.
        timer_k_ = now + (reliable_ ? Duration{0} : timers_.t4);
        // Completed never sends the request again: release it now rather than when Timer K
        // fires (T4, 5 s, of a signed NOTIFY's ~2 kB per transaction).
        std::string{}.swap(request_);
        out.push_back(Deliver{std::move(response)});
        if (reliable_) state_ = State::terminated;
      }
      break;
    case State::completed:
    case State::terminated:
      break;  // retransmissions of the final response are absorbed
  }
  return out;
}

std::vector<Action> NonInviteClient::on_timer(TimePoint now) {
  std::vector<Action> out;
  if (state_ == State::terminated) return out;
  if (due(timer_f_, now) && (state_ == State::trying || state_ == State::proceeding)) {
    state_ = State::terminated;
    timer_e_.reset();
    timer_f_.reset();
    out.push_back(TimedOut{});
    return out;
  }
  if (due(timer_e_, now)) {
    out.push_back(Send{request_});
    // Trying: the interval doubles up to T2; Proceeding: it is T2 (§17.1.2.2).
    e_interval_ = state_ == State::proceeding ? timers_.t2 : std::min(2 * e_interval_, timers_.t2);
    timer_e_ = *timer_e_ + e_interval_;
  }
  if (due(timer_k_, now)) {
    state_ = State::terminated;
    timer_k_.reset();
  }
  return out;
}

std::optional<TimePoint> NonInviteClient::next_deadline() const {
  if (state_ == State::terminated) return std::nullopt;
  return earliest({timer_e_, timer_f_, timer_k_});
}

// --- non-INVITE server ---

std::vector<Action> NonInviteServer::on_request_retransmission() {
  // Trying: no response yet, the retransmission is discarded.
  if ((state_ == State::proceeding || state_ == State::completed) && !last_response_.empty()) {
    return {Send{last_response_}};
  }
  return {};
}

std::vector<Action> NonInviteServer::respond(int status, std::string bytes, TimePoint now) {
  if (state_ == State::completed || state_ == State::terminated) return {};
  last_response_ = std::move(bytes);
  if (status < 200) {
    state_ = State::proceeding;
  } else {
    state_ = State::completed;
    // Timer J: how long request retransmissions are answered from here (§17.2.2).
    timer_j_ = now + (reliable_ ? Duration{0} : 64 * timers_.t1);
  }
  return {Send{last_response_}};
}

std::vector<Action> NonInviteServer::on_timer(TimePoint now) {
  if (due(timer_j_, now)) {
    state_ = State::terminated;
    timer_j_.reset();
  }
  return {};
}

// --- INVITE server (final non-2xx only) ---

std::vector<Action> InviteServer::on_request_retransmission() {
  if ((state_ == State::proceeding || state_ == State::completed) && !last_response_.empty()) {
    return {Send{last_response_}};
  }
  return {};
}

std::vector<Action> InviteServer::respond(int status, std::string bytes, TimePoint now) {
  if (state_ != State::proceeding) return {};
  last_response_ = std::move(bytes);
  if (status >= 300) {
    state_ = State::completed;
    if (!reliable_) {
      g_interval_ = timers_.t1;
      timer_g_ = now + g_interval_;
    }
    timer_h_ = now + 64 * timers_.t1;
  }
  return {Send{last_response_}};
}

std::vector<Action> InviteServer::on_ack(TimePoint now) {
  if (state_ == State::completed) {
    state_ = State::confirmed;
    timer_g_.reset();
    timer_h_.reset();
    timer_i_ = now + (reliable_ ? Duration{0} : timers_.t4);  // absorb ACK retransmissions
  }
  return {};
}

std::vector<Action> InviteServer::on_timer(TimePoint now) {
  std::vector<Action> out;
  if (state_ == State::completed) {
    if (due(timer_h_, now)) {
      state_ = State::terminated;
      timer_g_.reset();
      timer_h_.reset();
      out.push_back(TimedOut{});  // the ACK never came
      return out;
    }
    if (due(timer_g_, now)) {
      out.push_back(Send{last_response_});
      g_interval_ = std::min(2 * g_interval_, timers_.t2);
      timer_g_ = *timer_g_ + g_interval_;
    }
  }
  if (state_ == State::confirmed && due(timer_i_, now)) {
    state_ = State::terminated;
    timer_i_.reset();
  }
  return out;
}

std::optional<TimePoint> InviteServer::next_deadline() const {
  if (state_ == State::terminated) return std::nullopt;
  return earliest({timer_g_, timer_h_, timer_i_});
}

// --- matching ---

std::optional<std::string> server_key(const Message& request) {
  auto top = request.first(HeaderId::via);
  auto cseq_value = request.first(HeaderId::cseq);
  if (!top || !cseq_value) return std::nullopt;
  auto via = parse_via(*top);
  auto cseq = parse_cseq(*cseq_value);
  if (!via || !cseq) return std::nullopt;
  std::string key;
  if (!server_key(request, *via, *cseq, key)) return std::nullopt;
  return key;
}

bool server_key(const Message& request, const Via& via, const CSeq& cseq, std::string& key) {
  key.clear();
  // ACK belongs to the INVITE's transaction (for a non-2xx response, §17.2.3).
  std::string_view method =
      request.method() == "ACK" ? std::string_view{"INVITE"} : request.method();
  char digits[16];
  std::string_view branch = via.branch();
  if (branch.size() > kMagicCookie.size() &&
      branch.substr(0, kMagicCookie.size()) == kMagicCookie) {
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, via.port.value_or(0));
    key.append("3261|").append(branch).append("|").append(via.host.text).append(":");
    key.append(digits, end).append("|").append(method);
    return true;
  }
  // RFC 2543 fallback (§17.2.3): the To tag is left out so that the ACK, which carries the tag
  // of our response, finds the INVITE's transaction.
  auto top = request.first(HeaderId::via);
  auto from = request.first(HeaderId::from);
  auto call_id = request.first(HeaderId::call_id);
  if (!top || !from || !call_id) return false;
  auto from_na = parse_name_addr(*from);
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, cseq.number);
  key.append("2543|").append(request.request_uri()).append("|");
  key.append(from_na ? from_na->tag() : std::string_view{}).append("|").append(*call_id);
  key.append("|").append(digits, end).append("|").append(*top).append("|");
  key.append(method);
  return true;
}

std::optional<std::string> client_key(const Message& response) {
  auto top = response.first(HeaderId::via);
  auto cseq_value = response.first(HeaderId::cseq);
  if (!top || !cseq_value) return std::nullopt;
  auto via = parse_via(*top);
  auto cseq = parse_cseq(*cseq_value);
  if (!via || !cseq || via->branch().empty()) return std::nullopt;
  return std::string{via->branch()} + "|" + std::string{cseq->method};
}

}  // namespace sipcred::sip::txn
