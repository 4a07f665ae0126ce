#include "app/json.hpp"

namespace sipcred::app {

std::string json_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

void Json::comma() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.back()) out_ += ',';
  first_.back() = false;
}

Json& Json::begin_object() {
  comma();
  out_ += '{';
  first_.push_back(true);
  return *this;
}
Json& Json::end_object() {
  out_ += '}';
  first_.pop_back();
  return *this;
}
Json& Json::begin_array(std::string_view k) {
  key(k);
  comma();
  out_ += '[';
  first_.push_back(true);
  return *this;
}
Json& Json::end_array() {
  out_ += ']';
  first_.pop_back();
  return *this;
}
Json& Json::key(std::string_view k) {
  comma();
  out_ += '"' + json_escape(k) + "\":";
  after_key_ = true;
  return *this;
}
Json& Json::value(std::string_view v) {
  comma();
  out_ += '"' + json_escape(v) + '"';
  return *this;
}
Json& Json::value(bool v) {
  comma();
  out_ += v ? "true" : "false";
  return *this;
}
Json& Json::value(long long v) {
  comma();
  out_ += std::to_string(v);
  return *this;
}

}  // namespace sipcred::app
