// What a server should answer to a parsed message before acting on it (RFC 3261 §8.2, §16.3,
// RFC 4475): the verdict carries the status code and a reason phrase that names the problem.
#pragma once

#include <optional>
#include <string>

#include "sip/headers.hpp"
#include "sip/message.hpp"

namespace sipcred::sip {

struct Verdict {
  int status = 0;  // 0: acceptable
  std::string reason;
  bool ok() const { return status == 0; }
};

// The headers a server acts on, parsed once per request and shared by transaction matching, the
// validator and the response: views into the message, which must outlive this.
struct RequestHeads {
  std::optional<Via> top_via;  // the first Via, when it parses
  std::optional<CSeq> cseq;    // the first CSeq, when it parses
  // Set by validate_request when the checks got that far: whether the To header carries a tag
  // (RFC 3261 §8.2.6.2), and the parsed Event.
  std::optional<bool> to_has_tag;
  std::optional<Event> event;
};

// The top Via and CSeq: what matching a request to its transaction needs (RFC 3261 §17.2.3).
RequestHeads parse_request_heads(const Message& m);

// Checks a request: the defect the parser recorded, SIP/2.0, the Request-URI (400 malformed,
// 416 unsupported scheme), the mandatory headers To, From, Call-ID, CSeq, Via and Max-Forwards
// present once and well-formed, CSeq's method equal to the request's, a well-formed
// Content-Length, Content-Type and Expires, and Content-Type present when there is a body.
// With `heads` (from parse_request_heads on the same message), its top Via and CSeq are not
// parsed again, and what the checks parse on the way is kept in it.
Verdict validate_request(const Message& m, RequestHeads* heads = nullptr);

// Checks a response well enough to hand it to a transaction: the defect, version, and the
// headers a client transaction matches on (Via, From, To, Call-ID, CSeq). A failing response
// is discarded (RFC 3261 §18.1.2), never answered.
Verdict validate_response(const Message& m);

}  // namespace sipcred::sip
