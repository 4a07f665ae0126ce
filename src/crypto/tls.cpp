#include "crypto/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "core/text.hpp"

namespace sipcred::crypto {

struct TlsServerContext::Impl {
  std::vector<SSL_CTX*> contexts;  // one per identity, same order
  std::vector<std::string> domains;
  ~Impl() {
    for (auto* c : contexts) SSL_CTX_free(c);
  }
};

namespace {

std::string last_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// RFC 6066 §3: switch to the context of the name asked for. A name we do not serve keeps the
// default context: the client's own check of the certificate's name (TLS-2) then refuses it.
int on_server_name(SSL* ssl, int* /*alert*/, void* arg) {
  const auto* impl = static_cast<const TlsServerContext::Impl*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_OK;
  for (size_t i = 0; i < impl->domains.size(); ++i) {
    if (iequals(impl->domains[i], name)) {
      SSL_set_SSL_CTX(ssl, impl->contexts[i]);
      break;
    }
  }
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

Result<TlsServerContext> TlsServerContext::create(const std::vector<TlsIdentity>& identities,
                                                  const TlsOptions& options) {
  if (identities.empty()) return fail(Errc::config, "TLS needs at least one certificate");
  auto impl = std::make_shared<Impl>();
  for (const auto& id : identities) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == nullptr) return fail(Errc::crypto, "SSL_CTX_new: " + last_error());
    impl->contexts.push_back(ctx);
    std::string domain = id.domain;
    for (auto& c : domain) c = ascii_lower(c);
    impl->domains.push_back(domain);
    if (!options.allow_tls12 && !options.allow_tls13) {
      return fail(Errc::config, "TLS needs version 1.2 or 1.3 allowed");
    }
    SSL_CTX_set_min_proto_version(ctx, options.allow_tls12 ? TLS1_2_VERSION : TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(ctx, options.allow_tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ctx, id.certificate_file.c_str()) != 1) {
      return fail(Errc::config, "TLS certificate " + id.certificate_file + ": " + last_error());
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, id.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return fail(Errc::config, "TLS key " + id.key_file + ": " + last_error());
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
      return fail(Errc::config,
                  "TLS key " + id.key_file + " does not match " + id.certificate_file);
    }
  }
  // Every context carries the callback: after a switch, OpenSSL keeps calling the original's.
  for (auto* ctx : impl->contexts) {
    SSL_CTX_set_tlsext_servername_callback(ctx, on_server_name);
    SSL_CTX_set_tlsext_servername_arg(ctx, impl.get());
  }
  TlsServerContext out;
  out.impl_ = std::move(impl);
  return out;
}

void* TlsServerContext::adopt_native() const {
  SSL_CTX_up_ref(impl_->contexts.front());
  return impl_->contexts.front();
}

const std::vector<std::string>& TlsServerContext::domains() const {
  return impl_->domains;
}

Result<void*> make_client_context(const std::string& ca_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return fail(Errc::crypto, "SSL_CTX_new: " + last_error());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  int ok = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                           : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  if (ok != 1) {
    SSL_CTX_free(ctx);
    return fail(Errc::config,
                "trust store " + (ca_file.empty() ? "(system)" : ca_file) + ": " + last_error());
  }
  return static_cast<void*>(ctx);
}

std::vector<uint8_t> peer_certificate(void* ssl) {
  X509* cert = SSL_get1_peer_certificate(static_cast<SSL*>(ssl));
  if (cert == nullptr) return {};
  unsigned char* der = nullptr;
  int n = i2d_X509(cert, &der);
  std::vector<uint8_t> out;
  if (n > 0) out.assign(der, der + n);
  OPENSSL_free(der);
  X509_free(cert);
  return out;
}

bool set_server_name(void* ssl, const std::string& name) {
  return SSL_set_tlsext_host_name(static_cast<SSL*>(ssl), name.c_str()) == 1;
}

std::string requested_server_name(void* ssl) {
  const char* name = SSL_get_servername(static_cast<SSL*>(ssl), TLSEXT_NAMETYPE_host_name);
  std::string out = name == nullptr ? "" : name;
  for (auto& c : out) c = ascii_lower(c);
  return out;
}

}  // namespace sipcred::crypto
