// Runs one user-agent exchange (ua::Exchange) over a real socket: UDP, TCP or TLS to one server.
// Over TLS the client sends SNI for the domain it means to reach, verifies the chain against the
// trust store, and then checks that the certificate's SubjectAltName names exactly that domain
// (TLS-2, HTTP-3 rules via pki::check_tls_server); a mismatch closes the connection before any
// request is sent.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "ua/exchange.hpp"

namespace sipcred::net {

struct ClientTarget {
  // Numeric address or a name. Empty: RFC 3263 location of `locate` (NAPTR → SRV → A/AAAA
  // through the c-ares resolver), each target tried in order until one connects (§4.3).
  std::string host;
  std::string locate;                    // the SIP URI to locate when host is empty
  std::vector<std::string> dns_servers;  // "IP[:PORT]"; empty: /etc/resolv.conf
  uint16_t port = 5061;
  std::string transport = "TLS";  // UDP, TCP or TLS
  std::string server_name;        // the domain we mean to reach (SNI and the name check)
  std::string ca_file;            // PEM trust anchors; empty: the system store
  std::chrono::seconds timeout{40};
};

// Errors: io (cannot connect, TLS handshake failed), crypto (the server's certificate does not
// name `server_name`: the reason says which check), limit (timed out). The exchange's own
// outcome (a 4xx, no NOTIFY) is in the exchange.
Result<void> run_exchange(ua::Exchange& exchange, const ClientTarget& target);

}  // namespace sipcred::net
