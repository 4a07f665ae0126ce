#include "auth/auth_params.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace sipcred::auth {

namespace {

// tchar of RFC 7230 §3.2.6, a superset of SIP's token (RFC 3261 §25.1), so that one parser reads
// both; token68 of RFC 7235 §2.1 without its trailing "=".
constexpr std::array<bool, 256> make_class(std::string_view extra) {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (char c : extra) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr auto kTchar = make_class("!#$%&'*+-.^_`|~");
constexpr auto kToken68 = make_class("-._~+/");

bool tchar(char c) {
  return kTchar[static_cast<unsigned char>(c)];
}
bool is_ws(char c) {
  return c == ' ' || c == '\t';
}
// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text; SIP's qdtext (UTF8-NONASCII) is the
// same octets once unfolded.
bool qdtext(unsigned char c) {
  return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) ||
         (c >= 0x5D && c <= 0x7E) || c >= 0x80;
}
// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ): never a control character, so an escaped
// CR, LF or NUL cannot smuggle itself into a value.
bool pair_char(unsigned char c) {
  return c == '\t' || c == ' ' || (c >= 0x21 && c <= 0x7E) || c >= 0x80;
}
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

class Scanner {
 public:
  Scanner(std::string_view s, const ParseLimits& limits) : s_(s), limits_(limits) {}

  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[i_]; }
  size_t pos() const { return i_; }
  void seek(size_t i) { i_ = i; }
  bool skip_ws() {
    size_t start = i_;
    while (!at_end() && is_ws(s_[i_])) ++i_;
    return i_ > start;
  }
  std::string_view token() {
    size_t start = i_;
    while (!at_end() && tchar(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }
  // token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  std::string_view token68() {
    size_t start = i_;
    while (!at_end() && kToken68[static_cast<unsigned char>(s_[i_])]) ++i_;
    if (i_ == start) return {};
    while (!at_end() && s_[i_] == '=') ++i_;
    return s_.substr(start, i_ - start);
  }
  // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE; the cursor is on the DQUOTE.
  Result<std::string> quoted_string() {
    std::string out;
    ++i_;
    while (!at_end()) {
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return out;
      }
      if (c == '\\') {
        if (i_ + 1 >= s_.size() || !pair_char(static_cast<unsigned char>(s_[i_ + 1])))
          return fail(Errc::parse, "bad escape in a quoted-string");
        out.push_back(s_[i_ + 1]);
        i_ += 2;
      } else if (qdtext(c)) {
        out.push_back(static_cast<char>(c));
        ++i_;
      } else {
        return fail(Errc::parse, "control character in a quoted-string");
      }
      if (out.size() > limits_.max_value) return fail(Errc::limit, "parameter value too long");
    }
    return fail(Errc::parse, "unterminated quoted-string");
  }
  // Looks ahead without moving: is the next list element `token BWS "="`, i.e. an auth-param
  // rather than the scheme of the next challenge?
  bool auth_param_follows() {
    size_t save = i_;
    bool yes = !token().empty();
    skip_ws();
    yes = yes && peek() == '=';
    i_ = save;
    return yes;
  }
  // Skips OWS and empty list elements (RFC 7230 §7: a recipient accepts and ignores them);
  // returns whether at least one comma was seen.
  bool skip_commas() {
    bool comma = false;
    while (true) {
      skip_ws();
      if (peek() != ',') return comma;
      comma = true;
      ++i_;
    }
  }

 private:
  std::string_view s_;
  const ParseLimits& limits_;
  size_t i_ = 0;
};

Result<AuthParam> parse_param(Scanner& sc, const ParseLimits& limits) {
  AuthParam p;
  std::string_view name = sc.token();
  if (name.empty()) return fail(Errc::parse, "expected a parameter name");
  sc.skip_ws();
  if (sc.peek() != '=') return fail(Errc::parse, "expected '=' after a parameter name");
  sc.seek(sc.pos() + 1);
  sc.skip_ws();
  p.name.reserve(name.size());
  for (char c : name) p.name.push_back(lower(c));
  if (sc.peek() == '"') {
    auto q = sc.quoted_string();
    if (!q) return Unexpected{q.error()};
    p.value = std::move(*q);
    p.quoted = true;
  } else {
    std::string_view v = sc.token();
    if (v.empty()) return fail(Errc::parse, "expected a token or quoted-string value");
    if (v.size() > limits.max_value) return fail(Errc::limit, "parameter value too long");
    p.value = std::string(v);
  }
  return p;
}

// One challenge or credentials from the cursor. In a list (`several`), it stops before the
// scheme of the next challenge; otherwise everything up to the end must belong to it.
Result<AuthField> parse_field(Scanner& sc, const ParseLimits& limits, bool several) {
  AuthField f;
  std::string_view scheme = sc.token();
  if (scheme.empty()) return fail(Errc::parse, "expected an auth-scheme");
  f.scheme = std::string(scheme);
  bool ws = sc.skip_ws();
  if (sc.at_end() || sc.peek() == ',') return f;  // a scheme alone ("Negotiate")
  if (!ws) return fail(Errc::parse, "expected white space after the auth-scheme");

  // token68 or auth-params: "abc==" is a token68, not the parameter "abc" with a bad value. An
  // auth-param list never reads as a token68 followed by the end or a comma, so trying the
  // token68 first decides without ambiguity.
  size_t start = sc.pos();
  std::string_view t68 = sc.token68();
  sc.skip_ws();
  if (!t68.empty() && (sc.at_end() || sc.peek() == ',')) {
    f.token68 = std::string(t68);
    return f;
  }
  sc.seek(start);
  while (true) {
    auto p = parse_param(sc, limits);
    if (!p) return Unexpected{p.error()};
    for (const auto& q : f.params)
      if (q.name == p->name) return fail(Errc::parse, "duplicate parameter " + p->name);
    if (f.params.size() >= limits.max_params) return fail(Errc::limit, "too many parameters");
    f.params.push_back(std::move(*p));

    size_t before = sc.pos();
    bool comma = sc.skip_commas();
    if (sc.at_end()) return f;
    if (!comma) return fail(Errc::parse, "expected ',' between parameters");
    if (!sc.auth_param_follows()) {
      if (!several) return fail(Errc::parse, "expected a parameter after ','");
      sc.seek(before);  // the next challenge begins after the comma
      return f;
    }
  }
}

}  // namespace

bool AuthField::is_scheme(std::string_view s) const {
  return iequal(scheme, s);
}

const AuthParam* AuthField::find(std::string_view lower_name) const {
  for (const auto& p : params)
    if (p.name == lower_name) return &p;
  return nullptr;
}

std::optional<std::string_view> AuthField::value(std::string_view lower_name) const {
  const AuthParam* p = find(lower_name);
  if (p == nullptr) return std::nullopt;
  return std::string_view{p->value};
}

Result<AuthField> parse_credentials(std::string_view value, const ParseLimits& limits) {
  if (value.size() > limits.max_bytes) return fail(Errc::limit, "credentials too long");
  Scanner sc{value, limits};
  sc.skip_ws();
  auto f = parse_field(sc, limits, false);
  if (!f) return f;
  sc.skip_ws();
  if (!sc.at_end()) return fail(Errc::parse, "text after the credentials");
  return f;
}

Result<std::vector<AuthField>> parse_challenges(std::string_view value, const ParseLimits& limits) {
  if (value.size() > limits.max_bytes) return fail(Errc::limit, "challenge too long");
  Scanner sc{value, limits};
  std::vector<AuthField> out;
  sc.skip_commas();
  if (sc.at_end()) return fail(Errc::parse, "no challenge");
  while (!sc.at_end()) {
    if (out.size() >= limits.max_fields) return fail(Errc::limit, "too many challenges");
    auto f = parse_field(sc, limits, true);
    if (!f) return Unexpected{f.error()};
    out.push_back(std::move(*f));
    sc.skip_commas();
  }
  return out;
}

Result<std::string> decode_ext_value(std::string_view ext) {
  // ext-value = charset "'" [ language ] "'" value-chars   (RFC 8187 §3.2.1)
  size_t q1 = ext.find('\'');
  if (q1 == std::string_view::npos) return fail(Errc::parse, "ext-value without charset");
  size_t q2 = ext.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return fail(Errc::parse, "ext-value without language");
  // RFC 7616 §3.4: the username* charset is UTF-8; other charsets are not ours to convert.
  if (!iequal(ext.substr(0, q1), "UTF-8")) return fail(Errc::parse, "ext-value charset not UTF-8");
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  std::string_view v = ext.substr(q2 + 1);
  for (size_t i = 0; i < v.size(); ++i) {
    // attr-char = ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" /
    // "~"
    if (v[i] == '%') {
      if (v.size() - i < 3) return fail(Errc::parse, "bad %XX in an ext-value");
      int hi = hex(v[i + 1]);
      int lo = hex(v[i + 2]);
      if (hi < 0 || lo < 0) return fail(Errc::parse, "bad %XX in an ext-value");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (tchar(v[i]) && v[i] != '%' && v[i] != '\'' && v[i] != '*') {
      out.push_back(v[i]);
    } else {
      return fail(Errc::parse, "character not allowed in an ext-value");
    }
  }
  return out;
}

std::string quote(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() + 2);
  out.push_back('"');
  for (char c : raw) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), tchar);
}

std::string serialize(const AuthField& field) {
  std::string out = field.scheme;
  if (!field.token68.empty()) return out + " " + field.token68;
  for (size_t i = 0; i < field.params.size(); ++i) {
    const auto& p = field.params[i];
    out += i == 0 ? " " : ", ";
    out += p.name;
    out += '=';
    out += (p.quoted || !is_token(p.value)) ? quote(p.value) : p.value;
  }
  return out;
}

}  // namespace sipcred::auth
