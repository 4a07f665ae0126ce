// The minimal client: `sipcred publish`, `sipcred fetch` and `sipcred fetch-credential`, built
// on ua::Exchange (transactions, digest) and net::run_exchange (UDP/TCP/TLS with the name check).
#pragma once

#include <string>
#include <vector>

namespace sipcred::app {

struct ClientFlags {
  std::string aor;
  std::string server;            // HOST:PORT; empty: RFC 3263 location of the AOR's domain
  std::vector<std::string> dns;  // DNS servers for that location (default: /etc/resolv.conf)
  std::string transport = "tls";
  std::string server_name;  // default: the AOR's domain
  std::string ca_file;      // PEM trust anchors; default: the system store
  std::string user;         // digest username; default: the AOR's user part
  std::string password_file;
  int timeout = 40;
};

struct PublishFlags : ClientFlags {
  std::string cert;  // DER or PEM
  std::string key;   // DER PKCS#8 (EncryptedPrivateKeyInfo unless the service allows otherwise)
  std::string if_match;
  bool revoke = false;
  int expires = -1;  // -1: not sent
};

struct FetchFlags : ClientFlags {
  std::string out;  // fetch: write the certificate here; fetch-credential: a directory
  // fetch: who may vouch for a NOTIFY (TRUST-2): PEM trust anchors of domain certificates
  // (default: --ca), the hosts Identity-Info may point at (default: any), Date's window.
  std::vector<std::string> identity_ca;
  std::vector<std::string> identity_hosts;
  long identity_window = 0;  // seconds; 0: the RFC's
  // fetch: certificates kept between runs, indexed only by the AOR they were fetched and
  // verified for (TRUST-3); reused for `cache_seconds` (0: no cache).
  std::string cache_dir;
  long cache_seconds = 0;
};

int publish(const PublishFlags& f);
int fetch(const FetchFlags& f);
int fetch_credential(const FetchFlags& f);

}  // namespace sipcred::app
