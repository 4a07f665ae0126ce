// A minimal JSON writer for the CLI's --json output (RFC 8259 strings escaped).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sipcred::app {

class Json {
 public:
  Json& begin_object();
  Json& end_object();
  Json& begin_array(std::string_view key);
  Json& end_array();
  Json& key(std::string_view k);
  Json& value(std::string_view v);
  Json& value(const char* v) { return value(std::string_view{v}); }
  Json& value(bool v);
  Json& value(long long v);
  Json& field(std::string_view k, std::string_view v) { return key(k).value(v); }
  Json& field(std::string_view k, const char* v) { return key(k).value(std::string_view{v}); }
  Json& field(std::string_view k, const std::string& v) {
    return key(k).value(std::string_view{v});
  }
  Json& field(std::string_view k, bool v) { return key(k).value(v); }
  Json& field(std::string_view k, long long v) { return key(k).value(v); }
  const std::string& str() const { return out_; }

 private:
  void comma();
  std::string out_;
  std::vector<bool> first_{true};
  bool after_key_ = false;
};

std::string json_escape(std::string_view s);

}  // namespace sipcred::app
