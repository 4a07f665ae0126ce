// The JSON of PASSporT (RFC 8225): a strict RFC 8259 parser for untrusted token parts and the
// canonical serialization RFC 8225 §9 asks signers to use (members in lexicographic order of
// their names, no white space). Sans-I/O; the parser is bounded in depth and size and never
// throws.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace sipcred::identity {

class JsonValue;
using JsonArray = std::vector<JsonValue>;
// std::map keeps the members sorted, which is the canonical order (RFC 8225 §9); a name that
// appears twice is refused by the parser (RFC 8259 §4 leaves it undefined, an attacker's tool).
using JsonObject = std::map<std::string, JsonValue, std::less<>>;

class JsonValue {
 public:
  JsonValue() = default;  // null
  JsonValue(bool b) : v_(b) {}
  JsonValue(int64_t n) : v_(n) {}
  JsonValue(std::string s) : v_(std::move(s)) {}
  JsonValue(const char* s) : v_(std::string{s}) {}
  JsonValue(JsonArray a) : v_(std::make_shared<JsonArray>(std::move(a))) {}
  JsonValue(JsonObject o) : v_(std::make_shared<JsonObject>(std::move(o))) {}

  bool is_null() const { return v_.index() == 0; }
  const bool* boolean() const { return std::get_if<bool>(&v_); }
  const int64_t* integer() const { return std::get_if<int64_t>(&v_); }
  const std::string* string() const { return std::get_if<std::string>(&v_); }
  const JsonArray* array() const;
  const JsonObject* object() const;
  // A member of an object (nullptr when this is not an object or has no such member).
  const JsonValue* get(std::string_view name) const;

  // RFC 8225 §9 canonical form.
  std::string canonical() const;
  void canonical_to(std::string& out) const;

 private:
  std::variant<std::monostate, bool, int64_t, std::string, std::shared_ptr<JsonArray>,
               std::shared_ptr<JsonObject>>
      v_;
};

struct JsonLimits {
  size_t max_bytes = 8192;  // a PASSporT part is a few hundred bytes
  size_t max_depth = 8;
};

// One JSON value and nothing but white space after it. Numbers must be integers (PASSporT's only
// number is iat, RFC 8225 §5.1.1); fractions and exponents are refused rather than rounded.
Result<JsonValue> parse_json(std::string_view text, JsonLimits limits = {});

}  // namespace sipcred::identity
