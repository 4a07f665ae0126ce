// Our self-signed user certificates, read back by the openssl CLI; openssl's certificates read by
// ours; fingerprints and RFC 4387 keys computed independently with openssl.
#include "crypto/certificate.hpp"

#include <gtest/gtest.h>

#include <set>

#include "support/run.hpp"

namespace sipcred::crypto {
namespace {

using test::run;

WallTime now() {
  return WallTime{std::chrono::seconds{std::time(nullptr)}};
}

struct Made {
  PrivateKey key;
  Certificate cert;
};

Made make(KeyType type, HashAlg alg = HashAlg::sha256,
          std::vector<std::string> uris = {"sip:bob@example.com"}) {
  auto key = PrivateKey::generate(type);
  EXPECT_TRUE(key);
  CertificateRequest req;
  req.uris = std::move(uris);
  req.signature_hash = alg;
  auto cert = make_self_signed(*key, req, now());
  EXPECT_TRUE(cert) << (cert ? "" : cert.error().message());
  return Made{*key, *cert};
}

// REQ PKI-1 PKI-2: X.509v3, issuer = subject, SAN URI with the AOR, Basic Constraints CA=false
// critical, key usage per key type, SKI, SHA-256 by default; openssl agrees on every field.
TEST(Certificate, SelfSignedFieldsAsOpensslReadsThem) {
  test::TempDir dir;
  const std::tuple<KeyType, HashAlg, const char*, const char*> cases[] = {
      {KeyType::rsa2048, HashAlg::sha256, "sha256WithRSAEncryption",
       "Digital Signature, Key Encipherment"},
      {KeyType::rsa2048, HashAlg::sha1, "sha1WithRSAEncryption",
       "Digital Signature, Key Encipherment"},
      {KeyType::ec_p256, HashAlg::sha256, "ecdsa-with-SHA256", "Digital Signature, Key Agreement"}};
  for (auto [type, alg, sigalg, usage] : cases) {
    Made m = make(type, alg, {"sip:bob@example.com", "sips:bob@example.com", "im:bob@example.com"});
    test::write_bytes(dir / "c.der", m.cert.der());
    auto text = run("openssl x509 -inform DER -in " + (dir / "c.der") + " -noout -text");
    ASSERT_EQ(text.status, 0) << text.out;
    for (const char* want :
         {"Version: 3 (0x2)",
          "URI:sip:bob@example.com, URI:sips:bob@example.com, URI:im:bob@example.com",
          "X509v3 Basic Constraints: critical", "CA:FALSE", "X509v3 Key Usage: critical",
          "X509v3 Subject Key Identifier", "Issuer: CN = bob@example.com",
          "Subject: CN = bob@example.com", sigalg, usage}) {
      EXPECT_NE(text.out.find(want), std::string::npos) << want << "\n" << text.out;
    }
    // Self-signed: its own trust anchor.
    auto pem = run("openssl x509 -inform DER -in " + (dir / "c.der") + " -out " + (dir / "c.pem") +
                   " && openssl verify -CAfile " + (dir / "c.pem") + " " + (dir / "c.pem"));
    EXPECT_EQ(pem.status, 0) << pem.out;
    EXPECT_NE(pem.out.find(": OK"), std::string::npos) << pem.out;
    EXPECT_TRUE(m.cert.self_signed());
    EXPECT_EQ(m.cert.signature_algorithm(), sigalg);
    EXPECT_EQ(m.cert.basic_constraints_ca(), false);
    EXPECT_TRUE(m.cert.basic_constraints_critical());
  }
}

// REQ PKI-3: a year or less, with jitter, backdated a little.
TEST(Certificate, ValidityWithJitter) {
  auto key = PrivateKey::generate(KeyType::ec_p256);
  CertificateRequest req;
  req.uris = {"sip:bob@example.com"};
  WallTime t = now();
  std::set<int64_t> ends;
  for (int i = 0; i < 4; ++i) {
    auto c = make_self_signed(*key, req, t);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->not_before(), t - std::chrono::seconds{300});
    auto life = (c->not_after() - t).count();
    EXPECT_LE(life, 365 * 86400);
    EXPECT_GE(life, 365 * 86400 - 7 * 86400);
    ends.insert(life);
  }
  EXPECT_GT(ends.size(), 1u);  // jitter: not all the same
  req.days = 400;
  EXPECT_FALSE(make_self_signed(*key, req, t));
  req.days = 30;
  req.uris.clear();
  EXPECT_FALSE(make_self_signed(*key, req, t));
}

TEST(Certificate, SerialIsRandom128BitPositive) {
  Made a = make(KeyType::ec_p256);
  Made b = make(KeyType::ec_p256);
  EXPECT_NE(a.cert.serial_hex(), b.cert.serial_hex());
  EXPECT_LE(a.cert.serial_hex().size(), 32u);
  EXPECT_GE(a.cert.serial_hex().size(), 31u);
}

TEST(Certificate, FingerprintsMatchOpenssl) {
  test::TempDir dir;
  Made m = make(KeyType::ec_p256);
  test::write_bytes(dir / "c.der", m.cert.der());
  for (auto [alg, flag] :
       {std::pair{HashAlg::sha256, "-sha256"}, std::pair{HashAlg::sha1, "-sha1"}}) {
    auto fp =
        run("openssl x509 -inform DER -in " + (dir / "c.der") + " -noout -fingerprint " + flag);
    ASSERT_EQ(fp.status, 0);
    std::string expected = fp.out.substr(fp.out.find('=') + 1);
    expected.erase(expected.find_last_not_of("\r\n") + 1);
    EXPECT_EQ(to_colon_hex(m.cert.fingerprint(alg)), expected);
  }
}

// RFC 4387 §2.1: base64 of SHA-1, trailing '=' dropped; computed here with openssl dgst/base64.
TEST(Certificate, Rfc4387SearchKeys) {
  test::TempDir dir;
  Made m = make(KeyType::rsa2048);
  test::write_bytes(dir / "c.der", m.cert.der());
  auto keys = m.cert.rfc4387_keys();
  auto cert_hash = run("openssl dgst -sha1 -binary " + (dir / "c.der") + " | openssl base64 -A");
  std::string expected = cert_hash.out;
  while (!expected.empty() && (expected.back() == '=' || expected.back() == '\n'))
    expected.pop_back();
  EXPECT_EQ(keys.cert_hash, expected);
  EXPECT_EQ(keys.cert_hash.size(), 27u);
  // sKIDHash: the SKI octets as openssl prints them, hashed by openssl.
  auto ski = run("openssl x509 -inform DER -in " + (dir / "c.der") +
                 " -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :\\n' | xxd -r -p | "
                 "openssl dgst -sha1 -binary | openssl base64 -A");
  std::string skid = ski.out;
  while (!skid.empty() && (skid.back() == '=' || skid.back() == '\n')) skid.pop_back();
  EXPECT_EQ(keys.skid_hash, skid);
  EXPECT_EQ(keys.s_hash, keys.i_hash);  // self-signed: issuer = subject
  EXPECT_EQ(keys.i_and_s_hash.size(), 27u);
  EXPECT_NE(keys.i_and_s_hash, keys.i_hash);
}

TEST(Certificate, ReadsOpensslCertificates) {
  test::TempDir dir;
  auto made = run("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + (dir / "k.pem") +
                  " -out " + (dir / "c.pem") +
                  " -days 30 -subj /CN=alice -addext "
                  "subjectAltName=URI:sip:alice@example.com,DNS:example.com,IP:192.0.2.1 "
                  "-addext basicConstraints=critical,CA:TRUE && openssl x509 -in " +
                  (dir / "c.pem") + " -outform DER -out " + (dir / "c.der"));
  ASSERT_EQ(made.status, 0) << made.out;
  auto pem = Certificate::from_bytes(test::read_bytes(dir / "c.pem"));
  auto der = Certificate::from_bytes(test::read_bytes(dir / "c.der"));
  ASSERT_TRUE(pem && der);
  EXPECT_EQ(pem->der(), der->der());
  EXPECT_EQ(der->san_uris(), std::vector<std::string>{"sip:alice@example.com"});
  EXPECT_EQ(der->san_dns(), std::vector<std::string>{"example.com"});
  EXPECT_EQ(der->san_ips(), std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(der->basic_constraints_ca(), true);
  EXPECT_EQ(der->subject(), "CN=alice");
  auto key = PrivateKey::from_pem(test::read_file_text(dir / "k.pem"));
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->matches(der->public_key()));
}

TEST(Certificate, RefusesWhatIsNotOneDerCertificate) {
  Made m = make(KeyType::ec_p256);
  Bytes trailing = m.cert.der();
  trailing.push_back(0x00);
  auto t = Certificate::from_der(trailing);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().detail, "trailing bytes after the certificate");
  Bytes cut(m.cert.der().begin(), m.cert.der().end() - 10);
  EXPECT_FALSE(Certificate::from_der(cut));
  EXPECT_FALSE(Certificate::from_der({}));
  EXPECT_FALSE(
      Certificate::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
}

}  // namespace
}  // namespace sipcred::crypto
