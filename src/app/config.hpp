// `sipcred serve` configuration: a TOML file, then command-line flags over it. Reading it may
// throw (start-up only, STYLE.md §2); main() catches and reports.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "net/sip_transport.hpp"
#include "sip/parser.hpp"

namespace sipcred::app {

struct Config {
  std::string data_dir = "data";
  std::string log_level = "info";
  std::string log_format = "text";  // text | json
  std::vector<net::ListenAddress> sip_listen{{"127.0.0.1", 5060}};
  std::vector<net::ListenAddress> tls_listen{};
  std::vector<net::ListenAddress> https_listen{};
  sip::ParserLimits limits;
};

// Reads a TOML file; unknown keys are errors so that a typo is never silently ignored.
Result<Config> load_config(const std::string& path);

}  // namespace sipcred::app
