// The SIP endpoint of `sipcred serve`, sans-I/O: it is handed a framed message and where it came
// from, and returns what to send. It answers OPTIONS (RFC 3261 §11.2) and refuses everything it
// does not implement with the right status; later issues register the event packages here.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/gcra.hpp"
#include "service/peer.hpp"
#include "service/service.hpp"
#include "service/token.hpp"
#include "sip/message.hpp"
#include "sip/transaction/transaction.hpp"
#include "sip/validate.hpp"

namespace sipcred::service {

struct EndpointConfig {
  std::vector<std::string> allow{"OPTIONS"};  // methods this endpoint serves
  std::vector<std::string> accept{};          // body types it takes in requests
  std::vector<std::string> supported{};       // option tags (RFC 3261 §20.37)
  std::vector<std::string> events{};          // event packages served (RFC 6665 §8.2.2)
  std::string server = "sipcred";             // Server header value
  uint64_t seed = 0;                          // 0: seed tags from std::random_device
  sip::txn::Timers timers{};
  // Server transactions kept at once; beyond this, requests are answered statelessly (correct,
  // only without retransmission absorption) rather than refused.
  size_t max_transactions = 100'000;
  // Requests per source address: `source_burst` at once, then `source_rate` a second; beyond,
  // 503 with Retry-After (RFC 3261 §21.5.4). 0 switches the limit off.
  unsigned source_burst = 2'000;
  unsigned source_rate = 10'000;
  size_t source_capacity = 100'000;  // addresses remembered at most
};

class Endpoint {
 public:
  // `service` (optional, not owned) answers SUBSCRIBE and PUBLISH for its event packages.
  explicit Endpoint(EndpointConfig config, Service* service = nullptr);

  // Handles one message that parsed: a new request gets its answer through a server transaction
  // (RFC 3261 §17.2), a retransmission the transaction's last response, an ACK to our final
  // response to an INVITE is absorbed.
  // A response goes to the client transaction (a NOTIFY's) it answers. `wall` is the time of
  // day (Date, certificate validity, digest nonces).
  std::vector<Outgoing> on_message(const sip::Message& msg, const Peer& from, TimePoint now,
                                   WallTime wall = {});
  // Runs the transactions' timers (response retransmission over UDP, expiry) and the service's.
  std::vector<Outgoing> on_timer(TimePoint now, WallTime wall = {});
  std::optional<TimePoint> next_deadline() const;
  size_t transaction_count() const { return txns_.size(); }

  // Durable writes the last calls asked for: the caller commits each and reports it with
  // on_write_done, whose answer goes out through the request's transaction.
  std::vector<PendingWrite> take_writes();
  std::vector<Outgoing> on_write_done(uint64_t token, Result<store::Applied> result, TimePoint now,
                                      WallTime wall);
  // Requests waiting for their Identity: the caller signs each (identity::AuthenticationService
  // ::sign, thread-safe) and hands the result to on_signed, which returns what to send.
  std::vector<SignRequest> take_sign_jobs();
  std::vector<Outgoing> on_signed(uint64_t id, Result<identity::IdentityHeaders> headers,
                                  TimePoint now);
  // The transport could not send a request of a client transaction (RFC 3261 §17.1.4).
  void on_transport_error(uint64_t txn, TimePoint now);

 private:
  using Machine = std::variant<sip::txn::NonInviteServer, sip::txn::InviteServer>;
  struct Txn {
    Machine machine;
    Peer to;
    int status = 0;  // of the final (or last) response
    std::optional<TimePoint> deadline;
  };

  // The response to `req`, written straight from the request's fields (no response Message).
  // The To tag: the answer's, else `tag`, else a new random one.
  std::optional<Outgoing> reply(const sip::Message& req, const sip::RequestHeads& heads,
                                const Peer& from, int status, std::string_view reason,
                                const Answer* extra = nullptr, std::string_view tag = {});
  // The answer to a new request; `status` 0 with `pending` when a service answers later.
  // `by_service` says whether the service made it (else the endpoint refused the request).
  Answer answer(const sip::Message& req, sip::RequestHeads& heads, const Peer& from, TimePoint now,
                WallTime wall, bool& by_service);
  // `key` is the transaction's key as stored in txns_ (its address is kept in timers_).
  void respond(const std::string& key, Txn& txn, Outgoing first, TimePoint now,
               std::vector<Outgoing>& out);
  std::string new_tag();
  bool supports(std::string_view option_tag) const;  // RFC 3261 §20.37 option tags
  void schedule(const std::string& key, Txn& txn);
  void collect(std::vector<sip::txn::Action>&& actions, const Txn& txn, std::vector<Outgoing>& out);

  EndpointConfig config_;
  Service* service_;
  std::string allow_;
  std::string allow_events_;
  struct Waiting {  // a request whose answer waits for a durable write
    std::string key;
    sip::Message request;
    Peer from;
  };
  std::unordered_map<uint64_t, Waiting> waiting_;
  TokenSource tokens_;
  uint64_t tag_key_;  // mixed into the To tags of stateless responses (RFC 3261 §8.2.7)
  using MicroTime = std::chrono::time_point<std::chrono::steady_clock, std::chrono::microseconds>;
  Gcra<MicroTime> per_source_;
  // Looked up by a string_view into a reused buffer: no key string is made for a lookup.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
  };
  std::unordered_map<std::string, Txn, KeyHash, std::equal_to<>> txns_;
  std::string key_;  // the key of the request being handled
  // (deadline, transaction key): the key is the one stored in txns_, whose nodes never move, and
  // an entry is removed before its transaction is.
  struct TimerOrder {
    bool operator()(const std::pair<TimePoint, const std::string*>& a,
                    const std::pair<TimePoint, const std::string*>& b) const {
      if (a.first != b.first) return a.first < b.first;
      return std::less<const std::string*>{}(a.second, b.second);
    }
  };
  std::set<std::pair<TimePoint, const std::string*>, TimerOrder> timers_;
};

// RFC 3261 §18.2.1 and RFC 3581 §4: the top Via value with `received` added when the sent-by host
// is not the source address, and an empty `rport` filled with the source port.
std::string annotate_via(std::string_view via, const Peer& from);
// The same from the parsed `via` of `via_text`, appended to `out`.
void annotate_via(std::string_view via_text, const sip::Via& via, const Peer& from,
                  std::string& out);

// RFC 3261 §18.2.2 and RFC 3581 §4: where a response to a request over UDP goes.
Peer response_destination(std::string_view annotated_top_via, const Peer& from);
// The same from the parsed top Via of the request (before annotation).
Peer response_destination(const sip::Via& top_via, const Peer& from);

}  // namespace sipcred::service
