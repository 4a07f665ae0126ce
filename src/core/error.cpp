#include "core/error.hpp"

namespace sipcred {

std::string_view to_string(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid argument";
    case Errc::parse:
      return "parse error";
    case Errc::limit:
      return "limit exceeded";
    case Errc::not_found:
      return "not found";
    case Errc::io:
      return "I/O error";
    case Errc::crypto:
      return "crypto error";
    case Errc::config:
      return "configuration error";
    case Errc::internal:
      return "internal error";
  }
  return "unknown error";
}

std::string Error::message() const {
  std::string out{to_string(code)};
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

}  // namespace sipcred
