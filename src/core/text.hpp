// ASCII text helpers shared by every protocol layer (header names, tokens, digest directives
// are compared case-insensitively in ASCII only: RFC 3261 §7.3.1, RFC 7616 §3.4).
#pragma once

#include <string>
#include <string_view>

namespace sipcred {

constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

constexpr bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

inline std::string ascii_lowercase(std::string_view s) {
  std::string out{s};
  for (char& c : out) c = ascii_lower(c);
  return out;
}

}  // namespace sipcred
