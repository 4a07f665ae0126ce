// Building a response to a request (RFC 3261 §8.2.6.2).
#pragma once

#include <string_view>

#include "sip/message.hpp"

namespace sipcred::sip {

// Copies Via (all, in order), From, To, Call-ID and CSeq from the request; adds `to_tag` to To
// when the status is above 100 and To has no tag yet. Content-Length is 0 until a body is set.
Message make_response(const Message& request, int status, std::string_view reason,
                      std::string_view to_tag);

// The default reason phrase of a status code (RFC 3261 §21 and the RFCs sipcred uses).
std::string_view default_reason(int status);

}  // namespace sipcred::sip
