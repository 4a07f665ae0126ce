#include "pki/validate.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "sip/scanner.hpp"
#include "sip/uri.hpp"

namespace sipcred::pki {

bool Verdict::ok() const {
  return std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.passed; });
}

std::string Verdict::reason() const {
  for (const auto& c : checks) {
    if (!c.passed) return c.rule + ": " + c.detail;
  }
  return {};
}

void Verdict::add(std::string rule, bool passed, std::string detail) {
  checks.push_back(Check{std::move(rule), passed, std::move(detail)});
}

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out) c = sip::chars::lower(c);
  return out;
}

std::string trim_dot(std::string s) {
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

bool same_aor(const Aor& a, const Aor& b) {
  return a.user == b.user && a.host == b.host;
}

// Every SubjectAltName URI must name the AOR; at least one must exist.
void check_uris(Verdict& v, const crypto::Certificate& cert, const Aor& aor, const char* rule) {
  auto uris = cert.san_uris();
  if (uris.empty()) {
    v.add(rule, false,
          cert.has_san() ? "no SubjectAltName URI (the AOR must be one)"
                         : "no SubjectAltName (the AOR must be a SubjectAltName URI)");
    return;
  }
  for (const auto& u : uris) {
    auto uh = user_and_host(u);
    if (!uh || !same_aor(*uh, aor)) {
      v.add(rule, false, "SubjectAltName URI " + u + " is not " + aor.text());
      return;
    }
  }
  v.add(rule, true, std::to_string(uris.size()) + " URI(s), all " + aor.text());
}

void check_validity(Verdict& v, const crypto::Certificate& cert, WallTime now) {
  v.add("not-before", cert.not_before() <= now,
        cert.not_before() <= now ? "valid since " + to_iso8601(cert.not_before())
                                 : "not valid before " + to_iso8601(cert.not_before()));
  v.add("not-after", cert.not_after() > now,
        cert.not_after() > now ? "valid until " + to_iso8601(cert.not_after())
                               : "expired at " + to_iso8601(cert.not_after()));
}

}  // namespace

Result<Aor> parse_aor(std::string_view text) {
  std::string with_scheme =
      text.find(':') == std::string_view::npos ? "sip:" + std::string{text} : std::string{text};
  auto uri = sip::parse_uri(with_scheme);
  if (!uri) return fail(Errc::invalid_argument, "not an AOR: " + uri.error().detail);
  if (!uri->is_sip() || !uri->has_user) {
    return fail(Errc::invalid_argument, "an AOR is a sip: or sips: URI with a user part");
  }
  auto user = sip::unescape(uri->user);
  if (!user) return fail(Errc::invalid_argument, "bad escape in the AOR's user part");
  return Aor{*user, lower(trim_dot(std::string{uri->host.text}))};
}

std::optional<Aor> user_and_host(std::string_view text) {
  auto uri = sip::parse_uri(text);
  if (!uri) return std::nullopt;
  if (uri->is_sip()) {
    if (!uri->has_user) return std::nullopt;
    auto user = sip::unescape(uri->user);
    if (!user) return std::nullopt;
    return Aor{*user, lower(trim_dot(std::string{uri->host.text}))};
  }
  // im:user@host, pres:user@host, mailto:user@host (RFC 3860, RFC 3859, RFC 6068): the user is
  // everything before the last "@", the host what follows up to a parameter or query.
  std::string_view rest = uri->scheme == sip::Scheme::other ? uri->opaque : std::string_view{};
  rest = rest.substr(0, rest.find_first_of(";?"));
  size_t at = rest.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == rest.size()) return std::nullopt;
  auto user = sip::unescape(rest.substr(0, at));
  if (!user) return std::nullopt;
  return Aor{*user, lower(trim_dot(std::string{rest.substr(at + 1)}))};
}

namespace {

void check_basic_constraints(Verdict& v, const crypto::Certificate& cert) {
  auto ca = cert.basic_constraints_ca();
  v.add("basic-constraints", !ca || !*ca,
        !ca ? "absent" : (*ca ? "CA=true: a CA certificate is not a user credential" : "CA=false"));
}

void check_key_strength(Verdict& v, const crypto::Certificate& cert, const KeyPolicy& policy) {
  auto pub = cert.public_key();
  int bits = pub.bits();
  bool strong = pub.algorithm() == "RSA"  ? bits >= policy.min_rsa_bits
                : pub.algorithm() == "EC" ? bits >= policy.min_ec_bits
                                          : false;
  v.add("key-strength", strong,
        pub.algorithm() + " " + std::to_string(bits) + " bits" +
            (strong ? ""
                    : " (minimum RSA " + std::to_string(policy.min_rsa_bits) + ", EC " +
                          std::to_string(policy.min_ec_bits) + ")"));
}

}  // namespace

Verdict check_publish(const crypto::Certificate& cert, const Aor& authorized, WallTime now,
                      const PublishPolicy& policy, std::span<const uint8_t> pkcs8) {
  Verdict v;
  check_uris(v, cert, authorized, "subject-alt-name");  // REQ PUB-3
  check_validity(v, cert, now);                         // REQ PUB-3
  check_basic_constraints(v, cert);                     // REQ PUB-3
  check_key_strength(v, cert, policy);
  if (pkcs8.empty()) return v;
  if (crypto::is_encrypted_pkcs8(pkcs8)) {
    // REQ PUB-7: style 2, encrypted under a passphrase the server never sees.
    auto info = crypto::pbes2_info(pkcs8);
    bool sane = info && info->iterations >= 1 && info->iterations <= crypto::kMaxPbkdf2Iterations;
    v.add("key-format", sane,
          !info  ? "the encrypted key is not PBES2: " + info.error().detail
          : sane ? "PBES2, " + info->prf + ", " + std::to_string(info->iterations) +
                       " iterations, " + info->cipher
                 : "PBKDF2 iteration count " + std::to_string(info->iterations) + " out of range");
    return v;
  }
  auto key = crypto::PrivateKey::from_pkcs8(pkcs8);
  if (!key) {
    v.add("key-format", false,
          "the key part is not a PKCS#8 PrivateKeyInfo: " + key.error().detail);
    return v;
  }
  v.add("key-encrypted", policy.allow_unencrypted_key,  // REQ PUB-7
        policy.allow_unencrypted_key
            ? "unencrypted, allowed by policy"
            : "the private key is not encrypted; this service stores only keys encrypted with the "
              "user's passphrase");
  bool match = key->matches(cert.public_key());  // REQ PUB-3
  v.add(
      "key-matches", match,
      match ? "the private key is the certificate's" : "the private key is not the certificate's");
  return v;
}

Verdict check_caller(const crypto::Certificate& cert, const Aor& original, WallTime now,
                     const KeyPolicy& policy) {
  Verdict v;
  check_uris(v, cert, original, "subject-alt-name");  // REQ HTTP-5
  check_validity(v, cert, now);                       // REQ HTTP-6
  check_basic_constraints(v, cert);
  check_key_strength(v, cert, policy);
  return v;
}

Verdict check_tls_server(const crypto::Certificate& cert, std::string_view expected,
                         const TlsNamePolicy& policy) {
  Verdict v;
  std::string want = lower(trim_dot(std::string{expected}));
  unsigned char buf[16];
  bool want_ip =
      inet_pton(AF_INET, want.c_str(), buf) == 1 || inet_pton(AF_INET6, want.c_str(), buf) == 1;
  if (want_ip) {
    for (const auto& ip : cert.san_ips()) {
      if (lower(ip) == want) {
        v.add("server-name", true, "IP address " + ip);
        return v;
      }
    }
    v.add("server-name", false, "no IP SubjectAltName " + want);
    return v;
  }
  for (const auto& dns : cert.san_dns()) {
    std::string name = lower(trim_dot(dns));
    if (name == want) {
      v.add("server-name", true, "DNS name " + dns);
      return v;
    }
    // "*.example.com" stands for exactly one label, and only when allowed.
    if (policy.allow_wildcard && name.size() > 2 && name.compare(0, 2, "*.") == 0) {
      size_t dot = want.find('.');
      if (dot != std::string::npos && dot > 0 && want.substr(dot) == name.substr(1)) {
        v.add("server-name", true, "wildcard DNS name " + dns);
        return v;
      }
    }
  }
  if (!cert.has_san()) {
    v.add("server-name", false, "no SubjectAltName (the subject CN is never used)");
    return v;
  }
  std::string names;
  for (const auto& dns : cert.san_dns()) names += (names.empty() ? "" : ", ") + dns;
  v.add("server-name", false,
        "no DNS SubjectAltName equals " + want + (names.empty() ? "" : " (has " + names + ")"));
  return v;
}

}  // namespace sipcred::pki
