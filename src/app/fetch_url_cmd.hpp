// `sipcred fetch-url`: one HTTPS GET with net::fetch_blocking, for operators checking what an
// Identity-Info URL (RFC 4474 §6) or the certificate store serves, with the same checks the
// service applies (chain, exact SubjectAltName, size and time limits, allowed hosts).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sipcred::app {

struct FetchUrlFlags {
  std::string url;
  std::string ca_file;  // PEM trust anchors; empty: the system store
  double timeout = 5;   // seconds
  size_t max_bytes = 16 * 1024;
  std::vector<std::string> allow_hosts;  // empty: any
};

// Writes the body to stdout as received (binary-safe); an error to stderr and status 1.
int fetch_url(const FetchUrlFlags& f);

}  // namespace sipcred::app
