// The notifier side of RFC 6665, sans-I/O and independent of any event package: it keeps the
// subscriptions (each with its dialog), sends their NOTIFYs through RFC 3261 §17.1.2 client
// transactions, and applies the rules the packages share — an immediate NOTIFY when a
// subscription is made or refreshed (§4.2.1.2), at most one NOTIFY outstanding per dialog
// (§4.2.2), a minimum interval between NOTIFYs with changes merged so that the latest state is
// what goes out (draft-ietf-sip-certs-06 §6.7/§7.7: CERT-7, CRED-9), expiry with a final NOTIFY
// (§4.2.2, reason=timeout), and removal of a subscription whose NOTIFY fails (§4.2.2: 481,
// timeout, transport error).
//
// What a NOTIFY carries comes from the package through a callback, at the moment it is sent, so
// that changes merged during the wait are never stale.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "identity/identity.hpp"
#include "service/peer.hpp"
#include "service/service.hpp"
#include "service/token.hpp"
#include "sip/dialog/dialog.hpp"
#include "sip/message.hpp"
#include "sip/transaction/transaction.hpp"

namespace sipcred::service {

using namespace std::chrono_literals;

struct Subscription {
  uint64_t id = 0;
  std::string package;   // event-type
  std::string event_id;  // the Event "id" parameter, repeated in every NOTIFY (RFC 6665 §8.2.1)
  std::string resource;  // what is watched: the AOR, "user@host"
  std::string user;      // who subscribed, when authenticated (credential package)
  sip::Dialog dialog;
  Peer flow;  // where the SUBSCRIBE came from: NOTIFYs reuse it (see Notifier::destination)
  TimePoint expires_at{};
  bool pending = false;  // authorization pending (RFC 6665 §4.1.2.2); sipcred decides at once
  // Bookkeeping of the NOTIFY schedule.
  std::optional<TimePoint> last_notify;
  uint64_t in_flight = 0;             // the client transaction of an outstanding NOTIFY, 0 = none
  bool dirty = false;                 // state changed after the last NOTIFY was built
  bool immediate = false;             // send without waiting for min_interval (new, refreshed)
  std::optional<TimePoint> deadline;  // its entry in the notifier's timer set
  uint32_t resource_pos = 0;          // its place in the notifier's per-resource list
  std::string final_reason;           // non-empty: the next NOTIFY terminates the subscription
  bool final_sent = false;
};

// What a package puts in a NOTIFY.
struct NotifyContent {
  std::string content_type;  // empty with an empty body
  std::string body;
  std::string event_params;  // appended to "Event: package", e.g. ";etag=abc" (RFC 6072 §7.3)
};
// The package's current content for a subscription (called when a NOTIFY is built).
using ContentSource = std::function<NotifyContent(const Subscription&)>;

struct NotifierConfig {
  // Via sent-by and Contact host:port per transport (what our listeners are reachable as).
  std::string sent_by_udp = "127.0.0.1:5060";
  std::string sent_by_tcp = "127.0.0.1:5060";
  std::string sent_by_tls = "127.0.0.1:5061";
  Duration min_interval = 60s;  // CERT-7 / CRED-9: at most one NOTIFY per minute
  // RFC 3261 §18.1.1: a request within 200 bytes of the path MTU goes over a congestion-
  // controlled transport; 1300 is the usual limit. 0 disables the switch (UDP-only peers).
  size_t udp_mtu = 1300;
  bool udp_fallback = true;  // when no TCP connection can be made, try UDP anyway
  // NOTIFYs built per call: a change with more subscribers than this is sent over several turns
  // of the event loop (next_deadline() says "now" until it is done), never blocking other
  // traffic for the whole fan-out.
  size_t fanout_batch = 256;
  sip::txn::Timers timers{};
  std::string user_agent = "sipcred";
  uint64_t seed = 0;  // 0: std::random_device
};

class Notifier {
 public:
  // With `signer` (not owned), every NOTIFY whose From is a domain it has a key for is signed
  // before it is sent (ID-1); NOTIFYs of other domains go unsigned.
  Notifier(NotifierConfig config, ContentSource content,
           const identity::AuthenticationService* signer = nullptr);

  // A subscription the package accepted; the first NOTIFY goes out at once (§4.2.1.2).
  std::vector<Outgoing> add(Subscription sub, TimePoint now);

  Subscription* find(uint64_t id);
  Subscription* find_dialog(std::string_view dialog_key);
  size_t size() const { return subs_.size(); }
  size_t outstanding() const { return txns_.size(); }

  // A refresh (§4.2.1.2): new expiry and an immediate NOTIFY (or one as soon as the outstanding
  // one completes). `expires` of zero is an unsubscribe: a final NOTIFY, reason=timeout (§4.2.2).
  std::vector<Outgoing> refresh(uint64_t id, Duration expires, TimePoint now);

  // The watched state of `resource` changed: every subscription of `package` to it gets a
  // NOTIFY, no sooner than min_interval after its previous one (CERT-7); the content is read
  // when the NOTIFY is built, so merged changes send only the latest state.
  std::vector<Outgoing> changed(std::string_view package, std::string_view resource, TimePoint now);
  // Ends every subscription of `package` to `resource` with a final NOTIFY (CRED-7:
  // reason=deactivated). The final NOTIFY is not held back by the rate limit.
  std::vector<Outgoing> terminate_all(std::string_view package, std::string_view resource,
                                      std::string_view reason, TimePoint now);

  // A response to one of our NOTIFYs. False when it matches none of our transactions.
  bool on_response(const sip::Message& response, TimePoint now, std::vector<Outgoing>& out);
  // The transport could not send a request of transaction `txn` (§17.1.4).
  void on_transport_error(uint64_t txn, TimePoint now);
  std::vector<Outgoing> on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  // NOTIFYs built since the last call that wait for their signature.
  std::vector<SignRequest> take_sign_jobs();
  // The signature of SignRequest `id` (or why there is none): the NOTIFY goes out, unless its
  // subscription ended meanwhile. A NOTIFY that cannot be signed is not sent unsigned: the
  // subscription ends as if the NOTIFY had failed (§4.2.2).
  std::vector<Outgoing> on_signed(uint64_t id, Result<identity::IdentityHeaders> signed_headers,
                                  TimePoint now);
  size_t signing() const { return parked_.size(); }

  // Where a NOTIFY of `sub` goes. sipcred reuses the flow the SUBSCRIBE arrived on (as RFC 5626
  // does for registrations): a subscriber behind NAT is reachable only that way, and a proxy
  // that stayed on the path is the one the flow leads to.
  static Peer destination(const Subscription& sub);

 private:
  struct ClientTxn {
    sip::txn::NonInviteClient machine;
    uint64_t sub = 0;
    Peer to;
    std::string key;  // client_key of its responses
    // Sent over TCP only because it was too large for UDP: when no connection can be made the
    // NOTIFY is built again for UDP (NotifierConfig::udp_fallback).
    bool udp_fallback = false;
    std::optional<TimePoint> deadline;
  };
  void send_notify(Subscription& sub, TimePoint now, std::vector<Outgoing>& out,
                   bool force_udp = false);
  const NotifyContent& content_of(const Subscription& sub);
  void due(Subscription& sub, TimePoint now, std::vector<Outgoing>& out);
  void reschedule(Subscription& sub, TimePoint now);
  sip::Message build_notify(Subscription& s, const NotifyContent& c, Transport transport,
                            std::string_view branch, TimePoint now);
  void start_txn(uint64_t id, uint64_t sub, std::string bytes, Peer to, std::string_view branch,
                 TimePoint now, std::vector<Outgoing>& out);
  void schedule_txn(uint64_t id, ClientTxn& txn);
  void finish_txn(uint64_t id, bool success, int status, TimePoint now, std::vector<Outgoing>& out);
  void remove(uint64_t sub_id);

  NotifierConfig config_;
  ContentSource content_;
  const identity::AuthenticationService* signer_;
  struct Parked {  // a NOTIFY waiting for its signature; its transaction id is the key
    uint64_t sub = 0;
    sip::Message msg;
    Peer to;
    std::string branch;
    bool udp_fallback = false;
  };
  std::unordered_map<uint64_t, Parked> parked_;
  std::vector<SignRequest> sign_jobs_;
  TokenSource tokens_;
  uint64_t next_sub_ = 1, next_txn_ = 1;
  std::unordered_map<uint64_t, Subscription> subs_;
  // Dialog identifier → subscription, by the identifier's hash (the key string is not kept a
  // second time: memory per subscription); a hit is confirmed against the dialog itself, so a
  // collision costs a comparison, never a wrong match.
  std::unordered_multimap<size_t, uint64_t> by_dialog_;
  // Subscriptions per watched resource (key: package + " " + resource); a subscription knows its
  // place, so removing one is O(1) however popular the resource (swap with the last).
  std::unordered_map<std::string, std::vector<uint64_t>> by_resource_;
  // The content of each resource as last read, shared by every NOTIFY of a fan-out; dropped when
  // the resource changes or loses its last subscription.
  std::unordered_map<std::string, NotifyContent> content_cache_;
  std::unordered_map<uint64_t, ClientTxn> txns_;
  std::unordered_map<std::string, uint64_t> txn_by_key_;  // client_key (§17.1.3) → txn
  std::set<std::pair<TimePoint, uint64_t>> sub_timers_;   // expiry or a deferred NOTIFY
  std::set<std::pair<TimePoint, uint64_t>> txn_timers_;
  std::vector<Outgoing> pending_sends_;
  std::deque<uint64_t> ready_;  // subscriptions of a large fan-out still to be notified  //
                                // produced outside a call that returns sends
};

}  // namespace sipcred::service
