#include "crypto/server_certificate.hpp"

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "crypto/openssl_util.hpp"

namespace sipcred::crypto {
namespace {

using NamesPtr = Owned<GENERAL_NAMES, GENERAL_NAMES_free>;
using BnPtr = Owned<BIGNUM, BN_free>;
using NamePtr = Owned<GENERAL_NAME, GENERAL_NAME_free>;

Result<void> add_dns(GENERAL_NAMES* names, const std::string& host) {
  NamePtr g{GENERAL_NAME_new()};
  ASN1_IA5STRING* s = ASN1_IA5STRING_new();
  if (!g || s == nullptr || ASN1_STRING_set(s, host.data(), static_cast<int>(host.size())) != 1) {
    ASN1_IA5STRING_free(s);
    return openssl_fail("SubjectAltName dNSName");
  }
  GENERAL_NAME_set0_value(g.get(), GEN_DNS, s);
  if (sk_GENERAL_NAME_push(names, g.get()) <= 0) return openssl_fail("SubjectAltName");
  static_cast<void>(g.release());
  return {};
}

Result<void> add_ip(GENERAL_NAMES* names, const std::string& ip) {
  // RFC 5280 §4.2.1.6: the address in network byte order, 4 octets (IPv4) or 16 (IPv6).
  ASN1_OCTET_STRING* octets = a2i_IPADDRESS(ip.c_str());
  if (octets == nullptr) {
    ERR_clear_error();
    return fail(Errc::invalid_argument, "not an IP address: " + ip);
  }
  NamePtr g{GENERAL_NAME_new()};
  if (!g) {
    ASN1_OCTET_STRING_free(octets);
    return openssl_fail("SubjectAltName iPAddress");
  }
  GENERAL_NAME_set0_value(g.get(), GEN_IPADD, octets);
  if (sk_GENERAL_NAME_push(names, g.get()) <= 0) return openssl_fail("SubjectAltName");
  static_cast<void>(g.release());
  return {};
}

std::string pem(const char* label, std::span<const uint8_t> der) {
  // RFC 7468 §2: base64 in lines of exactly 64 characters, the last one shorter.
  std::string b64 = base64(der);
  std::string out = std::string{"-----BEGIN "} + label + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  out += std::string{"-----END "} + label + "-----\n";
  return out;
}

}  // namespace

Result<Certificate> make_self_signed_server(const PrivateKey& key,
                                            const ServerCertificateRequest& req, WallTime now) {
  if (req.dns.empty() && req.ips.empty()) {
    return fail(Errc::invalid_argument, "a server certificate needs a DNS name or an IP address");
  }
  if (req.days < 1 || req.days > 825) {
    return fail(Errc::invalid_argument, "validity must be 1 to 825 days");
  }
  X509Ptr x{X509_new()};
  if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1) return openssl_fail("X509_new");

  // A positive 128-bit random serial (RFC 5280 §4.1.2.2: at most 20 octets, positive).
  Bytes serial(16);
  random_fill(serial);
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x01);
  BnPtr bn{BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr)};
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get()))) {
    return openssl_fail("serial");
  }

  std::string cn = !req.common_name.empty() ? req.common_name
                   : !req.dns.empty()       ? req.dns.front()
                                            : req.ips.front();
  X509_NAME* name = X509_get_subject_name(x.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(x.get(), name) != 1) {
    return openssl_fail("subject name");
  }

  auto t = now.time_since_epoch().count();
  if (!ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(t - req.backdate_seconds)) ||
      !ASN1_TIME_set(X509_getm_notAfter(x.get()),
                     static_cast<time_t>(t + int64_t{req.days} * 86400))) {
    return openssl_fail("validity");
  }
  if (X509_set_pubkey(x.get(), key.handle()->pkey) != 1) return openssl_fail("public key");

  NamesPtr names{GENERAL_NAMES_new()};
  if (!names) return openssl_fail("SubjectAltName");
  for (const auto& d : req.dns) {
    if (auto r = add_dns(names.get(), d); !r) return Unexpected{r.error()};
  }
  for (const auto& ip : req.ips) {
    if (auto r = add_ip(names.get(), ip); !r) return Unexpected{r.error()};
  }
  // RFC 5280 §4.2.1.6: with a subject that is not empty the SAN extension is not critical.
  if (X509_add1_ext_i2d(x.get(), NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return openssl_fail("SubjectAltName");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  bool ec = key.algorithm() == "EC";
  const std::pair<int, const char*> exts[] = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      // ECDHE key exchange needs only signatures; RSA key transport (TLS 1.2) enciphers.
      {NID_key_usage,
       ec ? "critical,digitalSignature" : "critical,digitalSignature,keyEncipherment"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_key_identifier, "hash"},
  };
  for (auto [nid, value] : exts) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return openssl_fail("extension");
    int ok = X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
    if (ok != 1) return openssl_fail("extension");
  }

  if (X509_sign(x.get(), key.handle()->pkey, EVP_sha256()) <= 0) {
    return openssl_fail("signing the certificate");
  }
  unsigned char* buf = nullptr;
  int n = i2d_X509(x.get(), &buf);
  if (n <= 0) return openssl_fail("encoding the certificate");
  Bytes der(buf, buf + n);
  OPENSSL_free(buf);
  return Certificate::from_der(der);
}

std::string certificate_pem(const Certificate& cert) {
  return pem("CERTIFICATE", cert.der());
}

std::string private_key_pem(const PrivateKey& key) {
  return pem("PRIVATE KEY", key.to_pkcs8());
}

}  // namespace sipcred::crypto
