// The rule sets on certificates made by the openssl CLI (an independent maker) and by ours.
#include "pki/validate.hpp"

#include <gtest/gtest.h>

#include "support/run.hpp"

namespace sipcred::pki {
namespace {

using test::run;

WallTime now() {
  return WallTime{std::chrono::seconds{std::time(nullptr)}};
}

// A self-signed certificate from `openssl req` with the given SubjectAltName and Basic
// Constraints (openssl.cnf would otherwise add CA:TRUE to every `req -x509`).
crypto::Certificate openssl_cert(const test::TempDir& dir, const std::string& san,
                                 const std::string& basic_constraints = "critical,CA:FALSE") {
  std::string extra = "-addext basicConstraints=" + basic_constraints;
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
      (dir / "k.pem") + " -outform DER -out " + (dir / "c.der") + " -days 30 -subj /CN=test" +
      (san.empty() ? "" : " -addext subjectAltName=" + san) + " " + extra;
  auto r = run(cmd);
  EXPECT_EQ(r.status, 0) << r.out;
  auto c = crypto::Certificate::from_der(test::read_bytes(dir / "c.der"));
  EXPECT_TRUE(c);
  return *c;
}

TEST(Aor, ParseAndCompare) {
  // RFC 3261 §19.1.4: user unescaped and case-sensitive, host case-insensitive.
  auto a = parse_aor("sip:%61lice@EXAMPLE.com");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->user, "alice");
  EXPECT_EQ(a->host, "example.com");
  EXPECT_EQ(parse_aor("alice@example.com")->text(), "sip:alice@example.com");
  EXPECT_FALSE(parse_aor("sip:example.com"));  // no user
  EXPECT_FALSE(parse_aor("tel:+15551234"));
  auto im = user_and_host("im:alice@Example.COM");
  ASSERT_TRUE(im);
  EXPECT_EQ(im->user, "alice");
  EXPECT_EQ(im->host, "example.com");
  EXPECT_EQ(user_and_host("sips:Alice@example.com")->user, "Alice");  // user stays case-sensitive
  EXPECT_FALSE(user_and_host("https://example.com/"));
}

// REQ-PART HTTP-5: every SubjectAltName URI must name the AOR, any scheme.
TEST(Rules, CallerRequiresEveryUriToNameTheAor) {
  test::TempDir dir;
  Aor alice = *parse_aor("sip:alice@example.com");
  auto good = openssl_cert(
      dir, "URI:sip:alice@example.com,URI:im:alice@example.com,URI:sips:alice@EXAMPLE.COM");
  EXPECT_TRUE(check_caller(good, alice, now()).ok()) << check_caller(good, alice, now()).reason();
  auto foreign = openssl_cert(dir, "URI:sip:alice@example.com,URI:sip:mallory@example.com");
  auto v = check_caller(foreign, alice, now());
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(
      v.reason(),
      "subject-alt-name: SubjectAltName URI sip:mallory@example.com is not sip:alice@example.com");
  auto none = openssl_cert(dir, "DNS:example.com");
  EXPECT_EQ(check_caller(none, alice, now()).reason(),
            "subject-alt-name: no SubjectAltName URI (the AOR must be one)");
  auto sub = openssl_cert(dir, "URI:sip:alice@sub.example.com");
  EXPECT_FALSE(check_caller(sub, alice, now()).ok());
}

// REQ-PART HTTP-6 PUB-3: validity window, checked against a given time.
TEST(Rules, ValidityWindow) {
  test::TempDir dir;
  Aor alice = *parse_aor("sip:alice@example.com");
  auto c = openssl_cert(dir, "URI:sip:alice@example.com");
  EXPECT_TRUE(check_caller(c, alice, now()).ok());
  auto later = check_caller(c, alice, now() + std::chrono::hours{24 * 31});
  EXPECT_FALSE(later.ok());
  EXPECT_EQ(later.reason().substr(0, 22), "not-after: expired at ");
  auto earlier = check_caller(c, alice, now() - std::chrono::hours{2});
  EXPECT_EQ(earlier.reason().substr(0, 27), "not-before: not valid befor");
}

// REQ-PART PUB-3 PUB-7: CA=true, weak keys and a key that is not the certificate's are refused.
TEST(Rules, PublishChecks) {
  test::TempDir dir;
  Aor alice = *parse_aor("sip:alice@example.com");
  auto ca = openssl_cert(dir, "URI:sip:alice@example.com", "critical,CA:TRUE");
  EXPECT_EQ(check_publish(ca, alice, now()).reason(),
            "basic-constraints: CA=true: a CA certificate is not a user credential");
  auto good = openssl_cert(dir, "URI:sip:alice@example.com");
  auto own = crypto::PrivateKey::from_pem(test::read_file_text(dir / "k.pem"));
  ASSERT_TRUE(own);
  PublishPolicy style3;
  style3.allow_unencrypted_key = true;
  EXPECT_TRUE(check_publish(good, alice, now(), style3, own->to_pkcs8()).ok());
  EXPECT_EQ(check_publish(good, alice, now(), {}, own->to_pkcs8()).reason(),
            "key-encrypted: the private key is not encrypted; this service stores only keys "
            "encrypted with the user's passphrase");
  auto other = crypto::PrivateKey::generate(crypto::KeyType::ec_p256);
  EXPECT_EQ(check_publish(good, alice, now(), style3, other->to_pkcs8()).reason(),
            "key-matches: the private key is not the certificate's");
  auto enc = own->to_encrypted_pkcs8(
      "pw", {crypto::Pbes2::Prf::hmac_sha256, crypto::Pbes2::Cipher::aes256_cbc, 2048});
  EXPECT_TRUE(check_publish(good, alice, now(), {}, *enc).ok());
  ASSERT_EQ(run("openssl req -x509 -newkey rsa:1024 -nodes -keyout " + (dir / "k1.pem") +
                " -outform DER -out " + (dir / "weak.der") +
                " -days 30 -subj /CN=w -addext subjectAltName=URI:sip:alice@example.com"
                " -addext basicConstraints=CA:FALSE")
                .status,
            0);
  auto weak = crypto::Certificate::from_der(test::read_bytes(dir / "weak.der"));
  EXPECT_EQ(check_publish(*weak, alice, now()).reason(),
            "key-strength: RSA 1024 bits (minimum RSA 2048, EC 256)");
}

// REQ-PART HTTP-3 TLS-2: exact DNS names, no sub-domains, IPs only against IP SubjectAltNames,
// wildcards only when allowed (RFC 6125 §6.4.3: one whole left-most label).
TEST(Rules, TlsServerName) {
  test::TempDir dir;
  auto c = openssl_cert(dir, "DNS:Example.COM,IP:192.0.2.1");
  EXPECT_TRUE(check_tls_server(c, "example.com").ok());
  EXPECT_TRUE(check_tls_server(c, "EXAMPLE.com.").ok());
  EXPECT_FALSE(check_tls_server(c, "sip.example.com").ok());
  EXPECT_FALSE(check_tls_server(c, "ample.com").ok());
  EXPECT_TRUE(check_tls_server(c, "192.0.2.1").ok());
  EXPECT_FALSE(check_tls_server(c, "192.0.2.2").ok());
  auto wild = openssl_cert(dir, "DNS:*.example.com");
  EXPECT_FALSE(check_tls_server(wild, "sip.example.com").ok());
  EXPECT_TRUE(check_tls_server(wild, "sip.example.com", {true}).ok());
  EXPECT_FALSE(check_tls_server(wild, "a.sip.example.com", {true}).ok());
  EXPECT_FALSE(check_tls_server(wild, "example.com", {true}).ok());
  auto ip_as_dns = openssl_cert(dir, "DNS:192.0.2.1");
  EXPECT_FALSE(check_tls_server(ip_as_dns, "192.0.2.1").ok());  // an IP never matches a DNS name
  auto cn_only = openssl_cert(dir, "");
  EXPECT_EQ(check_tls_server(cn_only, "test").reason(),
            "server-name: no SubjectAltName (the subject CN is never used)");
}

}  // namespace
}  // namespace sipcred::pki
