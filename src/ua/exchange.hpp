// One request of a user agent and what follows from it, sans-I/O: a PUBLISH or SUBSCRIBE sent
// through an RFC 3261 §17.1.2 client transaction, answered once more with digest credentials
// after a 401/407 (RFC 3261 §22.2, RFC 7616 via auth::ClientAuth), and for a SUBSCRIBE the
// NOTIFYs of the new subscription answered 200 (RFC 6665 §4.1.3) and kept for the caller.
// `sipcred publish|fetch|fetch-credential` drive it; the user-agent library grows from here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/client.hpp"
#include "core/clock.hpp"
#include "sip/message.hpp"
#include "sip/transaction/transaction.hpp"

namespace sipcred::ua {

struct RequestSpec {
  std::string method;       // PUBLISH or SUBSCRIBE
  std::string request_uri;  // the AOR
  std::string from;         // our AOR (From); defaults to request_uri
  std::string event;        // "certificate" / "credential"
  std::vector<std::pair<sip::HeaderId, std::string>> headers;  // Expires, SIP-If-Match, Accept…
  std::string content_type;
  std::string body;
  std::optional<auth::ClientCredentials> credentials;  // answer 401/407 with these
};

struct ExchangeConfig {
  std::string transport = "TLS";  // Via transport token: UDP, TCP or TLS
  std::string sent_by;            // our host:port as the peer can reach it
  sip::txn::Timers timers{};
  // How long a SUBSCRIBE waits after its 2xx for the NOTIFY that ends it (a fetch, Expires 0).
  Duration notify_wait = std::chrono::seconds{5};
  uint64_t seed = 0;
};

class Exchange {
 public:
  enum class State { running, done, failed };

  Exchange(RequestSpec spec, ExchangeConfig config);
  // How the peer sees us, once the socket is bound (Via sent-by and Contact, RFC 3261 §18.1.1).
  void set_local(std::string transport, std::string sent_by) {
    config_.transport = std::move(transport);
    config_.sent_by = std::move(sent_by);
  }
  // The first request's bytes.
  std::vector<std::string> start(TimePoint now);
  // Any message from the peer: responses to our request, NOTIFYs of our subscription. Returns
  // what to send (a retry with credentials, a 200 to a NOTIFY).
  std::vector<std::string> on_message(const sip::Message& msg, TimePoint now);
  std::vector<std::string> on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  State state() const { return state_; }
  // The final response (when there is one) and why a failed exchange failed.
  const std::optional<sip::Message>& response() const { return response_; }
  const std::string& error() const { return error_; }
  const std::vector<sip::Message>& notifies() const { return notifies_; }

 private:
  std::vector<std::string> send_request(TimePoint now, const std::string* authorization);
  void fail_with(std::string why);

  RequestSpec spec_;
  ExchangeConfig config_;
  std::string call_id_, from_tag_, branch_;
  uint32_t cseq_ = 0;
  std::optional<sip::txn::NonInviteClient> txn_;
  std::optional<auth::ClientAuth> auth_;
  bool retried_ = false;
  sip::HeaderId auth_header_ = sip::HeaderId::authorization;
  std::optional<sip::Message> response_;
  std::vector<sip::Message> notifies_;
  std::optional<TimePoint> notify_deadline_;
  State state_ = State::running;
  std::string error_;
  uint64_t rng_state_;
};

}  // namespace sipcred::ua
