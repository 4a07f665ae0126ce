// SUBSCRIBE and PUBLISH through the credential service as the endpoint hands them over: the event
// packages' own header handling (Event, Expires, Accept, SIP-If-Match, Authorization, the
// credential body), the dialog made from the request, and the first NOTIFY. Over TLS and UDP,
// with the real SQLite store (in memory).
#include <memory>
#include <string>
#include <string_view>

#include "fuzz/registry.hpp"
#include "service/credential_service.hpp"
#include "service/endpoint.hpp"
#include "sip/parser.hpp"
#include "store/store.hpp"

using sipcred::fuzz::check;
namespace sip = sipcred::sip;
namespace service = sipcred::service;
namespace store = sipcred::store;

SIPCRED_FUZZ_TARGET(service) {
  static std::unique_ptr<store::Store> db = [] {
    auto s = store::open_sqlite({.path = ":memory:"});
    return s ? std::move(*s) : nullptr;
  }();
  if (!db) return 0;
  std::string_view bytes{reinterpret_cast<const char*>(data), size};
  auto msg = sip::parse_datagram(bytes);
  if (!msg) return 0;
  service::CredentialServiceConfig cfg;
  cfg.domains = {{"example.com", ""}};
  cfg.digest.secret = std::vector<uint8_t>(32, 1);
  cfg.seed = 3;
  cfg.notifier.seed = 4;
  auto svc = service::CredentialService::create(cfg, *db);
  check(svc.has_value(), "the service starts");
  service::Endpoint ep{service::EndpointConfig{.seed = 5}, svc->get()};
  const sipcred::WallTime wall{std::chrono::seconds{1'800'000'000}};
  for (auto transport : {service::Transport::tls, service::Transport::udp}) {
    auto outs = ep.on_message(*msg, {"192.0.2.1", 5061, transport}, sipcred::TimePoint{}, wall);
    for (auto& w : ep.take_writes()) {
      // Nothing that the fuzzer makes passes the digest check, so nothing reaches the store;
      // a write here would be a bug.
      check(false, "an unauthenticated request asked for a store write");
      (void)w;
    }
    for (auto& out : outs) {
      auto m = sip::parse_datagram(out.bytes);
      check(m.has_value(), "what the service sends parses");
    }
    // Whatever is outstanding runs its timers to the end without trouble.
    for (int i = 0; i < 50; ++i) {
      auto d = ep.next_deadline();
      if (!d) break;
      (void)ep.on_timer(*d, wall);
    }
  }
  return 0;
}
