// Asynchronous DNS on the Asio event loop, through c-ares (the only c-ares code is in
// resolver.cpp). It answers single queries (NAPTR, SRV, A, AAAA) and drives a Locator
// (locator.hpp) for whole server locations. Design notes: docs/dns.md.
//
//   boost::asio::io_context io;
//   auto dns = dns::Resolver::create(io, {.servers = {"127.0.0.1:5353"}});
//   (*dns)->resolve_sip("sip:alice@example.com", [](Result<dns::TargetList> r) { ... });
//
// Threading: a Resolver belongs to one io_context and is used from the thread running it. Every
// callback runs on that loop, never inside the call that started the lookup. Destroying the
// Resolver drops the callbacks of lookups still running: they are never called. Like any Asio
// object, it must be destroyed before its io_context.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "net/dns/locator.hpp"
#include "net/dns/records.hpp"

namespace boost::asio {
class io_context;
}

namespace sipcred::net::dns {

struct ResolverConfig {
  // DNS servers, tried in order: "IPV4", "IPV4:PORT", "[IPV6]" or "[IPV6]:PORT" (port 53 when
  // absent). Empty: the system's servers from /etc/resolv.conf.
  std::vector<std::string> servers;
  // Time to wait for an answer on the first try; c-ares doubles it on each later round.
  std::chrono::milliseconds timeout{2000};
  int tries = 2;  // rounds over the server list
  LocatorOptions locator{};
  Random random;  // RFC 2782 weight draws; empty: a PRNG seeded from std::random_device
};

class Resolver {
 public:
  // Errors: config when a server address is not one of the forms above; io when c-ares cannot
  // be initialised.
  static Result<std::unique_ptr<Resolver>> create(boost::asio::io_context& io,
                                                  ResolverConfig config);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // One query. The Answer's status says ok / no_data / nxdomain / timeout / failure.
  using AnswerCallback = std::function<void(const Answer&)>;
  void query(const Query& q, AnswerCallback callback);

  // RFC 3263 server location for a SIP or SIPS URI (text as in a Request-URI). The result is
  // the ordered TargetList, or: invalid_argument (not a usable SIP URI), not_found (DNS says
  // there is no such server), io (lookups timed out or failed).
  using TargetsCallback = std::function<void(Result<TargetList>)>;
  void resolve_sip(std::string_view uri, TargetsCallback callback);

  // RFC 2782: SRV `<service>.<domain>` (service such as "_certificates._tcp"), ordered by
  // priority and weight; with no SRV record, `default_host` (empty: the domain) on
  // `default_port`. The transport is TCP unless the service ends in "._udp". Errors as above.
  void resolve_srv_or_default(std::string_view service, std::string_view domain,
                              uint16_t default_port, TargetsCallback callback,
                              std::string_view default_host = {});

  // REQUIREMENTS HTTP-1: `_certificates._tcp.<domain>`, else `certificates.<domain>`:443.
  void resolve_certificate_store(std::string_view domain, TargetsCallback callback);

 private:
  struct Impl;
  explicit Resolver(std::shared_ptr<Impl> impl);
  void drive(Locator locator, TargetsCallback callback);
  std::shared_ptr<Impl> impl_;
  LocatorOptions locator_;
};

}  // namespace sipcred::net::dns
