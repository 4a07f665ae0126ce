// RFC 3261 §17 transactions as sans-I/O state machines: each is handed messages and the time,
// and returns what to do (send these bytes, deliver this response, report a timeout). Nothing
// here owns a socket or reads a clock; next_deadline() says when to call on_timer() again.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "sip/headers.hpp"
#include "sip/message.hpp"

namespace sipcred::sip::txn {

using namespace std::chrono_literals;

// RFC 3261 §17.1.1.1 and Table 4 defaults.
struct Timers {
  Duration t1 = 500ms;  // RTT estimate
  Duration t2 = 4s;     // cap on retransmit intervals
  Duration t4 = 5s;     // maximum time a message stays in the network
};

// What a machine asks its owner to do.
struct Send {
  std::string bytes;
};
struct Deliver {  // a response for the transaction user
  Message response;
};
struct TimedOut {};  // Timer F (client) or Timer H (INVITE server): tell the transaction user
using Action = std::variant<Send, Deliver, TimedOut>;

// RFC 3261 §17.1.2.2, Figure 6.
class NonInviteClient {
 public:
  enum class State { trying, proceeding, completed, terminated };

  // Starts the transaction: the returned actions send the request.
  NonInviteClient(std::string request, bool reliable, TimePoint now, Timers timers = {});
  std::vector<Action> start();

  std::vector<Action> on_response(Message response, TimePoint now);
  std::vector<Action> on_timer(TimePoint now);
  // A transport error ends the transaction (§17.1.4); the owner tells the user.
  void on_transport_error() { state_ = State::terminated; }

  State state() const { return state_; }
  std::optional<TimePoint> next_deadline() const;

 private:
  std::string request_;
  bool reliable_;
  Timers timers_;
  State state_ = State::trying;
  Duration e_interval_;
  std::optional<TimePoint> timer_e_, timer_f_, timer_k_;
};

// RFC 3261 §17.2.2, Figure 8.
class NonInviteServer {
 public:
  enum class State { trying, proceeding, completed, terminated };

  explicit NonInviteServer(bool reliable, Timers timers = {})
      : reliable_(reliable), timers_(timers) {}

  // A retransmission of the request: resend the last response, if any (§17.2.2).
  std::vector<Action> on_request_retransmission();
  // The transaction user answers: 1xx keeps the transaction open, 2xx-6xx completes it.
  std::vector<Action> respond(int status, std::string bytes, TimePoint now);
  std::vector<Action> on_timer(TimePoint now);
  void on_transport_error() { state_ = State::terminated; }

  State state() const { return state_; }
  std::optional<TimePoint> next_deadline() const { return timer_j_; }

 private:
  bool reliable_;
  Timers timers_;
  State state_ = State::trying;
  std::string last_response_;
  std::optional<TimePoint> timer_j_;
};

// RFC 3261 §17.2.1, Figure 7, for an element that answers every INVITE with a final non-2xx
// response (sipcred takes no calls): the response is retransmitted over unreliable transports
// (Timer G) until the ACK arrives (Confirmed, Timer I) or Timer H gives up.
class InviteServer {
 public:
  enum class State { proceeding, completed, confirmed, terminated };

  explicit InviteServer(bool reliable, Timers timers = {}) : reliable_(reliable), timers_(timers) {}

  std::vector<Action> on_request_retransmission();
  // 300-699 from the transaction user.
  std::vector<Action> respond(int status, std::string bytes, TimePoint now);
  // The ACK for the final response is absorbed here (never passed up).
  std::vector<Action> on_ack(TimePoint now);
  std::vector<Action> on_timer(TimePoint now);

  State state() const { return state_; }
  std::optional<TimePoint> next_deadline() const;

 private:
  bool reliable_;
  Timers timers_;
  State state_ = State::proceeding;
  std::string last_response_;
  Duration g_interval_{};
  std::optional<TimePoint> timer_g_, timer_h_, timer_i_;
};

// The key that matches a request to its server transaction (§17.2.3): the top Via's branch,
// sent-by and the method (ACK matches INVITE); for a branch without the RFC 3261 magic cookie,
// the RFC 2543 fallback of Request-URI, From tag, Call-ID, CSeq number and top Via.
std::optional<std::string> server_key(const Message& request);
// The same key from the request's already parsed top Via and CSeq, written into `key` (whose
// capacity is reused); false when the request has none.
bool server_key(const Message& request, const Via& top_via, const CSeq& cseq, std::string& key);
// The key that matches a response to its client transaction (§17.1.3): top Via branch and CSeq
// method.
std::optional<std::string> client_key(const Message& response);

}  // namespace sipcred::sip::txn
