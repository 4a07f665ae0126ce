// KEA certificates (RFC 2528 §3 / RFC 3279 §2.3.4): reading one built by the openssl CLI field by
// field (tests/data/cms/make_fixtures.sh), and making ones that openssl reads and whose signature
// `openssl dgst -verify` accepts.
#include "cms/rfc2876/kea_cert.hpp"

#include <gtest/gtest.h>

#include "crypto/certificate.hpp"
#include "crypto/hash.hpp"
#include "crypto/key.hpp"
#include "support/run.hpp"
#include "support/vec_file.hpp"

namespace sipcred::cms::rfc2876 {
namespace {

using test::read_vec;

Bytes fixture(const std::string& name) {
  return test::read_bytes((test::data_dir() / "cms" / name).string());
}

crypto::PrivateKey ca_key(const std::string& name) {
  const Bytes pem = fixture(name);
  auto k = crypto::PrivateKey::from_pem(std::string(pem.begin(), pem.end()));
  EXPECT_TRUE(k) << k.error().message();
  return *k;
}

TEST(KeaCert, ReadsACertificateMadeByOpenssl) {
  const auto v = read_vec("rfc2876/kea.vec").at(0);
  auto cert = parse_kea_certificate(fixture("kea_alice_openssl.crt.der"));
  ASSERT_TRUE(cert) << cert.error().message();
  EXPECT_EQ(cert->y, v.bytes("ya"));
  EXPECT_EQ(Bytes(cert->domain_id.begin(), cert->domain_id.end()), v.bytes("domain_id"));
  EXPECT_EQ(cert->fields.subject_key_id, crypto::hash(crypto::HashAlg::sha1, v.bytes("ya")));
  EXPECT_EQ(cert->fields.serial, (Bytes{0x28, 0x76}));
  ASSERT_TRUE(cert->fields.key_usage);
  EXPECT_EQ(*cert->fields.key_usage, kKeyAgreement);
  auto ca = crypto::Certificate::from_der(fixture("ca_rsa.crt.der"));
  ASSERT_TRUE(ca);
  EXPECT_TRUE(verify_certificate_signature(cert->fields, ca->public_key()));
  auto dsa_ca = crypto::Certificate::from_der(fixture("ca_dsa.crt.der"));
  EXPECT_FALSE(verify_certificate_signature(cert->fields, dsa_ca->public_key()));
  // The issuer's own certificate is not a KEA certificate.
  EXPECT_FALSE(parse_kea_certificate(fixture("ca_rsa.crt.der")));
}

TEST(KeaCert, RefusesDamagedCertificates) {
  Bytes der = fixture("kea_alice_openssl.crt.der");
  der.push_back(0);
  EXPECT_FALSE(parse_kea_certificate(der));
  der.pop_back();
  for (size_t cut : {size_t{1}, size_t{10}, der.size() / 2, der.size() - 1}) {
    EXPECT_FALSE(parse_kea_certificate(std::span{der}.first(cut)));
  }
}

// Makes a KEA certificate with each CA, and checks it with the openssl CLI: x509 -text shows the
// algorithm, key usage and names; asn1parse accepts it; dgst -verify accepts the signature over the
// TBSCertificate that asn1parse -strparse extracts. (`openssl verify` cannot: OpenSSL fails to
// decode the KEA key while building the chain.)
TEST(KeaCert, MakesCertificatesOpensslReads) {
  const auto v = read_vec("rfc2876/kea.vec").at(1);
  const KeaDomain d{v.bytes("p"), v.bytes("q"), v.bytes("g")};
  for (const std::string ca : {"rsa", "dsa"}) {
    const Bytes ca_der = fixture("ca_" + ca + ".crt.der");
    KeaCertRequest req;
    req.subject_cn = "bob KEA " + ca;
    req.not_before = WallTime{std::chrono::seconds{1'780'000'000}};
    req.days = 30;
    req.domain_id = kea_domain_identifier(d);
    req.y = v.bytes("yb");
    auto der = make_kea_certificate(req, ca_der, ca_key("ca_" + ca + ".key.pem"));
    ASSERT_TRUE(der) << der.error().message();

    auto back = parse_kea_certificate(*der);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(back->y, v.bytes("yb"));
    EXPECT_EQ(back->domain_id, req.domain_id);
    EXPECT_EQ(back->fields.subject_key_id, crypto::hash(crypto::HashAlg::sha1, v.bytes("yb")));
    auto ca_fields = parse_certificate(ca_der);
    EXPECT_EQ(back->fields.issuer, ca_fields->subject);
    EXPECT_EQ(back->fields.authority_key_id, ca_fields->subject_key_id);
    auto ca_cert = crypto::Certificate::from_der(ca_der);
    EXPECT_TRUE(verify_certificate_signature(back->fields, ca_cert->public_key()));

    test::TempDir tmp;
    test::write_bytes(tmp / "kea.der", *der);
    auto text = test::run("openssl x509 -inform DER -noout -text -in " + tmp / "kea.der");
    EXPECT_NE(text.out.find("Public Key Algorithm: 2.16.840.1.101.2.1.1.22"), std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("Key Agreement"), std::string::npos);
    EXPECT_NE(text.out.find("Subject: CN = bob KEA " + ca), std::string::npos);
    EXPECT_NE(text.out.find("Not Before: May 28 20:26:40 2026 GMT"), std::string::npos);
    auto parsed = test::run("openssl asn1parse -inform DER -in " + tmp / "kea.der");
    EXPECT_EQ(parsed.status, 0) << parsed.out;

    // The signature: the last TLV of the certificate is the signature BIT STRING.
    auto tbs = test::run("openssl asn1parse -inform DER -in " + tmp / "kea.der" +
                         " -strparse 4 -noout -out " + tmp / "tbs.der");
    ASSERT_EQ(tbs.status, 0) << tbs.out;
    const Bytes tbs_der = test::read_bytes(tmp / "tbs.der");
    EXPECT_EQ(tbs_der, back->fields.tbs);
    const size_t sig_len = back->fields.signature.size();
    test::write_bytes(tmp / "sig.bin", std::span{*der}.last(sig_len));
    ASSERT_TRUE(test::run("openssl x509 -inform DER -in " + std::string{SIPCRED_SOURCE_DIR} +
                          "/tests/data/cms/ca_" + ca + ".crt.der -noout -pubkey -out " +
                          tmp / "ca.pub")
                    .status == 0);
    auto verified = test::run("openssl dgst -sha256 -verify " + tmp / "ca.pub" + " -signature " +
                              tmp / "sig.bin " + tmp / "tbs.der");
    EXPECT_EQ(verified.status, 0) << verified.out;
    EXPECT_NE(verified.out.find("Verified OK"), std::string::npos);
  }
}

TEST(KeaCert, PrivateKeyFileRoundTrip) {
  const auto v = read_vec("rfc2876/kea.vec").at(0);
  const KeaDomain d{v.bytes("p"), v.bytes("q"), v.bytes("g")};
  auto pair = kea_key_pair_from_private(d, v.bytes("xa"));
  ASSERT_TRUE(pair);
  const Bytes der = kea_private_key_der(d, *pair);
  test::TempDir tmp;
  test::write_bytes(tmp / "k.der", der);
  EXPECT_EQ(test::run("openssl asn1parse -inform DER -in " + tmp / "k.der").status, 0);
  auto back = parse_kea_private_key(der);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->key.y, v.bytes("ya"));
  EXPECT_EQ(back->key.x, v.bytes("xa"));
  Bytes bad = der;
  bad.back() ^= 1;  // a different x: still a key, but not ours
  auto other = parse_kea_private_key(bad);
  ASSERT_TRUE(other);
  EXPECT_NE(other->key.y, v.bytes("ya"));
  bad.push_back(0);
  EXPECT_FALSE(parse_kea_private_key(bad));
}

}  // namespace
}  // namespace sipcred::cms::rfc2876
