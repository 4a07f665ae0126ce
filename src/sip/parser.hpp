// Sans-I/O SIP message parser (RFC 3261 §7, framing §18.3). It is fed bytes and says what it
// has; it owns no socket and never throws on input. One Parser frames a TCP/TLS stream
// (Content-Length framing, CRLF keep-alives skipped); parse_datagram() takes one UDP datagram.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sip/message.hpp"

namespace sipcred::sip {

struct ParserLimits {
  size_t max_header_bytes = 16 * 1024;  // start line and header section together
  size_t max_headers = 128;             // header fields, counting each list element
  size_t max_body = 64 * 1024;
  size_t max_line = 8 * 1024;  // one physical line
};

enum class ParseStatus {
  need_more,  // everything fed was taken; feed more
  done,       // a message is ready: take() it, then feed the bytes not consumed
  ping,       // a CRLFCRLF keep-alive (RFC 5626 §3.5.1) was consumed: answer with CRLF
  invalid,    // the stream cannot be framed any more: answer `status` if possible and close
};

struct ParseStep {
  ParseStatus status = ParseStatus::need_more;
  size_t consumed = 0;  // bytes of the fed view used by this step
  int status_code = 0;  // for invalid: 400 or 513
  std::string reason;   // for invalid: what was wrong, fit for a reason phrase or a log
};

class Parser {
 public:
  explicit Parser(ParserLimits limits = {}) : limits_(limits) {}

  ParseStep feed(std::string_view bytes);
  // Precondition: the last feed() answered done.
  Message take();
  void reset();

 private:
  enum class State { idle, head, body, done, failed };
  ParseStep fail_with(int status, std::string reason, size_t consumed);

  ParserLimits limits_;
  State state_ = State::idle;
  int idle_newlines_ = 0;  // LF seen in the current run of CR/LF between messages
  std::string buf_;
  size_t scan_ = 0;  // where the search for the end of the header section resumes
  size_t body_start_ = 0;
  size_t body_len_ = 0;
  MessageBuilder builder_{std::string{}};
};

// Parses one datagram. Per RFC 3261 §18.3 octets beyond Content-Length are discarded; a body
// shorter than Content-Length, or any other tolerated problem, is recorded as the message's
// defect() for the validator. Errors: Errc::parse (answer 400) or Errc::limit (answer 513).
Result<Message> parse_datagram(std::string_view bytes, const ParserLimits& limits = {});

// The status to answer for a parse error: 513 for limits, 400 otherwise.
int status_for(const Error& e);

}  // namespace sipcred::sip
