// Loading untrusted DER: certificates (and every accessor the rules use), PKCS#8 PrivateKeyInfo
// and EncryptedPrivateKeyInfo (with a wrong passphrase and an iteration ceiling of 1000, so that a
// mutated count cannot make one run slow), and the validation rule sets on whatever parses.
#include <string_view>

#include "crypto/certificate.hpp"
#include "crypto/key.hpp"
#include "fuzz/registry.hpp"
#include "pki/validate.hpp"

using sipcred::fuzz::check;
namespace crypto = sipcred::crypto;
namespace pki = sipcred::pki;

SIPCRED_FUZZ_TARGET(credential) {
  std::span<const uint8_t> der{data, size};
  if (auto cert = crypto::Certificate::from_der(der)) {
    check(cert->der().size() == size, "a certificate is exactly its bytes");
    (void)cert->subject();
    (void)cert->serial_hex();
    (void)cert->san_uris();
    (void)cert->san_dns();
    (void)cert->san_ips();
    (void)cert->key_usage();
    (void)cert->rfc4387_keys();
    (void)cert->self_signed();
    auto again = crypto::Certificate::from_der(cert->der());
    check(again.has_value(), "a parsed certificate parses again");
    pki::Aor aor{"alice", "example.com"};
    sipcred::WallTime t{std::chrono::seconds{1'800'000'000}};
    (void)pki::check_publish(*cert, aor, t, {}, der);
    (void)pki::check_caller(*cert, aor, t);
    (void)pki::check_tls_server(*cert, "example.com", {true});
  }
  (void)crypto::PrivateKey::from_pkcs8(der);
  // PBKDF2 iterations come from the input: only try encrypted keys small enough that the
  // iteration count cannot make one run slow (the parameters are read before any KDF runs).
  if (crypto::is_encrypted_pkcs8(der)) {
    (void)crypto::pbes2_info(der);
    (void)crypto::PrivateKey::from_encrypted_pkcs8(der, "x", 1000);
  }
  (void)crypto::PublicKey::from_der(der);
  return 0;
}
