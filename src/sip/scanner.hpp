// Lexical pieces of RFC 3261 §25.1 shared by every header and URI parser. The scanner works on an
// already unfolded value (the message parser replaces `CRLF 1*WSP` with one SP, RFC 3261 §7.3.1),
// so linear white space here is only SP and HTAB. It never reads past its view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sipcred::sip {

namespace chars {
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
constexpr bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr bool is_wsp(char c) { return c == ' ' || c == '\t'; }
// mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"
constexpr bool is_mark(char c) {
  return c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' ||
         c == '(' || c == ')';
}
constexpr bool is_unreserved(char c) { return is_alnum(c) || is_mark(c); }
// token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
constexpr bool is_token(char c) {
  return is_alnum(c) || c == '-' || c == '.' || c == '!' || c == '%' || c == '*' || c == '_' ||
         c == '+' || c == '`' || c == '\'' || c == '~';
}
// word adds "(" ")" "<" ">" ":" "\" DQUOTE "/" "[" "]" "?" "{" "}" to token
constexpr bool is_word(char c) {
  return is_token(c) || c == '(' || c == ')' || c == '<' || c == '>' || c == ':' || c == '\\' ||
         c == '"' || c == '/' || c == '[' || c == ']' || c == '?' || c == '{' || c == '}';
}
constexpr char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
}  // namespace chars

bool iequals(std::string_view a, std::string_view b);
bool is_token(std::string_view s);
std::string_view trim(std::string_view s);

// %HH unescaping (RFC 3261 §25.1 `escaped`). Fails on a truncated or non-hex escape.
Result<std::string> unescape(std::string_view s);

// The text between the quotes of a quoted-string with quoted-pairs resolved.
std::string unquote(std::string_view quoted_inner);

// `name[=value]` of a generic-param, uri-parameter, via-param, ... (views into the parsed text).
struct GenericParam {
  std::string_view name;
  std::string_view value;  // for a quoted value, with its quotes
  bool has_value = false;
};

class Params {
 public:
  void push(GenericParam p) { items_.push_back(p); }
  const GenericParam* find(std::string_view name) const;  // case-insensitive name
  bool has(std::string_view name) const { return find(name) != nullptr; }
  std::optional<std::string_view> value(std::string_view name) const;
  const std::vector<GenericParam>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }

 private:
  std::vector<GenericParam> items_;
};

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }
  std::string_view rest() const { return s_.substr(pos_); }
  std::string_view text() const { return s_; }
  void advance(size_t n = 1) { pos_ = pos_ + n > s_.size() ? s_.size() : pos_ + n; }

  void skip_ws();
  bool consume(char c);
  // SWS c SWS, as in HCOLON, SEMI, COMMA, EQUAL, SLASH, LAQUOT, RAQUOT.
  bool consume_sep(char c);
  std::string_view take_while(bool (*pred)(char));
  std::string_view token() { return take_while(&chars::is_token); }
  std::string_view word() { return take_while(&chars::is_word); }
  // A quoted-string including its quotes; nullopt (position unchanged) if malformed.
  std::optional<std::string_view> quoted_string();
  // `;name[=value]` repeated: generic-param with token / host / quoted-string values.
  // Stops before the first character that cannot continue a parameter list.
  Result<void> params(Params& out, char separator = ';');

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// Splits a header value on commas that are outside quoted strings and angle brackets
// (RFC 3261 §7.3.1: multiple values of a list header may be combined with commas).
// Empty elements are dropped; each element is trimmed.
void split_list(std::string_view value, std::vector<std::string_view>& out);

// Parses decimal digits into a value no larger than `max`; fails on anything else.
Result<uint64_t> parse_number(std::string_view digits, uint64_t max);

}  // namespace sipcred::sip
