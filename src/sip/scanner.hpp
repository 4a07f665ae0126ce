// Lexical pieces of RFC 3261 §25.1 shared by every header and URI parser. The scanner works on an
// already unfolded value (the message parser replaces `CRLF 1*WSP` with one SP, RFC 3261 §7.3.1),
// so linear white space here is only SP and HTAB. It never reads past its view.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/text.hpp"

namespace sipcred::sip {

namespace chars {
// Character classes of RFC 3261 §25.1 as one 256-entry table: every hot loop of the parsers is a
// table lookup per byte.
enum Class : uint16_t {
  kAlpha = 1 << 0,
  kDigit = 1 << 1,
  kHex = 1 << 2,
  kMark = 1 << 3,      // mark = - _ . ! ~ * ' ( )
  kToken = 1 << 4,     // token characters
  kWord = 1 << 5,      // word characters
  kUser = 1 << 6,      // unreserved / escaped("%") / user-unreserved
  kPassword = 1 << 7,  // unreserved / escaped / & = + $ ,
  kParam = 1 << 8,     // paramchar: param-unreserved / unreserved / escaped
  kHeader = 1 << 9,    // hnv-unreserved / unreserved / escaped, plus "=" and "&"
  kHost = 1 << 10,     // alphanum / "-" / "."
};

constexpr std::array<uint16_t, 256> make_table() {
  std::array<uint16_t, 256> t{};
  auto add = [&t](std::string_view set, uint16_t cls) {
    for (char c : set) t[static_cast<unsigned char>(c)] |= cls;
  };
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kAlpha;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kAlpha;
  for (int c = '0'; c <= '9'; ++c) t[c] |= kDigit | kHex;
  add("abcdefABCDEF", kHex);
  add("-_.!~*'()", kMark);
  const uint16_t alnum_classes = kToken | kWord | kUser | kPassword | kParam | kHeader | kHost;
  for (int c = 0; c < 256; ++c) {
    if (t[c] & (kAlpha | kDigit)) t[c] |= alnum_classes;
    if (t[c] & kMark) t[c] |= kUser | kPassword | kParam | kHeader;
  }
  add("-.!%*_+`'~", kToken | kWord);
  add("()<>:\\\"/[]?{}", kWord);
  add("%&=+$,;?/", kUser);
  add("%&=+$,", kPassword);
  add("%[]/:&+$", kParam);
  add("%[]/?:+$=&", kHeader);
  add("-.", kHost);
  return t;
}
inline constexpr std::array<uint16_t, 256> kTable = make_table();

constexpr bool has(char c, uint16_t cls) {
  return (kTable[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr bool is_alpha(char c) {
  return has(c, kAlpha);
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_alnum(char c) {
  return has(c, kAlpha | kDigit);
}
constexpr bool is_hex(char c) {
  return has(c, kHex);
}
constexpr bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}
constexpr bool is_mark(char c) {
  return has(c, kMark);
}
constexpr bool is_unreserved(char c) {
  return has(c, kAlpha | kDigit | kMark);
}
constexpr bool is_token(char c) {
  return has(c, kToken);
}
constexpr bool is_word(char c) {
  return has(c, kWord);
}
constexpr char lower(char c) {
  return ascii_lower(c);
}

// Predicate objects for Scanner::take_while, so that the loop inlines.
template <uint16_t Cls>
struct In {
  constexpr bool operator()(char c) const { return has(c, Cls); }
};
}  // namespace chars

using sipcred::iequals;
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

// Parameters in order. The first few live inline: parsing a Via or a name-addr allocates
// nothing in the common case (the validator parses a dozen of them per request).
class Params {
 public:
  void push(GenericParam p) {
    if (size_ < kInline) {
      inline_[size_] = p;
    } else {
      if (overflow_.empty()) overflow_.assign(inline_.begin(), inline_.end());
      overflow_.push_back(p);
    }
    ++size_;
  }
  const GenericParam* find(std::string_view name) const;  // case-insensitive name
  bool has(std::string_view name) const { return find(name) != nullptr; }
  std::optional<std::string_view> value(std::string_view name) const;
  std::span<const GenericParam> items() const {
    return size_ <= kInline ? std::span<const GenericParam>{inline_.data(), size_}
                            : std::span<const GenericParam>{overflow_};
  }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

 private:
  static constexpr size_t kInline = 4;
  std::array<GenericParam, kInline> inline_{};
  std::vector<GenericParam> overflow_;
  size_t size_ = 0;
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
  template <class Pred>
  std::string_view take_while(Pred pred) {
    size_t b = pos_;
    while (pos_ < s_.size() && pred(s_[pos_])) ++pos_;
    return s_.substr(b, pos_ - b);
  }
  std::string_view token() { return take_while(chars::In<chars::kToken>{}); }
  std::string_view word() { return take_while(chars::In<chars::kWord>{}); }
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
template <class F>
void for_each_list_element(std::string_view value, F&& f);
void split_list(std::string_view value, std::vector<std::string_view>& out);

// Parses decimal digits into a value no larger than `max`; fails on anything else.
Result<uint64_t> parse_number(std::string_view digits, uint64_t max);

template <class F>
void for_each_list_element(std::string_view value, F&& f) {
  // Without a comma there is one element (quotes and angle brackets only hide commas); memchr
  // finds that much faster than the scan below.
  if (value.find(',') == std::string_view::npos) {
    auto part = trim(value);
    if (!part.empty()) f(part);
    return;
  }
  size_t start = 0;
  bool in_quote = false;
  int angle = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (in_quote) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_quote = false;
      }
    } else if (c == '"') {
      in_quote = true;
    } else if (c == '<') {
      ++angle;
    } else if (c == '>') {
      if (angle > 0) --angle;
    } else if (c == ',' && angle == 0) {
      auto part = trim(value.substr(start, i - start));
      if (!part.empty()) f(part);
      start = i + 1;
    }
  }
  auto part = trim(value.substr(start));
  if (!part.empty()) f(part);
}

}  // namespace sipcred::sip
