// `sipcred identity sign|verify`: the authentication service and the verifier of RFC 4474 /
// RFC 8224 on one SIP request read from a file or stdin — for operators checking what a peer
// sends, and for the interop tests against Kamailio and secsipidx.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sipcred::app {

struct IdentitySignFlags {
  std::string key;   // PEM private key of the From's domain
  std::string info;  // https URL of its certificate
  std::string cert;  // optional: the certificate, checked against the key
  std::string scheme = "rfc4474";
  std::string alg = "rsa-sha1";
  bool body_claim = false;  // rfc8224: our body claim (docs/identity.md)
  std::string in;           // file; empty or "-": stdin
  std::string date;         // Date to add when the request has none; empty: now
};

struct IdentityVerifyFlags {
  std::string in;
  std::vector<std::string> ca;  // PEM trust anchors for the signer's certificate (and HTTPS)
  std::string tls_ca;           // HTTPS trust anchors when not the same as --ca
  std::vector<std::string> allow_hosts;
  std::string cert;  // the signer's certificate, instead of fetching it
  long window = 0;   // seconds; 0: the RFC's (3600 for RFC 4474, 60 for RFC 8224)
  double timeout = 5;
  bool require_body_claim = false;
};

int identity_sign(const IdentitySignFlags& flags);
int identity_verify(const IdentityVerifyFlags& flags);

std::function<std::optional<int>()> add_identity_commands(CLI::App& app);

}  // namespace sipcred::app
