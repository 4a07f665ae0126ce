#include "app/fetch_url_cmd.hpp"

#include <chrono>
#include <cstdio>

#include "net/http/fetch.hpp"

namespace sipcred::app {

int fetch_url(const FetchUrlFlags& f) {
  if (!(f.timeout > 0) || f.timeout > 3600) {
    std::fprintf(stderr, "sipcred fetch-url: --timeout must be between 0 and 3600 seconds\n");
    return 2;
  }
  net::FetchOptions o;
  o.timeout = std::chrono::milliseconds{static_cast<int64_t>(f.timeout * 1000)};
  o.max_bytes = f.max_bytes;
  o.ca_file = f.ca_file;
  o.allowed_hosts = f.allow_hosts;
  auto r = net::fetch_blocking(f.url, o);
  if (!r) {
    std::fprintf(stderr, "sipcred fetch-url: %s\n", r.error().detail.c_str());
    return 1;
  }
  if (std::fwrite(r->body.data(), 1, r->body.size(), stdout) != r->body.size() ||
      std::fflush(stdout) != 0) {
    std::fprintf(stderr, "sipcred fetch-url: cannot write the body to stdout\n");
    return 1;
  }
  return 0;
}

}  // namespace sipcred::app
