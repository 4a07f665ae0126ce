// A SIP request or response (RFC 3261 §7). The message owns one byte arena: a parsed message's
// arena is the bytes it was parsed from, and every start-line part, header name, header value and
// the body are offsets into it, so parsing copies nothing per header. Headers keep their order;
// a list header's elements are separate fields (RFC 3261 §7.3.1). Values are unfolded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/header_table.hpp"

namespace sipcred::sip {

struct Span {
  uint32_t off = 0;
  uint32_t len = 0;
};

struct HeaderField {
  HeaderId id = HeaderId::unknown;
  Span name;
  Span value;
};

class Message {
 public:
  Message() = default;

  static Message request(std::string_view method, std::string_view request_uri);
  static Message response(int status, std::string_view reason);

  bool is_request() const { return is_request_; }
  bool is_response() const { return !is_request_; }

  // Request-Line (RFC 3261 §7.1) / Status-Line (§7.2)
  std::string_view method() const { return view(start_[0]); }
  std::string_view request_uri() const { return view(start_[1]); }
  std::string_view version() const { return view(is_request_ ? start_[2] : start_[0]); }
  int status() const { return status_; }
  std::string_view reason() const { return view(start_[2]); }

  const std::vector<HeaderField>& fields() const { return fields_; }
  std::string_view name(const HeaderField& f) const { return view(f.name); }
  std::string_view value(const HeaderField& f) const { return view(f.value); }

  std::optional<std::string_view> first(HeaderId id) const;
  std::optional<std::string_view> first(std::string_view name) const;  // by name, any header
  size_t count(HeaderId id) const;
  std::vector<std::string_view> all(HeaderId id) const;

  // Appends a field (a known header is written in its canonical long form).
  void add(HeaderId id, std::string_view value);
  void add(std::string_view name, std::string_view value);  // known names map to their id
  // Replaces every field of `id` with one.
  void set(HeaderId id, std::string_view value);
  void remove(HeaderId id);
  // Replaces the value of the first field of `id` (adds one if there is none).
  void replace_first(HeaderId id, std::string_view value);

  std::string_view body() const { return view(body_); }
  // Sets the body and the Content-Length that frames it.
  void set_body(std::string_view body);

  // The first framing or syntax problem the parser tolerated to keep the message, for the
  // validator to answer (e.g. a datagram shorter than its Content-Length); empty when none.
  std::string_view defect() const { return defect_; }
  void set_defect(std::string d) {
    if (defect_.empty()) defect_ = std::move(d);
  }

  // Canonical wire form: header names in their long form, one field per line.
  std::string serialize() const;
  void serialize_to(std::string& out) const;
  // serialize().size(), without building it.
  size_t serialized_size() const;

 private:
  friend class MessageBuilder;
  std::string_view view(Span s) const { return std::string_view{arena_}.substr(s.off, s.len); }
  Span append(std::string_view s);

  std::string arena_;
  std::vector<HeaderField> fields_;
  Span start_[3];
  Span body_;
  int status_ = 0;
  bool is_request_ = true;
  std::string defect_;
};

// Used by the parser: adopts an arena and fills the message from offsets into it.
class MessageBuilder {
 public:
  explicit MessageBuilder(std::string arena) { msg_.arena_ = std::move(arena); }
  Message& msg() { return msg_; }
  const std::string& arena() const { return msg_.arena_; }
  // The parser unfolds header lines in place before any offset into them is taken.
  std::string& mutable_arena() { return msg_.arena_; }
  void set_request(Span method, Span uri, Span version);
  void set_response(Span version, int status, Span reason);
  void add_field(HeaderId id, Span name, Span value) { msg_.fields_.push_back({id, name, value}); }
  Span append(std::string_view s) { return msg_.append(s); }
  void set_body(Span body) { msg_.body_ = body; }
  void reserve_fields(size_t n) { msg_.fields_.reserve(n); }
  Message take() { return std::move(msg_); }

 private:
  Message msg_;
};

}  // namespace sipcred::sip
