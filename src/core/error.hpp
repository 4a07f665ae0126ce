// Error values returned across library boundaries (STYLE.md §2): a library failure is a value,
// never an exception. Protocol outcomes (a 401, a 412) are not errors; they are ordinary results.
#pragma once

#include <string>
#include <string_view>

namespace sipcred {

enum class Errc {
  invalid_argument,  // the caller passed something unusable
  parse,             // untrusted input did not follow its grammar
  limit,             // untrusted input exceeded a configured limit
  not_found,
  io,      // a system call failed
  crypto,  // a cryptographic operation failed
  config,  // configuration is inconsistent
  internal,
};

std::string_view to_string(Errc code);

struct Error {
  Errc code = Errc::internal;
  std::string detail;  // says what was wrong, for a log line or a reason phrase; never a secret

  std::string message() const;
};

inline Error make_error(Errc code, std::string detail) {
  return Error{code, std::move(detail)};
}

}  // namespace sipcred
