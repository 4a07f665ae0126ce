// Who the endpoint talks to and what it asks the transport layer to send.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sipcred::service {

enum class Transport { udp, tcp, tls };
std::string_view to_string(Transport t);

struct Peer {
  std::string address;  // numeric IPv4 or IPv6 (no brackets)
  uint16_t port = 0;
  Transport transport = Transport::udp;
  bool operator==(const Peer&) const = default;
};

struct Outgoing {
  std::string bytes;
  // For a stream transport: the connection to this peer (the one a request came in on, or a new
  // one for a request we originate).
  Peer to;
  int status = 0;  // the status code of a response carried; 0 for a request
  // A request of one of our client transactions: the transport reports a failure to send it
  // with Endpoint::on_transport_error(txn) (RFC 3261 §17.1.4). 0 for responses.
  uint64_t txn = 0;
};

}  // namespace sipcred::service
