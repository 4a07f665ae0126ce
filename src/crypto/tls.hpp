// TLS server contexts (RFC 8446 / RFC 5246) for SIP over TLS: one certificate and key per
// served domain, chosen by the client's server_name (RFC 6066 §3, TLS-3). The SSL_CTX is built
// here, where OpenSSL lives, and handed to the transport layer as an opaque handle.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sipcred::crypto {

struct TlsIdentity {
  std::string domain;            // the name clients ask for (server_name), lower case
  std::string certificate_file;  // PEM: the certificate, then any intermediates
  std::string key_file;          // PEM private key
};

struct TlsOptions {
  // HTTP-13: TLS 1.2 and 1.3 with OpenSSL's modern default suites.
  bool allow_tls12 = true;
  bool allow_tls13 = true;  // off only for old peers that mishandle 1.3 (peers.md: sipsak)
};

class TlsServerContext {
 public:
  // Errc::config when a file cannot be read or a key does not match its certificate.
  static Result<TlsServerContext> create(const std::vector<TlsIdentity>& identities,
                                         const TlsOptions& options = {});
  // The SSL_CTX* of the first identity (the default for clients that send no server_name),
  // with a reference taken for the caller, which must free it (Asio's ssl::context adopts it).
  void* adopt_native() const;
  const std::vector<std::string>& domains() const;

  struct Impl;  // public for the server_name callback in tls.cpp

 private:
  std::shared_ptr<Impl> impl_;
};

// A client context: TLS 1.2 and 1.3, the peer's chain verified against `ca_file` (PEM; empty:
// the system's trust store). The name check is separate (pki::check_tls_server, TLS-2), done on
// peer_certificate() after the handshake. The returned SSL_CTX* is for Asio's ssl::context.
Result<void*> make_client_context(const std::string& ca_file);
// The DER of the certificate the peer of `ssl` (an SSL*) presented; empty when none.
std::vector<uint8_t> peer_certificate(void* ssl);
// Sets the server_name extension (RFC 6066 §3) of `ssl` (an SSL*).
bool set_server_name(void* ssl, const std::string& name);
// On a server: the host_name the client sent in server_name (RFC 6066 §3), lower case; empty
// when it sent none.
std::string requested_server_name(void* ssl);

}  // namespace sipcred::crypto
