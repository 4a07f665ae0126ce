#include "app/cms_cmd.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cms/envelope.hpp"
#include "cms/print.hpp"
#include "cms/rfc2876/kea_cert.hpp"
#include "core/clock.hpp"
#include "crypto/certificate.hpp"
#include "crypto/key.hpp"
#include "mime/base64.hpp"

namespace sipcred::app {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr size_t kMaxInput = 64u << 20;  // messages and files read whole

Result<Bytes> read_bytes(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) return fail(Errc::io, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string s = ss.str();
  if (s.size() > kMaxInput) return fail(Errc::limit, path + " is too large");
  return Bytes(s.begin(), s.end());
}

Result<void> write_bytes(const std::string& path, std::span<const uint8_t> bytes, bool secret) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0644);
  if (fd < 0) return fail(Errc::io, "cannot write " + path);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return fail(Errc::io, "cannot write " + path);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return fail(Errc::io, "cannot write " + path);
  return {};
}

// DER as is; PEM (any label) decoded from its base64 body.
Result<Bytes> der_of(const Bytes& bytes) {
  const std::string_view text{reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  const size_t begin = text.find("-----BEGIN ");
  if (begin == std::string_view::npos) return bytes;
  const size_t body = text.find('\n', begin);
  const size_t end = text.find("-----END ", begin);
  if (body == std::string_view::npos || end == std::string_view::npos || end < body) {
    return fail(Errc::parse, "malformed PEM");
  }
  auto decoded = mime::base64_decode(text.substr(body + 1, end - body - 1));
  if (!decoded) return Unexpected{decoded.error()};
  return Bytes(decoded->begin(), decoded->end());
}

Result<Bytes> read_der(const std::string& path) {
  auto raw = read_bytes(path);
  if (!raw) return raw;
  auto der = der_of(*raw);
  if (!der) return fail(der.error().code, path + ": " + der.error().detail);
  return der;
}

// A KEA certificate and our KEA key file, checked to belong together.
Result<cms::rfc2876::KeaCredential> load_kea(const std::string& cert_path,
                                             const std::string& key_path) {
  auto cert_der = read_der(cert_path);
  if (!cert_der) return Unexpected{cert_der.error()};
  auto cert = cms::rfc2876::parse_kea_certificate(*cert_der);
  if (!cert) return fail(cert.error().code, cert_path + ": " + cert.error().detail);
  auto key_der = read_der(key_path);
  if (!key_der) return Unexpected{key_der.error()};
  auto key = cms::rfc2876::parse_kea_private_key(*key_der);
  if (!key) return fail(key.error().code, key_path + ": " + key.error().detail);
  if (key->key.y != cert->y) {
    return fail(Errc::invalid_argument, key_path + " is not the key of " + cert_path);
  }
  return cms::rfc2876::KeaCredential{std::move(*cert), std::move(key->key), std::move(key->domain)};
}

// An RSA, DSA or EC key: PKCS#8 DER, or PEM as the openssl CLI writes it.
Result<crypto::PrivateKey> load_private_key(const std::string& path) {
  auto bytes = read_bytes(path);
  if (!bytes) return Unexpected{bytes.error()};
  const std::string_view text{reinterpret_cast<const char*>(bytes->data()), bytes->size()};
  auto key = text.find("-----BEGIN") != std::string_view::npos
                 ? crypto::PrivateKey::from_pem(text)
                 : crypto::PrivateKey::from_pkcs8(*bytes);
  if (!key) return fail(key.error().code, path + ": " + key.error().detail);
  return key;
}

int report(const char* what, const Error& e) {
  std::fprintf(stderr, "sipcred cms %s: %s\n", what, e.message().c_str());
  return 1;
}

}  // namespace

int cms_encrypt(const CmsEncryptFlags& f) {
  auto cipher = cms::parse_content_cipher(f.alg);
  if (!cipher) return report("encrypt", cipher.error());
  cms::EnvelopeRequest req;
  req.cipher = *cipher;
  for (const auto& path : f.to) {
    auto der = read_der(path);
    if (!der) return report("encrypt", der.error());
    req.recipient_certs.push_back(std::move(*der));
  }
  std::optional<cms::rfc2876::KeaCredential> originator;
  if (*cipher == cms::ContentCipher::skipjack_kea) {
    if (f.from.empty() || f.from_key.empty()) {
      return report("encrypt",
                    make_error(Errc::invalid_argument, "skipjack-kea needs --from and --from-key"));
    }
    auto cred = load_kea(f.from, f.from_key);
    if (!cred) return report("encrypt", cred.error());
    originator = std::move(*cred);
    req.originator = &*originator;
    auto& o = req.kea_options;
    if (f.ukm == "unique") {
      o.ukm = cms::rfc2876::UkmOption::unique;
    } else if (f.ukm != "shared") {
      return report("encrypt", make_error(Errc::invalid_argument, "--ukm is shared or unique"));
    }
    if (f.originator == "issuer-serial") {
      o.originator = cms::rfc2876::OriginatorChoice::issuer_and_serial_number;
    } else if (f.originator == "key") {
      o.originator = cms::rfc2876::OriginatorChoice::originator_key;
    } else if (f.originator != "ski") {
      return report("encrypt", make_error(Errc::invalid_argument,
                                          "--originator is ski, issuer-serial or key"));
    }
    o.include_originator_certificate = !f.no_originator_cert;
    o.copy_for_originator = !f.no_originator_copy;
  }
  auto in = read_bytes(f.in);
  if (!in) return report("encrypt", in.error());
  auto der = cms::envelope(*in, req);
  if (!der) return report("encrypt", der.error());
  if (auto w = write_bytes(f.out, *der, false); !w) return report("encrypt", w.error());
  return 0;
}

int cms_decrypt(const CmsDecryptFlags& f) {
  cms::DecryptKeys keys;
  auto cert = read_der(f.cert);
  if (!cert) return report("decrypt", cert.error());
  keys.cert = *cert;
  std::optional<cms::rfc2876::KeaCredential> kea;
  if (cms::rfc2876::parse_kea_certificate(*cert)) {
    auto cred = load_kea(f.cert, f.key);
    if (!cred) return report("decrypt", cred.error());
    kea = std::move(*cred);
    keys.kea = &*kea;
  } else {
    auto key = load_private_key(f.key);
    if (!key) return report("decrypt", key.error());
    keys.key = std::move(*key);
  }
  for (const auto& path : f.originator_certs) {
    auto der = read_der(path);
    if (!der) return report("decrypt", der.error());
    auto oc = cms::rfc2876::parse_kea_certificate(*der);
    if (!oc) return report("decrypt", oc.error());
    keys.originator_certs.push_back(std::move(*oc));
  }
  auto in = read_der(f.in);
  if (!in) return report("decrypt", in.error());
  auto out = cms::decrypt(*in, keys);
  if (!out) return report("decrypt", out.error());
  if (auto w = write_bytes(f.out, *out, false); !w) return report("decrypt", w.error());
  return 0;
}

int cms_print(const CmsPrintFlags& f) {
  auto in = read_der(f.file);
  if (!in) return report("print", in.error());
  auto text = cms::describe(*in);
  if (!text) return report("print", text.error());
  std::cout << *text;
  return 0;
}

int cms_kea_keygen(const CmsKeaKeygenFlags& f) {
  namespace r = cms::rfc2876;
  r::KeaDomain domain;
  if (f.params.empty()) {
    auto d = r::generate_kea_domain();
    if (!d) return report("kea-keygen", d.error());
    domain = std::move(*d);
  } else {
    auto der = read_der(f.params);
    if (!der) return report("kea-keygen", der.error());
    auto d = r::parse_dss_parms(*der);
    if (!d) return report("kea-keygen", d.error());
    domain = std::move(*d);
  }
  if (auto v = r::validate_kea_domain(domain); !v) return report("kea-keygen", v.error());
  auto key = r::generate_kea_key_pair(domain);
  if (!key) return report("kea-keygen", key.error());
  auto ca_der = read_der(f.ca_cert);
  if (!ca_der) return report("kea-keygen", ca_der.error());
  auto ca_key = load_private_key(f.ca_key);
  if (!ca_key) return report("kea-keygen", ca_key.error());
  r::KeaCertRequest req;
  req.subject_cn = f.cn;
  req.not_before = SystemClock{}.wall_now() - std::chrono::minutes{5};
  req.days = f.days;
  req.domain_id = r::kea_domain_identifier(domain);
  req.y = key->y;
  auto cert = r::make_kea_certificate(req, *ca_der, *ca_key);
  if (!cert) return report("kea-keygen", cert.error());
  std::error_code ec;
  std::filesystem::create_directories(f.out_dir, ec);
  const std::string dir = f.out_dir + "/";
  if (auto w = write_bytes(dir + "kea.crt.der", *cert, false); !w) {
    return report("kea-keygen", w.error());
  }
  if (auto w = write_bytes(dir + "kea.key.der", r::kea_private_key_der(domain, *key), true); !w) {
    return report("kea-keygen", w.error());
  }
  std::cout << "wrote " << dir << "kea.crt.der and " << dir << "kea.key.der\n";
  return 0;
}

std::function<std::optional<int>()> add_cms_commands(CLI::App& app) {
  struct Flags {
    CmsEncryptFlags enc;
    CmsDecryptFlags dec;
    CmsPrintFlags print;
    CmsKeaKeygenFlags keygen;
  };
  auto f = std::make_shared<Flags>();
  auto* cms = app.add_subcommand("cms", "CMS EnvelopedData: AES, or SKIPJACK with KEA (RFC 2876)");
  cms->require_subcommand(1);

  auto* enc = cms->add_subcommand("encrypt", "Encrypt IN to the certificates, write OUT (DER)");
  enc->add_option("--to", f->enc.to, "Recipient certificate, DER or PEM (repeatable)")->required();
  enc->add_option("--alg", f->enc.alg, "skipjack-kea, aes128 (default) or aes256");
  enc->add_option("--from", f->enc.from, "Originator's KEA certificate (skipjack-kea)");
  enc->add_option("--from-key", f->enc.from_key, "Originator's KEA key file (skipjack-kea)");
  enc->add_option("--ukm", f->enc.ukm, "RFC 2876 UKM option: shared (default) or unique");
  enc->add_option("--originator", f->enc.originator,
                  "Originator field: ski (default), issuer-serial or key");
  enc->add_flag("--no-originator-cert", f->enc.no_originator_cert,
                "Leave the originator's certificate out of originatorInfo");
  enc->add_flag("--no-originator-copy", f->enc.no_originator_copy,
                "Do not wrap a copy of the key for the originator");
  enc->add_option("IN", f->enc.in, "Content to encrypt")->required();
  enc->add_option("OUT", f->enc.out, "EnvelopedData (DER)")->required();

  auto* dec = cms->add_subcommand("decrypt", "Decrypt the EnvelopedData IN into OUT");
  dec->add_option("--cert", f->dec.cert, "Our certificate (RSA, EC or KEA)")->required();
  dec->add_option("--key", f->dec.key, "Our key: PKCS#8 (PEM or DER) or a KEA key file")
      ->required();
  dec->add_option("--originator-cert", f->dec.originator_certs,
                  "A KEA originator's certificate known out of band (repeatable)");
  dec->add_option("IN", f->dec.in, "EnvelopedData (DER or PEM)")->required();
  dec->add_option("OUT", f->dec.out, "Decrypted content")->required();

  auto* print = cms->add_subcommand("print", "Show the structure of a CMS message");
  print->add_option("FILE", f->print.file, "ContentInfo (DER or PEM)")->required();

  auto* kg = cms->add_subcommand("kea-keygen", "Make a KEA key pair and its certificate");
  kg->add_option("--params", f->keygen.params,
                 "Dss-Parms: 1024-bit p, 160-bit q (default: new parameters)");
  kg->add_option("--ca-cert", f->keygen.ca_cert, "Issuer certificate")->required();
  kg->add_option("--ca-key", f->keygen.ca_key, "Issuer key (RSA, DSA or EC)")->required();
  kg->add_option("--cn", f->keygen.cn, "Subject common name")->required();
  kg->add_option("--days", f->keygen.days, "Validity in days (default 365)");
  kg->add_option("--out", f->keygen.out_dir, "Directory for kea.crt.der and kea.key.der")
      ->required();

  return [f, enc, dec, print, kg]() -> std::optional<int> {
    if (enc->parsed()) return cms_encrypt(f->enc);
    if (dec->parsed()) return cms_decrypt(f->dec);
    if (print->parsed()) return cms_print(f->print);
    if (kg->parsed()) return cms_kea_keygen(f->keygen);
    return std::nullopt;
  };
}

}  // namespace sipcred::app
