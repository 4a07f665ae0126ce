#include "sip/parser.hpp"

#include <cstring>

#include "sip/headers.hpp"
#include "sip/scanner.hpp"

namespace sipcred::sip {
namespace {

struct Head {
  bool has_length = false;
  bool length_broken = false;  // datagram only: the body is then the rest of the datagram
  size_t content_length = 0;
};

// Finds the empty line that ends the header section, searching from `from`. Lines may end in
// CRLF or, leniently, a bare LF. Returns the offset of the first body byte, or npos.
size_t find_head_end(std::string_view buf, size_t& from) {
  while (true) {
    size_t nl = buf.find('\n', from);
    if (nl == std::string_view::npos) {
      from = buf.size();
      return std::string_view::npos;
    }
    if (nl + 1 < buf.size() && buf[nl + 1] == '\n') return nl + 2;
    if (nl + 2 < buf.size() && buf[nl + 1] == '\r' && buf[nl + 2] == '\n') return nl + 3;
    if (nl + 2 >= buf.size()) {
      from = nl;  // the next line is not complete yet: look at this LF again
      return std::string_view::npos;
    }
    from = nl + 1;
  }
}

Span span_of(std::string_view whole, std::string_view part) {
  return Span{static_cast<uint32_t>(part.data() - whole.data()),
              static_cast<uint32_t>(part.size())};
}

bool looks_like_version(std::string_view v) {
  // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; any numbers parse, the validator answers 505.
  if (v.size() < 7 || !iequals(v.substr(0, 4), "SIP/")) return false;
  size_t dot = v.find('.', 4);
  if (dot == std::string_view::npos || dot == 4 || dot + 1 == v.size()) return false;
  for (size_t i = 4; i < v.size(); ++i) {
    if (i != dot && !chars::is_digit(v[i])) return false;
  }
  return true;
}

Result<void> parse_start_line(MessageBuilder& b, std::string_view whole, std::string_view line) {
  std::string_view raw = line;
  line = trim(line);
  if (line.size() >= 4 && iequals(line.substr(0, 4), "SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return fail(Errc::parse, "Status-Line without status code");
    std::string_view version = line.substr(0, sp);
    if (!looks_like_version(version)) return fail(Errc::parse, "malformed SIP-Version");
    std::string_view code = line.substr(sp + 1, 3);
    auto n = parse_number(code, 699);
    if (code.size() != 3 || !n || *n < 100) return fail(Errc::parse, "malformed Status-Code");
    std::string_view reason = line.substr(sp + 1 + 3);
    if (!reason.empty() && reason.front() != ' ') return fail(Errc::parse, "malformed Status-Code");
    reason = trim(reason);
    b.set_response(span_of(whole, version), static_cast<int>(*n), span_of(whole, reason));
    return {};
  }
  // Request-Line = Method SP Request-URI SP SIP-Version. The URI is taken as everything between
  // the method and the version, so that a URI with white space in it still gives a message the
  // validator can answer with 400 (RFC 4475 §3.1.2.7).
  size_t first = line.find(' ');
  size_t last = line.rfind(' ');
  if (first == std::string_view::npos || first == last) {
    return fail(Errc::parse, "malformed Request-Line");
  }
  std::string_view method = line.substr(0, first);
  std::string_view version = line.substr(last + 1);
  std::string_view uri = trim(line.substr(first + 1, last - first - 1));
  if (!is_token(method)) return fail(Errc::parse, "malformed Method");
  if (!looks_like_version(version)) return fail(Errc::parse, "malformed SIP-Version");
  if (uri.empty()) return fail(Errc::parse, "empty Request-URI");
  // Exactly one SP between the elements and none around them (RFC 3261 §7.1). The message is
  // kept so that the answer can be a 400 (RFC 4475 "lwsstart", "trws").
  if (raw.size() != line.size() || uri.size() != last - first - 1) {
    b.msg().set_defect("extra white space in the Request-Line");
  }
  b.set_request(span_of(whole, method), span_of(whole, uri), span_of(whole, version));
  return {};
}

// Splits the header section [0, head_end) into the start line and header fields. Folded lines
// are unfolded in place: the CR and LF of each fold become SP, which RFC 3261 §7.3.1 makes
// equivalent, so no value is copied.
// On a stream a bad Content-Length loses the framing and is fatal; in a datagram the message is
// still delimited, so it is kept with a defect and answered 400 (RFC 4475 "ncl", "mcl01").
Result<Head> parse_head(MessageBuilder& b, size_t head_end, const ParserLimits& limits,
                        bool stream) {
  std::string& arena_ref = b.mutable_arena();
  char* data = arena_ref.data();
  std::string_view whole{data, arena_ref.size()};
  Head head;

  auto next_line = [&](size_t pos, size_t& line_end, size_t& next) {
    const void* nl = std::memchr(data + pos, '\n', head_end - pos);
    size_t p = nl ? static_cast<size_t>(static_cast<const char*>(nl) - data) : head_end;
    next = p + 1;
    line_end = (p > pos && data[p - 1] == '\r') ? p - 1 : p;
  };

  size_t line_end, next;
  next_line(0, line_end, next);
  if (line_end > limits.max_line) return fail(Errc::limit, "start line too long");
  if (auto r = parse_start_line(b, whole, whole.substr(0, line_end)); !r)
    return Unexpected{r.error()};

  b.reserve_fields(16);
  size_t fields = 0;
  size_t pos = next;
  while (pos < head_end) {
    next_line(pos, line_end, next);
    if (line_end == pos) break;  // the empty line
    if (line_end - pos > limits.max_line) return fail(Errc::limit, "header line too long");
    if (chars::is_wsp(data[pos])) return fail(Errc::parse, "continuation line before any header");
    size_t value_end = line_end;
    // Folded continuation lines: turn the line break into white space and join.
    while (next < head_end && chars::is_wsp(data[next])) {
      for (size_t k = value_end; k < next; ++k) data[k] = ' ';
      next_line(next, line_end, next);
      if (line_end - value_end > limits.max_line) return fail(Errc::limit, "header line too long");
      value_end = line_end;
    }
    std::string_view line = whole.substr(pos, value_end - pos);
    pos = next;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      b.msg().set_defect("header line without ':'");
      continue;
    }
    std::string_view name = trim(line.substr(0, colon));
    if (!is_token(name)) {
      b.msg().set_defect("malformed header name");
      continue;
    }
    std::string_view value = trim(line.substr(colon + 1));
    HeaderId id = lookup_header(name);
    Span name_span = span_of(whole, name);
    if (id != HeaderId::unknown && header_info(id).kind == HeaderKind::list) {
      size_t before = fields;
      bool too_many = false;
      for_each_list_element(value, [&](std::string_view e) {
        if (++fields > limits.max_headers) {
          too_many = true;
          return;
        }
        b.add_field(id, name_span, span_of(whole, e));
      });
      if (fields == before && ++fields <= limits.max_headers) {
        b.add_field(id, name_span, span_of(whole, value));  // an empty list header is kept
      }
      if (too_many || fields > limits.max_headers) {
        return fail(Errc::limit, "too many header fields");
      }
    } else {
      if (++fields > limits.max_headers) return fail(Errc::limit, "too many header fields");
      b.add_field(id, name_span, span_of(whole, value));
      if (id == HeaderId::content_length) {
        auto n = parse_uint(value, 0xffffffff);
        const char* problem = !n ? "malformed Content-Length"
                              : (head.has_length && head.content_length != *n)
                                  ? "conflicting Content-Length headers"
                                  : nullptr;
        if (problem != nullptr) {
          if (stream) return fail(Errc::parse, problem);
          b.msg().set_defect(problem);
          head.has_length = false;
          head.length_broken = true;
          continue;
        }
        if (!head.length_broken) {
          head.has_length = true;
          head.content_length = *n;
        }
      }
    }
  }
  return head;
}

}  // namespace

int status_for(const Error& e) {
  return e.code == Errc::limit ? 513 : 400;
}

ParseStep Parser::fail_with(int status, std::string reason, size_t consumed) {
  state_ = State::failed;
  return ParseStep{ParseStatus::invalid, consumed, status, std::move(reason)};
}

void Parser::reset() {
  state_ = State::idle;
  idle_newlines_ = 0;
  buf_.clear();
  scan_ = 0;
  body_start_ = body_len_ = 0;
  builder_ = MessageBuilder{std::string{}};
}

Message Parser::take() {
  Message m = builder_.take();
  reset();
  return m;
}

ParseStep Parser::feed(std::string_view in) {
  size_t used = 0;
  if (state_ == State::failed)
    return ParseStep{ParseStatus::invalid, 0, 400, "stream already failed"};
  if (state_ == State::done) return ParseStep{ParseStatus::done, 0, 0, {}};

  if (state_ == State::idle) {
    // RFC 3261 §7.5: CRLFs before a start line are ignored; RFC 5626 §3.5.1: CRLFCRLF is a ping.
    while (used < in.size() && (in[used] == '\r' || in[used] == '\n')) {
      if (in[used++] == '\n' && ++idle_newlines_ == 2) {
        idle_newlines_ = 0;
        return ParseStep{ParseStatus::ping, used, 0, {}};
      }
    }
    if (used == in.size()) return ParseStep{ParseStatus::need_more, used, 0, {}};
    idle_newlines_ = 0;
    state_ = State::head;
  }

  if (state_ == State::head) {
    size_t old = buf_.size();
    size_t room = limits_.max_header_bytes + 3 - old;  // room for the terminating empty line
    std::string_view chunk = in.substr(used, room);
    buf_.append(chunk);
    size_t body_start = find_head_end(buf_, scan_);
    if (body_start == std::string_view::npos) {
      if (buf_.size() > limits_.max_header_bytes) {
        return fail_with(513, "header section too large", used + chunk.size());
      }
      return ParseStep{ParseStatus::need_more, used + chunk.size(), 0, {}};
    }
    // Bytes past the header section stay unconsumed until we know the body's length.
    size_t taken = body_start - old;
    buf_.resize(body_start);
    used += taken;
    builder_ = MessageBuilder{std::move(buf_)};
    buf_.clear();
    auto head = parse_head(builder_, body_start, limits_, true);
    if (!head) return fail_with(status_for(head.error()), head.error().detail, used);
    if (!head->has_length) {
      // RFC 3261 §18.3: Content-Length is mandatory on a stream. Frame as if it were 0 and let
      // the validator answer 400.
      builder_.msg().set_defect("missing Content-Length on a stream transport");
    }
    if (head->content_length > limits_.max_body) {
      return fail_with(513, "body larger than the limit", used);
    }
    body_start_ = body_start;
    body_len_ = head->content_length;
    state_ = State::body;
  }

  if (state_ == State::body) {
    size_t have = builder_.arena().size() - body_start_;
    size_t want = body_len_ - have;
    std::string_view chunk = in.substr(used, want);
    builder_.append(chunk);
    used += chunk.size();
    if (chunk.size() < want) return ParseStep{ParseStatus::need_more, used, 0, {}};
    builder_.set_body(Span{static_cast<uint32_t>(body_start_), static_cast<uint32_t>(body_len_)});
    state_ = State::done;
  }
  return ParseStep{ParseStatus::done, used, 0, {}};
}

Result<Message> parse_datagram(std::string_view bytes, const ParserLimits& limits) {
  size_t skip = 0;
  while (skip < bytes.size() && (bytes[skip] == '\r' || bytes[skip] == '\n')) ++skip;
  bytes.remove_prefix(skip);
  if (bytes.empty()) return fail(Errc::parse, "empty datagram");
  if (bytes.size() > limits.max_header_bytes + limits.max_body) {
    return fail(Errc::limit, "datagram larger than the limit");
  }
  size_t from = 0;
  size_t body_start = find_head_end(bytes, from);
  bool unterminated = body_start == std::string_view::npos;
  // A datagram delimits itself: a header section that runs to its end without the empty line is
  // still parsed, and answered 400 (RFC 4475 "baddn" lacks the empty line).
  if (unterminated) body_start = bytes.size();
  if (body_start > limits.max_header_bytes + 3)
    return fail(Errc::limit, "header section too large");
  MessageBuilder b{std::string{bytes}};
  if (unterminated) b.msg().set_defect("header section not ended by an empty line");
  auto head = parse_head(b, body_start, limits, false);
  if (!head) return Unexpected{head.error()};
  size_t available = bytes.size() - body_start;
  size_t body_len = available;
  if (head->has_length) {
    if (head->content_length > available) {
      // RFC 3261 §18.3: a request whose body ends early gets 400; a response is discarded.
      b.msg().set_defect("Content-Length larger than the datagram's body");
    } else {
      body_len = head->content_length;
    }
  }
  if (body_len > limits.max_body) return fail(Errc::limit, "body larger than the limit");
  b.set_body(Span{static_cast<uint32_t>(body_start), static_cast<uint32_t>(body_len)});
  return b.take();
}

}  // namespace sipcred::sip
