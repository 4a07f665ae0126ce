// Server location, sans-I/O: RFC 3263 §4 for a SIP or SIPS URI (NAPTR → SRV → A/AAAA, numeric
// hosts and explicit ports short-circuiting) and RFC 2782 "SRV or default host" for other
// services such as the certificate store's `_certificates._tcp` (REQUIREMENTS HTTP-1).
//
// A Locator says which DNS queries it needs (take_queries), is fed the answers (on_answer) in any
// order, and when done() holds an ordered TargetList. It owns no socket and reads no clock;
// resolver.hpp drives it with c-ares, the tests with records read from files.
//
//   auto loc = Locator::sip(uri, options, random);
//   while (!loc->done()) for (auto& q : loc->take_queries()) send(q);  // ... on_answer(q, a)
//   auto targets = loc->result();
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "net/dns/records.hpp"
#include "service/endpoint.hpp"
#include "sip/uri.hpp"

namespace sipcred::net::dns {

using service::Transport;

// One place to send to: RFC 3263 §4's (IP address, port, transport) triple.
struct Target {
  std::string address;  // numeric IPv4 or IPv6, no brackets
  uint16_t port = 0;
  Transport transport = Transport::udp;
  std::string host;  // the name the address came from (SRV target or URI host), for logs
  bool operator==(const Target&) const = default;
};

// The targets in the order to try them, with a cursor. RFC 3263 §4.3: when a request to the
// current target fails with a transport error or a timeout (or a 503), the client moves on to
// the next; the list is fixed for the whole transaction so that retries keep their order.
class TargetList {
 public:
  TargetList() = default;
  explicit TargetList(std::vector<Target> targets) : targets_(std::move(targets)) {}

  const std::vector<Target>& all() const { return targets_; }
  size_t size() const { return targets_.size(); }
  // The target to use now; nullptr once every target has failed.
  const Target* current() const { return cursor_ < targets_.size() ? &targets_[cursor_] : nullptr; }
  // Marks the current target as failed and returns the next one (nullptr when none is left).
  const Target* next() {
    if (cursor_ < targets_.size()) ++cursor_;
    return current();
  }
  bool exhausted() const { return cursor_ >= targets_.size(); }

 private:
  std::vector<Target> targets_;
  size_t cursor_ = 0;
};

struct LocatorOptions {
  // Transports this client can use, most preferred first. RFC 3263 §4.1 leaves the choice among
  // the server's transports to the client when it has no NAPTR records; this order decides it.
  std::vector<Transport> transports{Transport::tls, Transport::tcp, Transport::udp};
  bool ipv4 = true;          // ask for A records
  bool ipv6 = true;          // ask for AAAA records
  bool prefer_ipv6 = false;  // within one host, AAAA addresses before A addresses
  // A hostile zone can name thousands of SRV targets; addresses beyond this are not tried.
  size_t max_targets = 16;
};

class Locator {
 public:
  // RFC 3263 §4 for a SIP or SIPS URI (the TARGET is `maddr` when present, else the host).
  // Errors: invalid_argument for a non-SIP URI, an unsupported or contradictory transport
  // (`sips:` with transport=udp) or an unusable maddr.
  static Result<Locator> sip(const sip::Uri& uri, LocatorOptions options, Random random);

  // RFC 2782 for a non-SIP service: SRV `srv_name` (e.g. "_certificates._tcp.example.com");
  // when it yields no records or fails, `fallback_host`:`fallback_port`. A single SRV record
  // with target "." means the service is not offered, and no fallback is tried (RFC 2782).
  static Locator srv_or_default(std::string srv_name, std::string fallback_host,
                                uint16_t fallback_port, Transport transport, LocatorOptions options,
                                Random random);

  // REQUIREMENTS HTTP-1: `_certificates._tcp.<domain>`, else `certificates.<domain>` port 443.
  static Locator certificate_store(std::string_view domain, LocatorOptions options, Random random);

  // Queries to send now, each handed out once.
  std::vector<Query> take_queries();
  // An answer to a query handed out earlier; others are ignored. May make new queries ready.
  void on_answer(const Query& query, const Answer& answer);
  bool done() const { return phase_ == Phase::done; }

  // Once done(): the targets in order, or why there are none — not_found when DNS said no
  // (no such name, no address), io when a lookup timed out or failed and nothing else worked.
  Result<TargetList> result() const;

 private:
  enum class Phase { naptr, srv, address, done };
  struct SrvSet {  // one SRV query and what its records are carried over
    std::string name;
    Transport transport = Transport::udp;
    uint32_t group = 0;  // NAPTR order value; sets of a lower group are used first
  };
  struct HostEntry {  // a host name to resolve and the port and transport it serves
    std::string host;
    uint16_t port = 0;
    Transport transport = Transport::udp;
  };

  Locator(LocatorOptions options, Random random);
  void ask(Query q);
  void advance();
  void after_naptr();
  void after_srv();
  void after_address();
  void start_address_phase();
  void finish_with(std::vector<Target> targets);
  const Answer* answer_to(const Query& q) const;

  LocatorOptions options_;
  Random random_;
  Phase phase_ = Phase::done;
  bool sips_ = false;  // RFC 3263 §4.1: only SIPS services for a SIPS URI
  std::string domain_;
  std::vector<SrvSet> srv_sets_;
  HostEntry fallback_;       // A/AAAA when no SRV record was found
  bool fallback_ok_ = true;  // false after "." (RFC 2782: decidedly not available)
  std::vector<HostEntry> hosts_;
  std::vector<Query> outbox_;
  std::set<Query> asked_;
  std::set<Query> outstanding_;
  std::map<Query, Answer> answers_;
  bool saw_failure_ = false;  // a timeout or server failure on some query
  std::string failure_detail_;
  std::vector<Target> targets_;
  std::optional<Error> error_;
};

// The SRV owner name RFC 3263 §4.1/§4.2 queries for a transport ("_sips._tcp.", "_sip._udp.", ...).
std::string sip_srv_name(Transport transport, bool sips, std::string_view domain);

}  // namespace sipcred::net::dns
