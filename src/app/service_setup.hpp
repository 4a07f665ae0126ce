// Building the running service from the configuration: the store under the data directory, the
// digest secret kept beside it, the credential service and its TLS contexts. Shared by `serve`
// and the admin commands that open the same store.
#pragma once

#include "identity/identity.hpp"

#include <memory>
#include <string>

#include "app/config.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace sipcred::app {

// The store of `data_dir` (data_dir/sipcred.db), created on first use.
Result<std::unique_ptr<store::Store>> open_store(const std::string& data_dir);
// The digest nonce key (data_dir/digest.key): 32 random octets made on first start, mode 0600,
// so that nonces stay valid across restarts. Never logged.
Result<std::vector<uint8_t>> digest_secret(const std::string& data_dir);

// The development domain's TLS identity: a self-signed certificate for `localhost` (EC P-256,
// SAN DNS:localhost and IP:127.0.0.1, CA:FALSE, one year) and its key, made once under
// data_dir/dev-tls/ (key mode 0600) and kept across restarts; made again only when unreadable,
// not matching, or within a day of expiry.
struct DevIdentity {
  crypto::TlsIdentity identity;
  std::string sha256;  // colon-hex fingerprint of the certificate, for the log line
  WallTime not_after;
  bool created = false;  // made by this call
};
Result<DevIdentity> dev_identity(const std::string& data_dir, WallTime now);

// The authentication service of `serve` (ID-1): a key per [[identity.domain]] and, with --dev,
// one made for the development domain under data_dir/dev-identity/ (RSA-2048 for rfc4474, P-256
// for rfc8224; HTTPS on 127.0.0.1:8443 unless [https] listen is set). `served` lists what the
// HTTPS endpoint must serve: each domain certificate (DER) at its URL. Errors: config, io.
struct IdentitySetup {
  std::unique_ptr<identity::AuthenticationService> service;
  struct Served {
    std::string url;
    crypto::Bytes der;
  };
  std::vector<Served> served;
};
Result<IdentitySetup> setup_identity(Config& config, WallTime now);

// `serve --dev` ([service] dev = true): when no [[tls.identity]] is configured, serves the
// development domain `localhost` over TLS with dev_identity() (on 127.0.0.1:5061 unless
// tls_listen is set) and logs where the certificate is, so that a client can trust it. Does
// nothing without dev or when an identity is configured. Errors: io, crypto.
Result<void> setup_dev_domain(Config& config, WallTime now);

}  // namespace sipcred::app
