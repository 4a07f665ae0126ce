#include "app/credential_cmd.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/files.hpp"
#include "app/json.hpp"
#include "core/clock.hpp"
#include "crypto/certificate.hpp"
#include "crypto/key.hpp"
#include "mime/multipart.hpp"
#include "pki/validate.hpp"

namespace sipcred::app {
namespace {

// The passphrase from a file (first line), or asked on the terminal without echo.
Result<std::string> passphrase(const std::string& file, bool confirm) {
  if (!file.empty()) {
    auto text = read_file(file, 4096);
    if (!text) return text;
    std::string p = text->substr(0, text->find_first_of("\r\n"));
    if (p.empty()) return fail(Errc::invalid_argument, "the passphrase file is empty");
    return p;
  }
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0)
    return fail(Errc::invalid_argument,
                "no terminal to ask for the passphrase: use --passphrase-file");
  auto ask = [tty](const char* prompt) -> std::string {
    (void)!::write(tty, prompt, std::strlen(prompt));
    termios old{};
    tcgetattr(tty, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(tty, TCSAFLUSH, &quiet);
    std::string line;
    char c;
    while (::read(tty, &c, 1) == 1 && c != '\n') line.push_back(c);
    tcsetattr(tty, TCSAFLUSH, &old);
    (void)!::write(tty, "\n", 1);
    return line;
  };
  std::string p = ask("Passphrase: ");
  if (confirm && ask("Passphrase again: ") != p) {
    ::close(tty);
    return fail(Errc::invalid_argument, "the passphrases differ");
  }
  ::close(tty);
  if (p.empty()) return fail(Errc::invalid_argument, "empty passphrase");
  return p;
}

WallTime now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(SystemClock{}.wall_now());
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

int error(const std::string& cmd, const Error& e) {
  std::fprintf(stderr, "sipcred %s: %s\n", cmd.c_str(), e.detail.c_str());
  return 2;
}

}  // namespace

int keygen(const KeygenFlags& f) {
  auto type = crypto::parse_key_type(f.key);
  if (!type) return error("keygen", type.error());
  auto aor = pki::parse_aor(f.aor);
  if (!aor) return error("keygen", aor.error());
  std::optional<std::string> pass;
  if (!f.passphrase_file.empty()) {
    auto p = passphrase(f.passphrase_file, true);
    if (!p) return error("keygen", p.error());
    pass = *p;
  }
  auto key = crypto::PrivateKey::generate(*type);
  if (!key) return error("keygen", key.error());
  crypto::CertificateRequest req;
  req.uris.push_back(f.aor.find(':') == std::string::npos ? "sip:" + f.aor : f.aor);
  for (const auto& u : f.extra_uris) req.uris.push_back(u);
  req.days = f.days;
  req.signature_hash = f.sha1 ? crypto::HashAlg::sha1 : crypto::HashAlg::sha256;
  auto cert = crypto::make_self_signed(*key, req, now());
  if (!cert) return error("keygen", cert.error());

  crypto::Bytes p8;
  if (pass) {
    crypto::Pbes2 params = f.seed_pbes2 ? crypto::Pbes2::seed_mandatory() : crypto::Pbes2{};
    params.iterations = f.iterations;
    auto enc = key->to_encrypted_pkcs8(*pass, params);
    if (!enc) return error("keygen", enc.error());
    p8 = *enc;
  } else {
    p8 = key->to_pkcs8();
    std::fprintf(stderr,
                 "sipcred keygen: warning: key.p8 is NOT encrypted (no --passphrase-file); the "
                 "credential service refuses to store an unencrypted key by default\n");
  }
  std::error_code ec;
  std::filesystem::create_directories(f.out_dir, ec);
  if (ec) return error("keygen", Error{Errc::io, "cannot create " + f.out_dir});
  std::filesystem::path dir{f.out_dir};
  if (auto r = write_file(dir / "cert.der", cert->der(), false); !r)
    return error("keygen", r.error());
  if (auto r = write_file(dir / "key.p8", p8, true); !r) return error("keygen", r.error());

  std::printf("certificate: %s\n", (dir / "cert.der").c_str());
  std::printf("private key: %s (%s)\n", (dir / "key.p8").c_str(),
              pass ? (f.seed_pbes2 ? "PBES2, PBKDF2-HMAC-SHA1, DES-EDE3-CBC"
                                   : "PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC")
                   : "unencrypted");
  std::printf("subject-alt-name: %s\n", join(cert->san_uris()).c_str());
  std::printf("valid: %s .. %s\n", to_iso8601(cert->not_before()).c_str(),
              to_iso8601(cert->not_after()).c_str());
  std::printf("SHA-256 fingerprint: %s\n",
              crypto::to_colon_hex(cert->fingerprint(crypto::HashAlg::sha256)).c_str());
  std::printf("SHA-1 fingerprint: %s\n",
              crypto::to_colon_hex(cert->fingerprint(crypto::HashAlg::sha1)).c_str());
  return 0;
}

namespace {

void rules_text(const char* set, const pki::Verdict& v) {
  for (const auto& c : v.checks) {
    std::printf("  %-8s %-18s %-4s %s\n", set, c.rule.c_str(), c.passed ? "ok" : "FAIL",
                c.detail.c_str());
  }
}

void rules_json(Json& j, const char* set, const pki::Verdict& v) {
  j.key(set).begin_object().field("accepted", v.ok()).field("reason", v.reason());
  j.begin_array("checks");
  for (const auto& c : v.checks) {
    j.begin_object()
        .field("rule", c.rule)
        .field("passed", c.passed)
        .field("detail", c.detail)
        .end_object();
  }
  j.end_array().end_object();
}

// `pkcs8` is the key part of a credential body (CRED-4), empty for a lone certificate.
int inspect_certificate(const InspectFlags& f, const crypto::Certificate& cert,
                        std::span<const uint8_t> pkcs8 = {}) {
  std::optional<pki::Aor> aor;
  if (!f.aor.empty()) {
    auto a = pki::parse_aor(f.aor);
    if (!a) return error("inspect", a.error());
    aor = *a;
  } else if (auto uris = cert.san_uris(); !uris.empty()) {
    aor = pki::user_and_host(uris.front());
  }
  WallTime t = now();
  std::optional<pki::Verdict> publish, caller;
  if (aor) {
    publish = pki::check_publish(cert, *aor, t, {}, pkcs8);
    // With the passphrase, the key a device would decrypt is checked against the certificate
    // too (the server cannot do this for an encrypted key).
    if (!pkcs8.empty() && crypto::is_encrypted_pkcs8(pkcs8) && !f.passphrase_file.empty()) {
      auto pass = passphrase(f.passphrase_file, false);
      auto key = pass ? crypto::PrivateKey::from_encrypted_pkcs8(pkcs8, *pass)
                      : Result<crypto::PrivateKey>{Unexpected{pass.error()}};
      bool match = key && key->matches(cert.public_key());
      publish->add("key-matches", match,
                   !key    ? "cannot open the key: " + key.error().detail
                   : match ? "the decrypted key is the certificate's"
                           : "the decrypted key is not the certificate's");
    }
    caller = pki::check_caller(cert, *aor, t);
  }
  auto keys = cert.rfc4387_keys();
  auto pub = cert.public_key();
  std::string key_text = pub.algorithm() + " " + std::to_string(pub.bits()) + " bits" +
                         (pub.curve().empty() ? "" : " (" + pub.curve() + ")");
  auto ca = cert.basic_constraints_ca();
  std::string bc = !ca ? "absent"
                       : std::string{*ca ? "CA=true" : "CA=false"} +
                             (cert.basic_constraints_critical() ? " (critical)" : "");
  std::string sha256 = crypto::to_colon_hex(cert.fingerprint(crypto::HashAlg::sha256));
  std::string sha1 = crypto::to_colon_hex(cert.fingerprint(crypto::HashAlg::sha1));
  if (f.json) {
    Json j;
    j.begin_object().field("file", f.file).field("type", "certificate");
    j.field("subject", cert.subject()).field("issuer", cert.issuer());
    j.field("self_signed", cert.self_signed()).field("serial", cert.serial_hex());
    j.field("signature_algorithm", cert.signature_algorithm()).field("key", key_text);
    j.field("not_before", to_iso8601(cert.not_before()))
        .field("not_after", to_iso8601(cert.not_after()));
    j.begin_array("subject_alt_name_uris");
    for (const auto& u : cert.san_uris()) j.value(u);
    j.end_array();
    j.begin_array("subject_alt_name_dns");
    for (const auto& u : cert.san_dns()) j.value(u);
    j.end_array();
    j.field("basic_constraints", bc).field("key_usage", join(cert.key_usage()));
    j.field("sha256_fingerprint", sha256).field("sha1_fingerprint", sha1);
    j.key("rfc4387").begin_object().field("certHash", keys.cert_hash).field("sHash", keys.s_hash);
    j.field("iHash", keys.i_hash)
        .field("iAndSHash", keys.i_and_s_hash)
        .field("sKIDHash", keys.skid_hash);
    j.end_object();
    if (aor) {
      j.field("aor", aor->text());
      rules_json(j, "publish", *publish);
      rules_json(j, "caller", *caller);
    }
    j.end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("file: %s\ntype: X.509 certificate\n", f.file.c_str());
    std::printf("subject: %s\nissuer: %s%s\n", cert.subject().c_str(), cert.issuer().c_str(),
                cert.self_signed() ? " (self-signed)" : "");
    std::printf("serial: %s\nsignature: %s\nkey: %s\n", cert.serial_hex().c_str(),
                cert.signature_algorithm().c_str(), key_text.c_str());
    std::printf("valid: %s .. %s\n", to_iso8601(cert.not_before()).c_str(),
                to_iso8601(cert.not_after()).c_str());
    std::printf("subject-alt-name URIs: %s\n", join(cert.san_uris()).c_str());
    if (!cert.san_dns().empty())
      std::printf("subject-alt-name DNS: %s\n", join(cert.san_dns()).c_str());
    std::printf("basic constraints: %s\nkey usage: %s\n", bc.c_str(),
                join(cert.key_usage()).c_str());
    std::printf("SHA-256 fingerprint: %s\nSHA-1 fingerprint: %s\n", sha256.c_str(), sha1.c_str());
    std::printf("RFC 4387: certHash=%s sHash=%s iHash=%s iAndSHash=%s sKIDHash=%s\n",
                keys.cert_hash.c_str(), keys.s_hash.c_str(), keys.i_hash.c_str(),
                keys.i_and_s_hash.c_str(), keys.skid_hash.c_str());
    if (aor) {
      std::printf("rules for %s:\n", aor->text().c_str());
      rules_text("publish", *publish);
      rules_text("caller", *caller);
      std::printf("publish: %s\ncaller: %s\n",
                  publish->ok() ? "accepted" : publish->reason().c_str(),
                  caller->ok() ? "accepted" : caller->reason().c_str());
    } else {
      std::printf("rules: no AOR to check against (no SubjectAltName URI; give --aor)\n");
    }
  }
  if (!aor) return 1;
  return publish->ok() && caller->ok() ? 0 : 1;
}

int inspect_key(const InspectFlags& f, std::span<const uint8_t> der) {
  bool encrypted = crypto::is_encrypted_pkcs8(der);
  std::string pass;
  if (encrypted) {
    auto p = passphrase(f.passphrase_file, false);
    if (!p) return error("inspect", p.error());
    pass = *p;
  }
  auto key = crypto::PrivateKey::from_any_pkcs8(der, pass);
  if (!key) return error("inspect", key.error());
  std::string protection = "not encrypted";
  if (encrypted) {
    auto info = crypto::pbes2_info(der);
    if (info) {
      protection = "PBES2: PBKDF2 " + info->prf + ", " + std::to_string(info->iterations) +
                   " iterations, " + info->cipher;
    }
  }
  auto pub = key->public_key();
  std::string key_text = pub.algorithm() + " " + std::to_string(pub.bits()) + " bits" +
                         (pub.curve().empty() ? "" : " (" + pub.curve() + ")");
  std::string spki = crypto::to_colon_hex(crypto::hash(crypto::HashAlg::sha256, pub.der()));
  if (f.json) {
    Json j;
    j.begin_object().field("file", f.file).field("type", "pkcs8").field("encrypted", encrypted);
    j.field("protection", protection);
    j.field("key", key_text).field("public_key_sha256", spki).end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("file: %s\ntype: PKCS#8 %s\nprotection: %s\nkey: %s\npublic key SHA-256: %s\n",
                f.file.c_str(),
                encrypted ? "EncryptedPrivateKeyInfo" : "PrivateKeyInfo (not encrypted)",
                protection.c_str(), key_text.c_str(), spki.c_str());
  }
  return 0;
}

}  // namespace

int inspect(const InspectFlags& f) {
  auto bytes = read_file(f.file);
  if (!bytes) return error("inspect", bytes.error());
  std::span<const uint8_t> data{reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()};
  // A credential body (CRED-4) as a file starts with its first delimiter line, "--boundary".
  if (bytes->starts_with("--")) {
    std::string boundary = bytes->substr(2, bytes->find_first_of("\r\n") - 2);
    while (!boundary.empty() && (boundary.back() == ' ' || boundary.back() == '\t'))
      boundary.pop_back();
    auto parts = mime::parse_credential_body(*bytes, mime::multipart_content_type(boundary));
    if (!parts)
      return error("inspect", Error{Errc::parse, "credential body: " + parts.error().detail});
    auto cert = crypto::Certificate::from_der(parts->cert_der);
    if (!cert)
      return error("inspect", Error{Errc::parse, "credential body: " + cert.error().detail});
    if (!f.json)
      std::printf("credential body: certificate%s\n",
                  parts->pkcs8_der ? " and PKCS#8 key" : " only");
    static const std::vector<uint8_t> kNone;
    return inspect_certificate(f, *cert, parts->pkcs8_der ? *parts->pkcs8_der : kNone);
  }
  if (auto cert = crypto::Certificate::from_bytes(data)) return inspect_certificate(f, *cert);
  if (crypto::is_encrypted_pkcs8(data) || crypto::PrivateKey::from_pkcs8(data))
    return inspect_key(f, data);
  return error("inspect", Error{Errc::parse, f.file + " is not a certificate or a PKCS#8 key"});
}

}  // namespace sipcred::app
