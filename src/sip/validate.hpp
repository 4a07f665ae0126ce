// What a server should answer to a parsed message before acting on it (RFC 3261 §8.2, §16.3,
// RFC 4475): the verdict carries the status code and a reason phrase that names the problem.
#pragma once

#include <string>

#include "sip/message.hpp"

namespace sipcred::sip {

struct Verdict {
  int status = 0;  // 0: acceptable
  std::string reason;
  bool ok() const { return status == 0; }
};

// Checks a request: the defect the parser recorded, SIP/2.0, the Request-URI (400 malformed,
// 416 unsupported scheme), the mandatory headers To, From, Call-ID, CSeq, Via and Max-Forwards
// present once and well-formed, CSeq's method equal to the request's, a well-formed
// Content-Length, Content-Type and Expires, and Content-Type present when there is a body.
Verdict validate_request(const Message& m);

// Checks a response well enough to hand it to a transaction: the defect, version, and the
// headers a client transaction matches on (Via, From, To, Call-ID, CSeq). A failing response
// is discarded (RFC 3261 §18.1.2), never answered.
Verdict validate_response(const Message& m);

}  // namespace sipcred::sip
