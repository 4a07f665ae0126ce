#include "identity/json.hpp"

#include <charconv>

namespace sipcred::identity {

const JsonArray* JsonValue::array() const {
  auto p = std::get_if<std::shared_ptr<JsonArray>>(&v_);
  return p ? p->get() : nullptr;
}

const JsonObject* JsonValue::object() const {
  auto p = std::get_if<std::shared_ptr<JsonObject>>(&v_);
  return p ? p->get() : nullptr;
}

const JsonValue* JsonValue::get(std::string_view name) const {
  const JsonObject* o = object();
  if (o == nullptr) return nullptr;
  auto it = o->find(name);
  return it == o->end() ? nullptr : &it->second;
}

namespace {

void quote(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);  // UTF-8 passes as it is; "/" is not escaped
        }
    }
  }
  out += '"';
}

}  // namespace

void JsonValue::canonical_to(std::string& out) const {
  if (is_null()) {
    out += "null";
  } else if (auto b = boolean()) {
    out += *b ? "true" : "false";
  } else if (auto n = integer()) {
    out += std::to_string(*n);
  } else if (auto s = string()) {
    quote(*s, out);
  } else if (auto a = array()) {
    out += '[';
    for (size_t i = 0; i < a->size(); ++i) {
      if (i) out += ',';
      (*a)[i].canonical_to(out);
    }
    out += ']';
  } else if (auto o = object()) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : *o) {
      if (!first) out += ',';
      first = false;
      quote(k, out);
      out += ':';
      v.canonical_to(out);
    }
    out += '}';
  }
}

std::string JsonValue::canonical() const {
  std::string out;
  canonical_to(out);
  return out;
}

namespace {

// Recursive descent over RFC 8259 §2-§7.
class Parser {
 public:
  Parser(std::string_view text, JsonLimits limits) : s_(text), limits_(limits) {}

  Result<JsonValue> document() {
    if (s_.size() > limits_.max_bytes) return fail(Errc::limit, "JSON text too long");
    auto v = value(0);
    if (!v) return v;
    skip_ws();
    if (pos_ != s_.size()) return error("text after the JSON value");
    return v;
  }

 private:
  Unexpected error(std::string_view what) {
    return fail(Errc::parse, "JSON: " + std::string{what} + " at offset " + std::to_string(pos_));
  }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Result<JsonValue> value(size_t depth) {
    if (depth >= limits_.max_depth) return fail(Errc::limit, "JSON nested too deeply");
    skip_ws();
    if (pos_ >= s_.size()) return error("value expected");
    char c = s_[pos_];
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') {
      auto s = string();
      if (!s) return Unexpected{s.error()};
      return JsonValue{std::move(*s)};
    }
    if (literal("true")) return JsonValue{true};
    if (literal("false")) return JsonValue{false};
    if (literal("null")) return JsonValue{};
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    return error("unexpected character");
  }

  Result<JsonValue> number() {
    size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') return error("bad number");
    // int = zero / ( digit1-9 *DIGIT ): no leading zeros.
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9') {
      return error("number with a leading zero");
    }
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E')) {
      return error("only integers are accepted");
    }
    int64_t n = 0;
    auto [p, ec] = std::from_chars(s_.data() + start, s_.data() + pos_, n);
    if (ec != std::errc{} || p != s_.data() + pos_) return error("number out of range");
    return JsonValue{n};
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  Result<uint32_t> hex4() {
    if (pos_ + 4 > s_.size()) return error("short \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = hex(s_[pos_++]);
      if (h < 0) return error("bad \\u escape");
      v = v * 16 + static_cast<uint32_t>(h);
    }
    return v;
  }
  static void utf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Result<std::string> string() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) return error("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') return out;
      if (c < 0x20) return error("control character in a string");
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      if (pos_ >= s_.size()) return error("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          auto cp = hex4();
          if (!cp) return Unexpected{cp.error()};
          uint32_t v = *cp;
          if (v >= 0xD800 && v < 0xDC00) {  // a surrogate pair (RFC 8259 §7)
            if (!literal("\\u")) return error("lone surrogate");
            auto lo = hex4();
            if (!lo) return Unexpected{lo.error()};
            if (*lo < 0xDC00 || *lo > 0xDFFF) return error("lone surrogate");
            v = 0x10000 + ((v - 0xD800) << 10) + (*lo - 0xDC00);
          } else if (v >= 0xDC00 && v <= 0xDFFF) {
            return error("lone surrogate");
          }
          utf8(v, out);
          break;
        }
        default:
          return error("unknown escape");
      }
    }
  }

  Result<JsonValue> array(size_t depth) {
    ++pos_;
    JsonArray a;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return JsonValue{std::move(a)};
    }
    while (true) {
      auto v = value(depth + 1);
      if (!v) return v;
      a.push_back(std::move(*v));
      skip_ws();
      if (pos_ >= s_.size()) return error("unterminated array");
      char c = s_[pos_++];
      if (c == ']') return JsonValue{std::move(a)};
      if (c != ',') return error("',' or ']' expected");
    }
  }

  Result<JsonValue> object(size_t depth) {
    ++pos_;
    JsonObject o;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return JsonValue{std::move(o)};
    }
    while (true) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') return error("member name expected");
      auto name = string();
      if (!name) return Unexpected{name.error()};
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return error("':' expected");
      ++pos_;
      auto v = value(depth + 1);
      if (!v) return v;
      if (!o.emplace(std::move(*name), std::move(*v)).second) return error("duplicate member");
      skip_ws();
      if (pos_ >= s_.size()) return error("unterminated object");
      char c = s_[pos_++];
      if (c == '}') return JsonValue{std::move(o)};
      if (c != ',') return error("',' or '}' expected");
    }
  }

  std::string_view s_;
  JsonLimits limits_;
  size_t pos_ = 0;
};

}  // namespace

Result<JsonValue> parse_json(std::string_view text, JsonLimits limits) {
  return Parser{text, limits}.document();
}

}  // namespace sipcred::identity
