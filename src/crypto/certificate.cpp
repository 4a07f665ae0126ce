#include "crypto/certificate.hpp"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <cstring>
#include <ctime>

#include "crypto/openssl_util.hpp"

namespace sipcred::crypto {

struct CertHandle {
  X509* x = nullptr;
  explicit CertHandle(X509* c) : x(c) {}
  ~CertHandle() { X509_free(x); }
  CertHandle(const CertHandle&) = delete;
  CertHandle& operator=(const CertHandle&) = delete;
};

namespace {

using NamesPtr = Owned<GENERAL_NAMES, GENERAL_NAMES_free>;
using BcPtr = Owned<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using BnPtr = Owned<BIGNUM, BN_free>;

std::string name_text(const X509_NAME* name) {
  BioPtr bio{BIO_new(BIO_s_mem())};
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n > 0 ? n : 0));
}

WallTime to_wall(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return WallTime{};
  return WallTime{std::chrono::seconds{timegm(&tm)}};
}

Bytes der_of_name(const X509_NAME* name) {
  unsigned char* buf = nullptr;
  int n = i2d_X509_NAME(name, &buf);
  Bytes out(buf, buf + (n > 0 ? n : 0));
  OPENSSL_free(buf);
  return out;
}

// DER length octets (X.690 §8.1.3, definite form, minimal).
void put_length(Bytes& out, size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<uint8_t>(len));
    return;
  }
  uint8_t tmp[8];
  int n = 0;
  while (len > 0) {
    tmp[n++] = static_cast<uint8_t>(len & 0xff);
    len >>= 8;
  }
  out.push_back(static_cast<uint8_t>(0x80 | n));
  while (n > 0) out.push_back(tmp[--n]);
}

// RFC 4387 §2.1: base64 of the SHA-1, without the trailing padding character.
std::string search_key(std::span<const uint8_t> der) {
  std::string b = base64(hash(HashAlg::sha1, der));
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

template <class F>
void for_each_san(X509* x, F&& f) {
  NamesPtr names{
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr))};
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i)
    f(sk_GENERAL_NAME_value(names.get(), i));
}

std::string ia5(const ASN1_IA5STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

}  // namespace

std::string base64(std::span<const uint8_t> data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<Certificate> Certificate::from_der(std::span<const uint8_t> der) {
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr) return openssl_fail("not a DER X.509 certificate");
  auto h = std::make_shared<CertHandle>(x);
  if (p != der.data() + der.size())
    return fail(Errc::parse, "trailing bytes after the certificate");
  // Re-encoding must give the same bytes: a BER-but-not-DER certificate is refused, so that
  // fingerprints and RFC 4387 keys always name the bytes that were stored.
  unsigned char* re = nullptr;
  int n = i2d_X509(x, &re);
  bool same = n == static_cast<int>(der.size()) && std::memcmp(re, der.data(), der.size()) == 0;
  OPENSSL_free(re);
  if (!same) return fail(Errc::parse, "certificate is not in canonical DER");
  return Certificate{h, Bytes(der.begin(), der.end())};
}

Result<Certificate> Certificate::from_pem(std::string_view pem) {
  BioPtr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  X509Ptr x{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)};
  if (!x) return openssl_fail("not a PEM certificate");
  unsigned char* buf = nullptr;
  int n = i2d_X509(x.get(), &buf);
  Bytes der(buf, buf + (n > 0 ? n : 0));
  OPENSSL_free(buf);
  return from_der(der);
}

Result<Certificate> Certificate::from_bytes(std::span<const uint8_t> bytes) {
  std::string_view text{reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) return from_pem(text);
  return from_der(bytes);
}

std::string Certificate::subject() const {
  return name_text(X509_get_subject_name(cert_->x));
}
std::string Certificate::issuer() const {
  return name_text(X509_get_issuer_name(cert_->x));
}

std::string Certificate::serial_hex() const {
  BnPtr bn{ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_->x), nullptr)};
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex ? hex : "";
  OPENSSL_free(hex);
  return out;
}

WallTime Certificate::not_before() const {
  return to_wall(X509_get0_notBefore(cert_->x));
}
WallTime Certificate::not_after() const {
  return to_wall(X509_get0_notAfter(cert_->x));
}

std::string Certificate::signature_algorithm() const {
  return OBJ_nid2ln(X509_get_signature_nid(cert_->x));
}

std::vector<std::string> Certificate::san_uris() const {
  std::vector<std::string> out;
  for_each_san(cert_->x, [&](const GENERAL_NAME* g) {
    if (g->type == GEN_URI) out.push_back(ia5(g->d.uniformResourceIdentifier));
  });
  return out;
}

std::vector<std::string> Certificate::san_dns() const {
  std::vector<std::string> out;
  for_each_san(cert_->x, [&](const GENERAL_NAME* g) {
    if (g->type == GEN_DNS) out.push_back(ia5(g->d.dNSName));
  });
  return out;
}

std::vector<std::string> Certificate::san_ips() const {
  std::vector<std::string> out;
  for_each_san(cert_->x, [&](const GENERAL_NAME* g) {
    if (g->type != GEN_IPADD) return;
    const unsigned char* d = ASN1_STRING_get0_data(g->d.iPAddress);
    int len = ASN1_STRING_length(g->d.iPAddress);
    char text[INET6_ADDRSTRLEN] = {0};
    if ((len == 4 && inet_ntop(AF_INET, d, text, sizeof text)) ||
        (len == 16 && inet_ntop(AF_INET6, d, text, sizeof text))) {
      out.emplace_back(text);
    }
  });
  return out;
}

bool Certificate::has_san() const {
  return X509_get_ext_by_NID(cert_->x, NID_subject_alt_name, -1) >= 0;
}

std::optional<bool> Certificate::basic_constraints_ca() const {
  BcPtr bc{static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(cert_->x, NID_basic_constraints, nullptr, nullptr))};
  if (!bc) return std::nullopt;
  return bc->ca != 0;
}

bool Certificate::basic_constraints_critical() const {
  int crit = 0;
  BcPtr bc{static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(cert_->x, NID_basic_constraints, &crit, nullptr))};
  return bc && crit == 1;
}

std::vector<std::string> Certificate::key_usage() const {
  static constexpr std::pair<uint32_t, const char*> kBits[] = {
      {KU_DIGITAL_SIGNATURE, "digitalSignature"},
      {KU_NON_REPUDIATION, "nonRepudiation"},
      {KU_KEY_ENCIPHERMENT, "keyEncipherment"},
      {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
      {KU_KEY_AGREEMENT, "keyAgreement"},
      {KU_KEY_CERT_SIGN, "keyCertSign"},
      {KU_CRL_SIGN, "cRLSign"}};
  std::vector<std::string> out;
  uint32_t ku = X509_get_key_usage(cert_->x);
  if (ku == UINT32_MAX) return out;  // extension absent
  for (auto [bit, name] : kBits) {
    if (ku & bit) out.emplace_back(name);
  }
  return out;
}

Bytes Certificate::subject_key_id() const {
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert_->x);
  if (ski == nullptr) return {};
  const unsigned char* d = ASN1_STRING_get0_data(ski);
  return Bytes(d, d + ASN1_STRING_length(ski));
}

PublicKey Certificate::public_key() const {
  // +1 reference, owned by the handle; null when OpenSSL cannot decode the key (PublicKey says
  // so through valid()).
  EVP_PKEY* k = X509_get_pubkey(cert_->x);
  ERR_clear_error();
  return PublicKey{std::make_shared<KeyHandle>(k)};
}

bool Certificate::signed_by(const PublicKey& key) const {
  if (!key.valid()) return false;
  bool ok = X509_verify(cert_->x, key.handle()->pkey) == 1;
  ERR_clear_error();
  return ok;
}

bool Certificate::self_signed() const {
  return X509_NAME_cmp(X509_get_subject_name(cert_->x), X509_get_issuer_name(cert_->x)) == 0 &&
         signed_by(public_key());
}

Rfc4387Keys Certificate::rfc4387_keys() const {
  Rfc4387Keys k;
  k.cert_hash = search_key(der_);
  Bytes subject = der_of_name(X509_get_subject_name(cert_->x));
  Bytes issuer = der_of_name(X509_get_issuer_name(cert_->x));
  k.s_hash = search_key(subject);
  k.i_hash = search_key(issuer);
  // IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber }
  unsigned char* serial = nullptr;
  int sn = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert_->x), &serial);
  Bytes content = issuer;
  content.insert(content.end(), serial, serial + (sn > 0 ? sn : 0));
  OPENSSL_free(serial);
  Bytes ias{0x30};
  put_length(ias, content.size());
  ias.insert(ias.end(), content.begin(), content.end());
  k.i_and_s_hash = search_key(ias);
  Bytes ski = subject_key_id();
  if (!ski.empty()) k.skid_hash = search_key(ski);
  return k;
}

Result<Certificate> make_self_signed(const PrivateKey& key, const CertificateRequest& req,
                                     WallTime now) {
  if (req.uris.empty()) return fail(Errc::invalid_argument, "a certificate needs the AOR's URI");
  if (req.days < 1 || req.days > 366) {
    return fail(Errc::invalid_argument, "validity must be 1 to 366 days (PKI-3: a year or less)");
  }
  if (req.signature_hash != HashAlg::sha256 && req.signature_hash != HashAlg::sha1) {
    return fail(Errc::invalid_argument, "signature hash must be SHA-256 or SHA-1");
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

  // Subject = issuer (self-signed, PKI-1): CN is the AOR without its scheme, for people reading it.
  std::string cn = req.uris.front();
  if (auto colon = cn.find(':'); colon != std::string::npos) cn = cn.substr(colon + 1);
  X509_NAME* name = X509_get_subject_name(x.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(x.get(), name) != 1) {
    return openssl_fail("subject name");
  }

  // Validity (PKI-3): from a little before now, for `days` less a random jitter.
  int64_t jitter = 0;
  if (req.jitter_seconds > 0) {
    uint64_t r = 0;
    random_fill({reinterpret_cast<uint8_t*>(&r), sizeof r});
    int64_t max_jitter = std::min<int64_t>(req.jitter_seconds, int64_t{req.days} * 86400 / 10);
    jitter = max_jitter > 0 ? static_cast<int64_t>(r % static_cast<uint64_t>(max_jitter + 1)) : 0;
  }
  time_t start = static_cast<time_t>(now.time_since_epoch().count() - req.backdate_seconds);
  time_t end =
      static_cast<time_t>(now.time_since_epoch().count() + int64_t{req.days} * 86400 - jitter);
  if (!ASN1_TIME_set(X509_getm_notBefore(x.get()), start) ||
      !ASN1_TIME_set(X509_getm_notAfter(x.get()), end)) {
    return openssl_fail("validity");
  }
  if (X509_set_pubkey(x.get(), key.handle()->pkey) != 1) return openssl_fail("public key");

  // SubjectAltName URIs built as GeneralNames directly: a SIP URI may hold commas, which the
  // textual extension syntax would split.
  NamesPtr names{GENERAL_NAMES_new()};
  for (const auto& uri : req.uris) {
    GENERAL_NAME* g = GENERAL_NAME_new();
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    if (g == nullptr || s == nullptr ||
        ASN1_STRING_set(s, uri.data(), static_cast<int>(uri.size())) != 1) {
      GENERAL_NAME_free(g);
      ASN1_IA5STRING_free(s);
      return openssl_fail("SubjectAltName");
    }
    GENERAL_NAME_set0_value(g, GEN_URI, s);
    sk_GENERAL_NAME_push(names.get(), g);
  }
  if (X509_add1_ext_i2d(x.get(), NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return openssl_fail("SubjectAltName");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  bool ec = key.algorithm() == "EC";
  const std::pair<int, const char*> exts[] = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage,
       ec ? "critical,digitalSignature,keyAgreement" : "critical,digitalSignature,keyEncipherment"},
      {NID_subject_key_identifier, "hash"},
  };
  for (auto [nid, value] : exts) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return openssl_fail("extension");
    int ok = X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
    if (ok != 1) return openssl_fail("extension");
  }

  if (X509_sign(x.get(), key.handle()->pkey, evp_md(req.signature_hash)) <= 0) {
    return openssl_fail("signing the certificate");
  }
  unsigned char* buf = nullptr;
  int n = i2d_X509(x.get(), &buf);
  Bytes der(buf, buf + (n > 0 ? n : 0));
  OPENSSL_free(buf);
  return Certificate::from_der(der);
}

Result<std::vector<Certificate>> certificates_from_pem_bundle(std::string_view pem) {
  std::vector<Certificate> out;
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  size_t pos = 0;
  while ((pos = pem.find(kBegin, pos)) != std::string_view::npos) {
    size_t end = pem.find(kEnd, pos);
    if (end == std::string_view::npos) return fail(Errc::parse, "a PEM certificate is not closed");
    end += kEnd.size();
    auto c = Certificate::from_pem(pem.substr(pos, end - pos));
    if (!c) return Unexpected{c.error()};
    out.push_back(std::move(*c));
    pos = end;
  }
  if (out.empty()) return fail(Errc::parse, "no PEM certificate found");
  return out;
}

namespace {
using StorePtr = Owned<X509_STORE, X509_STORE_free>;
using StoreCtxPtr = Owned<X509_STORE_CTX, X509_STORE_CTX_free>;
void free_x509_stack(STACK_OF(X509) * s) {
  sk_X509_free(s);  // a macro in OpenSSL 3, so not usable as a template argument
}
using X509StackPtr = Owned<STACK_OF(X509), free_x509_stack>;
}  // namespace

Result<void> verify_chain(const Certificate& leaf, std::span<const Certificate> anchors,
                          std::span<const Certificate> intermediates, WallTime at) {
  StorePtr store{X509_STORE_new()};
  if (!store) return openssl_fail("X509_STORE_new");
  for (const auto& a : anchors) {
    if (X509_STORE_add_cert(store.get(), a.cert_->x) != 1) ERR_clear_error();  // duplicates
  }
  X509StackPtr chain{sk_X509_new_null()};
  for (const auto& c : intermediates) sk_X509_push(chain.get(), c.cert_->x);
  StoreCtxPtr ctx{X509_STORE_CTX_new()};
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.cert_->x, chain.get()) != 1) {
    return openssl_fail("X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // A trusted certificate ends the path even when it is not self-signed (the leaf itself, or an
  // intermediate configured as an anchor).
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at.time_since_epoch().count()));
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return fail(Errc::crypto,
                std::string{"certificate path: "} + X509_verify_cert_error_string(err));
  }
  return {};
}

}  // namespace sipcred::crypto
