// The SIP message parser, stream and datagram, with the validator and the endpoint behind it.
#include <string>
#include <string_view>

#include "fuzz/registry.hpp"
#include "service/endpoint.hpp"
#include "sip/header_table.hpp"
#include "sip/parser.hpp"
#include "sip/validate.hpp"

using sipcred::fuzz::check;
namespace sip = sipcred::sip;
namespace service = sipcred::service;

// Small limits so that the fuzzer reaches the limit paths too.
static constexpr sip::ParserLimits kLimits{2048, 32, 2048, 512};

SIPCRED_FUZZ_TARGET(sip_parser) {
  std::string_view bytes{reinterpret_cast<const char*>(data), size};

  // 1. As one datagram: every known header value through its syntax check, the validator, and
  //    the endpoint; a message that parses re-parses identically after serialization, and any
  //    response we generate parses and validates.
  auto msg = sip::parse_datagram(bytes, kLimits);
  if (msg) {
    for (const auto& f : msg->fields()) {
      const auto& info = sip::header_info(f.id);
      if (info.check != nullptr) (void)info.check(msg->value(f));
    }
    sip::Verdict v = msg->is_request() ? sip::validate_request(*msg) : sip::validate_response(*msg);
    std::string wire = msg->serialize();
    sip::ParserLimits roomy{1 << 20, 1 << 12, 1 << 20, 1 << 20};
    auto again = sip::parse_datagram(wire, roomy);
    check(again.has_value(), "a parsed message re-parses after serialization");
    check(again->serialize() == wire, "serialization is stable");
    if (v.ok()) {
      auto v2 =
          again->is_request() ? sip::validate_request(*again) : sip::validate_response(*again);
      check(v2.ok(), "a valid message stays valid after a round trip");
    }
    service::Endpoint ep{service::EndpointConfig{.seed = 7}};
    for (auto& out :
         ep.on_message(*msg, {"192.0.2.1", 5060, service::Transport::udp}, sipcred::TimePoint{})) {
      auto resp = sip::parse_datagram(out.bytes, roomy);
      check(resp.has_value(), "our response parses");
      check(resp->is_response(), "our response is a response");
    }
  }

  // 2. As a stream, in chunks whose sizes come from the input itself.
  sip::Parser parser{kLimits};
  size_t pos = 0;
  size_t chunk = size > 0 ? (data[0] % 17) + 1 : 1;
  int guard = 0;
  while (pos < size && ++guard < 100000) {
    std::string_view piece = bytes.substr(pos, chunk);
    auto step = parser.feed(piece);
    check(step.consumed <= piece.size(), "consumed within the fed bytes");
    pos += step.consumed;
    if (step.status == sip::ParseStatus::done) {
      sip::Message m = parser.take();
      (void)m.serialize();
    } else if (step.status == sip::ParseStatus::invalid) {
      break;
    } else if (step.status == sip::ParseStatus::need_more) {
      check(step.consumed == piece.size(), "need_more takes everything");
    }
  }
  return 0;
}
