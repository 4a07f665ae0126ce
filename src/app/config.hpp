// `sipcred serve` configuration: a TOML file, then command-line flags over it. Reading it may
// throw (start-up only, STYLE.md §2); main() catches and reports.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/tls.hpp"
#include "net/sip_transport.hpp"
#include "sip/parser.hpp"

namespace sipcred::app {

// [[identity.domain]]: the key that signs the NOTIFYs of one domain (ID-1) and the certificate
// served at `url` for verifiers.
struct IdentityDomain {
  std::string domain;
  std::string key_file;          // PEM private key (RSA for rfc4474, P-256 for rfc8224)
  std::string certificate_file;  // PEM or DER
  std::string url;  // https URL put in Identity-Info / info=; empty: made from [https] listen
};

struct Config {
  std::string data_dir = "data";
  std::string log_level = "info";
  std::string log_format = "text";  // text | json
  std::vector<net::ListenAddress> sip_listen{{"127.0.0.1", 5060}};
  std::vector<net::ListenAddress> tls_listen{};
  std::vector<net::ListenAddress> https_listen{};
  sip::ParserLimits limits;
  // [sip.limits] requests per source address (503 with Retry-After beyond); 0 rate: off.
  unsigned source_burst = 2'000;
  unsigned source_rate = 10'000;

  // [service]: the domains whose AORs this service holds credentials for.
  std::vector<std::string> domains{"localhost"};
  int deployment_style = 2;          // PUB-7
  bool probation = false;            // CERT-9
  int64_t min_notify_interval = 60;  // seconds; CERT-7 / CRED-9
  int64_t udp_mtu = 1300;            // RFC 3261 §18.1.1; 0: never switch to TCP
  // Development mode (`serve --dev`): with no [[tls.identity]], a self-signed `localhost`
  // identity is made under the data directory and served over TLS (setup_dev_domain).
  bool dev = false;
  // Digest algorithms offered, in order (RFC 8760 §2.4: strongest first is the default);
  // empty: the default. Old clients such as sipsak read only the first challenge.
  std::vector<std::string> digest_algorithms;
  // [[tls.identity]]: one certificate and key per domain, chosen by SNI (TLS-3).
  std::vector<crypto::TlsIdentity> tls_identities;
  crypto::TlsOptions tls_options;  // [tls] versions = ["1.2", "1.3"]

  // [identity]: how NOTIFYs are signed (ID-1). rfc4474 + rsa-sha1 is what deployed verifiers
  // accept; rfc8224 signs an ES256 PASSporT with our body claim (docs/identity.md).
  std::string identity_scheme = "rfc4474";
  std::string identity_alg = "rsa-sha1";
  bool identity_body_claim = true;
  unsigned sign_threads = 0;  // 0: one per core
  // No pool: sign on the I/O thread. The hand-off to a pool and back costs ~7 µs a NOTIFY here,
  // a third of an ES256 signature: with ES256 on one or two cores this does more per core
  // (BENCHMARKS.md, "SIP Identity"); with RSA, or more cores, the pool does more in all.
  bool sign_on_io_thread = false;
  std::vector<IdentityDomain> identity_domains;
};

// Reads a TOML file; unknown keys are errors so that a typo is never silently ignored.
Result<Config> load_config(const std::string& path);

}  // namespace sipcred::app
