#include "sip/scanner.hpp"

namespace sipcred::sip {

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!chars::is_token(c)) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && chars::is_wsp(s[b])) ++b;
  while (e > b && chars::is_wsp(s[e - 1])) --e;
  return s.substr(b, e - b);
}

static int hex_value(char c) {
  if (chars::is_digit(c)) return c - '0';
  return chars::lower(c) - 'a' + 10;
}

Result<std::string> unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (s.size() - i < 3) return fail(Errc::parse, "truncated %-escape");
    if (!chars::is_hex(s[i + 1]) || !chars::is_hex(s[i + 2])) {
      return fail(Errc::parse, "bad %-escape");
    }
    out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
    i += 2;
  }
  return out;
}

std::string unquote(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\\' && i + 1 < in.size()) ++i;
    out.push_back(in[i]);
  }
  return out;
}

const GenericParam* Params::find(std::string_view name) const {
  for (const auto& p : items()) {
    if (iequals(p.name, name)) return &p;
  }
  return nullptr;
}

std::optional<std::string_view> Params::value(std::string_view name) const {
  const auto* p = find(name);
  if (p == nullptr) return std::nullopt;
  return p->value;
}

void Scanner::skip_ws() {
  while (!at_end() && chars::is_wsp(s_[pos_])) ++pos_;
}

bool Scanner::consume(char c) {
  if (peek() != c || at_end()) return false;
  ++pos_;
  return true;
}

bool Scanner::consume_sep(char c) {
  size_t save = pos_;
  skip_ws();
  if (!consume(c)) {
    pos_ = save;
    return false;
  }
  skip_ws();
  return true;
}

std::optional<std::string_view> Scanner::quoted_string() {
  if (peek() != '"' || at_end()) return std::nullopt;
  size_t b = pos_;
  size_t i = pos_ + 1;
  while (i < s_.size()) {
    char c = s_[i];
    if (c == '"') {
      pos_ = i + 1;
      return s_.substr(b, pos_ - b);
    }
    if (c == '\\') {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): never CR or LF.
      if (i + 1 >= s_.size() || s_[i + 1] == '\r' || s_[i + 1] == '\n') return std::nullopt;
      i += 2;
      continue;
    }
    if (c == '\r' || c == '\n') return std::nullopt;
    ++i;
  }
  return std::nullopt;
}

// gen-value = token / host / quoted-string; host adds ":" "[" "]" for IPv6 references.
static bool is_gen_value_char(char c) {
  return chars::is_token(c) || c == ':' || c == '[' || c == ']';
}

Result<void> Scanner::params(Params& out, char separator) {
  while (true) {
    size_t save = pos_;
    if (!consume_sep(separator)) {
      pos_ = save;
      return {};
    }
    GenericParam p;
    p.name = token();
    if (p.name.empty()) return fail(Errc::parse, "empty parameter name");
    size_t before_eq = pos_;
    if (consume_sep('=')) {
      p.has_value = true;
      if (peek() == '"') {
        auto q = quoted_string();
        if (!q) return fail(Errc::parse, "unterminated quoted parameter value");
        p.value = *q;
      } else {
        p.value = take_while(is_gen_value_char);
        if (p.value.empty()) return fail(Errc::parse, "empty parameter value");
      }
    } else {
      pos_ = before_eq;
    }
    out.push(p);
  }
}

void split_list(std::string_view value, std::vector<std::string_view>& out) {
  for_each_list_element(value, [&](std::string_view e) { out.push_back(e); });
}

Result<uint64_t> parse_number(std::string_view digits, uint64_t max) {
  if (digits.empty()) return fail(Errc::parse, "expected a number");
  uint64_t v = 0;
  for (char c : digits) {
    if (!chars::is_digit(c)) return fail(Errc::parse, "not a decimal number");
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) return fail(Errc::parse, "number out of range");
    v = v * 10 + d;
  }
  return v;
}

}  // namespace sipcred::sip
