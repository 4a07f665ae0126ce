// What the endpoint hands the requests it does not answer itself to (the event packages and
// PUBLISH), and how their answers come back. Sans-I/O like the endpoint: a service is given
// messages and times and returns what to send; work that needs a durable store write is handed
// out with take_writes() and its result comes back through on_write_done().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "identity/identity.hpp"
#include "service/peer.hpp"
#include "sip/message.hpp"
#include "store/store.hpp"

namespace sipcred::service {

// A service's answer to a request.
struct Answer {
  int status = 0;  // 0: not yet; it comes from on_write_done with the token `pending`
  std::string reason;
  std::string to_tag;  // the dialog's local tag for a 2xx that makes a dialog
  std::vector<std::pair<sip::HeaderId, std::string>> headers;
  std::vector<Outgoing> after;  // requests sent after the response (a subscription's NOTIFY)
  uint64_t pending = 0;
};

// A durable change to commit before answering (PUB-*: a 2xx only after the commit).
struct PendingWrite {
  uint64_t token = 0;
  store::Change change;
  WallTime wall;
};

// A request (a NOTIFY) waiting for its Identity (RFC 4474 / RFC 8224, CERT-4): the private-key
// operation runs wherever the caller likes (a worker pool in `sipcred serve`: signatures are the
// costly part of this service) and its result comes back through on_signed().
struct SignRequest {
  uint64_t id = 0;
  identity::SignJob job;
};

class Service {
 public:
  virtual ~Service() = default;
  // A request the endpoint validated: SUBSCRIBE or PUBLISH for one of `events()`.
  virtual Answer on_request(const sip::Message& request, const Peer& from, TimePoint now,
                            WallTime wall) = 0;
  // Writes the last calls asked for; the caller commits them and reports each with
  // on_write_done.
  virtual std::vector<PendingWrite> take_writes() = 0;
  virtual Answer on_write_done(uint64_t token, Result<store::Applied> result, TimePoint now,
                               WallTime wall) = 0;
  // A response to a request the service sent (its NOTIFYs). False when it is not one.
  virtual bool on_response(const sip::Message& response, TimePoint now,
                           std::vector<Outgoing>& out) = 0;
  virtual void on_transport_error(uint64_t txn, TimePoint now) = 0;
  virtual std::vector<Outgoing> on_timer(TimePoint now, WallTime wall) = 0;
  virtual std::optional<TimePoint> next_deadline() const = 0;
  virtual std::vector<std::string> events() const = 0;
  // Requests waiting for a signature, and the signatures coming back.
  virtual std::vector<SignRequest> take_sign_jobs() { return {}; }
  virtual std::vector<Outgoing> on_signed(uint64_t /*id*/,
                                          Result<identity::IdentityHeaders> /*headers*/,
                                          TimePoint /*now*/) {
    return {};
  }
};

}  // namespace sipcred::service
