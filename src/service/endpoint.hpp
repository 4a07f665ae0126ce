// The SIP endpoint of `sipcred serve`, sans-I/O: it is handed a framed message and where it came
// from, and returns what to send. It answers OPTIONS (RFC 3261 §11.2) and refuses everything it
// does not implement with the right status; later issues register the event packages here.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "sip/message.hpp"
#include "sip/transaction/transaction.hpp"

namespace sipcred::service {

enum class Transport { udp, tcp, tls };
std::string_view to_string(Transport t);

struct Peer {
  std::string address;  // numeric IPv4 or IPv6 (no brackets)
  uint16_t port = 0;
  Transport transport = Transport::udp;
};

struct Outgoing {
  std::string bytes;
  Peer to;         // for a stream transport: the connection the request came in on
  int status = 0;  // the status code of the response carried
};

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
};

class Endpoint {
 public:
  explicit Endpoint(EndpointConfig config);

  // Handles one message that parsed: a new request gets its answer through a server transaction
  // (RFC 3261 §17.2), a retransmission the transaction's last response, an ACK to our final
  // response to an INVITE is absorbed.
  std::vector<Outgoing> on_message(const sip::Message& msg, const Peer& from, TimePoint now);
  // Runs the transactions' timers (response retransmission over UDP, expiry).
  std::vector<Outgoing> on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;
  size_t transaction_count() const { return txns_.size(); }

 private:
  using Machine = std::variant<sip::txn::NonInviteServer, sip::txn::InviteServer>;
  struct Txn {
    Machine machine;
    Peer to;
    int status = 0;  // of the final (or last) response
    std::optional<TimePoint> deadline;
  };

  std::optional<Outgoing> reply(const sip::Message& req, const Peer& from, int status,
                                std::string_view reason);
  std::optional<Outgoing> answer(const sip::Message& req, const Peer& from);
  std::string new_tag();
  bool supports(std::string_view option_tag) const;  // RFC 3261 §20.37 option tags
  void schedule(const std::string& key, Txn& txn);
  void collect(std::vector<sip::txn::Action>&& actions, const Txn& txn, std::vector<Outgoing>& out);

  EndpointConfig config_;
  std::string allow_;
  std::mt19937_64 rng_;
  std::unordered_map<std::string, Txn> txns_;
  std::set<std::pair<TimePoint, std::string>> timers_;  // (deadline, transaction key)
};

// RFC 3261 §18.2.1 and RFC 3581 §4: the top Via value with `received` added when the sent-by host
// is not the source address, and an empty `rport` filled with the source port.
std::string annotate_via(std::string_view via, const Peer& from);

// RFC 3261 §18.2.2 and RFC 3581 §4: where a response to a request over UDP goes.
Peer response_destination(std::string_view annotated_top_via, const Peer& from);

}  // namespace sipcred::service
