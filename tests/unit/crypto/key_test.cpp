// PKCS#8 and key handling checked against the openssl CLI in both directions.
#include "crypto/key.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "support/run.hpp"

namespace sipcred::crypto {
namespace {

using test::run;

constexpr Pbes2 kFastAes{Pbes2::Prf::hmac_sha256, Pbes2::Cipher::aes256_cbc, 2048};
constexpr Pbes2 kFastDes3{Pbes2::Prf::hmac_sha1, Pbes2::Cipher::des_ede3_cbc, 2048};

TEST(Key, GenerateEachType) {
  const std::tuple<KeyType, const char*, int> types[] = {{KeyType::rsa2048, "RSA", 2048},
                                                         {KeyType::rsa3072, "RSA", 3072},
                                                         {KeyType::ec_p256, "EC", 256}};
  for (auto [type, alg, bits] : types) {
    auto k = PrivateKey::generate(type);
    ASSERT_TRUE(k) << k.error().message();
    EXPECT_EQ(k->algorithm(), alg);
    EXPECT_EQ(k->bits(), bits);
  }
  EXPECT_EQ(PrivateKey::generate(KeyType::ec_p256)->public_key().curve(), "P-256");
  EXPECT_FALSE(parse_key_type("dsa1024"));
}

// REQ PKI-4: our EncryptedPrivateKeyInfo (both PBES2 profiles) opens with `openssl pkcs8`, and
// the key inside is ours.
TEST(Key, EncryptedPkcs8OpensInOpenssl) {
  test::TempDir dir;
  auto key = PrivateKey::generate(KeyType::ec_p256);
  ASSERT_TRUE(key);
  test::write_bytes(dir / "pub.der", key->public_key().der());
  for (auto [params, prf, cipher] : {std::tuple{kFastAes, "hmacWithSHA256", "aes-256-cbc"},
                                     std::tuple{kFastDes3, "", "des-ede3-cbc"}}) {
    auto p8 = key->to_encrypted_pkcs8("correct horse", params);
    ASSERT_TRUE(p8) << p8.error().message();
    EXPECT_TRUE(is_encrypted_pkcs8(*p8));
    test::write_bytes(dir / "key.p8", *p8);
    auto parsed = run("openssl asn1parse -inform DER -in " + (dir / "key.p8"));
    ASSERT_EQ(parsed.status, 0) << parsed.out;
    EXPECT_NE(parsed.out.find("PBES2"), std::string::npos) << parsed.out;
    EXPECT_NE(parsed.out.find("PBKDF2"), std::string::npos);
    EXPECT_NE(parsed.out.find(cipher), std::string::npos) << parsed.out;
    // RFC 8018 §A.2: hmacWithSHA1 is the default PRF and is left out of the encoding.
    if (*prf) {
      EXPECT_NE(parsed.out.find(prf), std::string::npos) << parsed.out;
    } else {
      EXPECT_EQ(parsed.out.find("hmacWithSHA256"), std::string::npos) << parsed.out;
    }
    auto opened =
        run("openssl pkcs8 -inform DER -in " + (dir / "key.p8") +
            " -passin 'pass:correct horse' -out " + (dir / "plain.pem") + " && openssl pkey -in " +
            (dir / "plain.pem") + " -pubout -outform DER -out " + (dir / "pub-openssl.der") +
            " && cmp " + (dir / "pub.der") + " " + (dir / "pub-openssl.der"));
    EXPECT_EQ(opened.status, 0) << opened.out;
    auto wrong = run("openssl pkcs8 -inform DER -in " + (dir / "key.p8") + " -passin pass:wrong");
    EXPECT_NE(wrong.status, 0);
  }
}

TEST(Key, DefaultProfileIsAes256Sha256With600kIterations) {
  test::TempDir dir;
  auto key = PrivateKey::generate(KeyType::ec_p256);
  auto p8 = key->to_encrypted_pkcs8("pass phrase");
  ASSERT_TRUE(p8);
  test::write_bytes(dir / "key.p8", *p8);
  auto parsed = run("openssl asn1parse -inform DER -in " + (dir / "key.p8"));
  EXPECT_NE(parsed.out.find("aes-256-cbc"), std::string::npos);
  EXPECT_NE(parsed.out.find("hmacWithSHA256"), std::string::npos);
  EXPECT_NE(parsed.out.find(":0927C0"), std::string::npos) << parsed.out;  // 600000 = 0x0927C0
  auto back = PrivateKey::from_encrypted_pkcs8(*p8, "pass phrase");
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->matches(key->public_key()));
}

// REQ PKI-4: keys made and encrypted by openssl load in ours (the seed's DES3/SHA-1 profile, the
// AES profile, unencrypted PKCS#8 and a traditional PEM key).
TEST(Key, OpensslKeysLoad) {
  test::TempDir dir;
  auto gen = run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " +
                 (dir / "k.pem") + " && openssl pkey -in " + (dir / "k.pem") +
                 " -pubout -outform DER -out " + (dir / "pub.der"));
  ASSERT_EQ(gen.status, 0) << gen.out;
  auto pub = PublicKey::from_der(test::read_bytes(dir / "pub.der"));
  ASSERT_TRUE(pub);
  const std::pair<const char*, const char*> forms[] = {
      {"-v2 des3 -v2prf hmacWithSHA1", "des3.p8"},
      {"-v2 aes-256-cbc -v2prf hmacWithSHA256", "aes.p8"},
      {"-nocrypt", "plain.p8"}};
  for (auto [opts, name] : forms) {
    auto made = run("openssl pkcs8 -topk8 " + std::string{opts} + " -in " + (dir / "k.pem") +
                    " -outform DER -out " + (dir / name) + " -passout pass:s3cret");
    ASSERT_EQ(made.status, 0) << made.out;
    auto der = test::read_bytes(dir / name);
    auto k = PrivateKey::from_any_pkcs8(der, "s3cret");
    ASSERT_TRUE(k) << name << ": " << k.error().message();
    EXPECT_TRUE(k->matches(*pub)) << name;
    if (std::string{name} != "plain.p8") {
      auto bad = PrivateKey::from_any_pkcs8(der, "S3cret");
      ASSERT_FALSE(bad);
      EXPECT_EQ(bad.error().detail, "wrong passphrase (or a damaged encrypted key)");
      auto none = PrivateKey::from_any_pkcs8(der, "");
      EXPECT_FALSE(none);
    }
  }
  auto pem = PrivateKey::from_pem(test::read_file_text(dir / "k.pem"));
  ASSERT_TRUE(pem);
  EXPECT_TRUE(pem->matches(*pub));
}

TEST(Key, SignatureVerifiesWithOpenssl) {
  test::TempDir dir;
  auto key = PrivateKey::generate(KeyType::rsa2048);
  std::string data = "From|To|Call-ID|1 NOTIFY|Date|Contact|body";
  auto sig = key->sign(HashAlg::sha1, as_bytes(data));
  ASSERT_TRUE(sig);
  EXPECT_TRUE(key->public_key().verify(HashAlg::sha1, as_bytes(data), *sig));
  EXPECT_FALSE(key->public_key().verify(HashAlg::sha1, as_bytes(data + "x"), *sig));
  test::write_bytes(dir / "pub.der", key->public_key().der());
  test::write_bytes(dir / "sig", *sig);
  test::write_bytes(dir / "data", as_bytes(data));
  auto v = run("openssl dgst -sha1 -verify " + (dir / "pub.der") + " -keyform DER -signature " +
               (dir / "sig") + " " + (dir / "data"));
  EXPECT_EQ(v.status, 0) << v.out;
  EXPECT_NE(v.out.find("Verified OK"), std::string::npos);
}

// The key keeps its signing contexts and hands them to one thread at a time: signatures made
// back to back, with each hash, and from several threads at once must all be what openssl
// makes. RSA PKCS#1 v1.5 is deterministic (RFC 8017 §8.2.1), so each must equal `openssl dgst
// -sign` over the same bytes; ECDSA is not, so each must verify in openssl.
TEST(Key, ReusedSigningContextsMatchOpensslAcrossHashesAndThreads) {
  test::TempDir dir;
  auto rsa = PrivateKey::generate(KeyType::rsa2048);
  auto ec = PrivateKey::generate(KeyType::ec_p256);
  ASSERT_TRUE(rsa && ec);
  test::write_bytes(dir / "rsa.p8", rsa->to_pkcs8());
  test::write_bytes(dir / "ec.pub", ec->public_key().der());
  const std::string data = "2|sip:alice@example.com|NOTIFY|Sat, 13 Nov 2010 23:29:00 GMT|body";
  test::write_bytes(dir / "data", as_bytes(data));
  auto expected = [&](const char* hash) {
    auto r = run(std::string{"openssl dgst -"} + hash + " -keyform DER -sign " + (dir / "rsa.p8") +
                 " -out " + (dir / "want") + " " + (dir / "data"));
    EXPECT_EQ(r.status, 0) << r.out;
    return test::read_bytes(dir / "want");
  };
  const Bytes want1 = expected("sha1"), want256 = expected("sha256");
  for (int i = 0; i < 3; ++i) {  // the second and third reuse the first's contexts
    EXPECT_EQ(rsa->sign(HashAlg::sha1, as_bytes(data)).value(), want1);
    EXPECT_EQ(rsa->sign(HashAlg::sha256, as_bytes(data)).value(), want256);
  }

  std::vector<Bytes> ec_sigs(4 * 8);
  std::vector<int> rsa_equal(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) {
        ec_sigs[static_cast<size_t>(t * 8 + i)] = ec->sign(HashAlg::sha256, as_bytes(data)).value();
      }
      rsa_equal[static_cast<size_t>(t)] =
          rsa->sign(HashAlg::sha256, as_bytes(data)).value() == want256;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(rsa_equal, std::vector<int>(4, 1));
  for (size_t i = 0; i < ec_sigs.size(); i += 7) {  // 5 of the 32, each checked by openssl
    test::write_bytes(dir / "ec.sig", ec_sigs[i]);
    auto v = run("openssl dgst -sha256 -verify " + (dir / "ec.pub") + " -keyform DER -signature " +
                 (dir / "ec.sig") + " " + (dir / "data"));
    EXPECT_EQ(v.status, 0) << i << ": " << v.out;
  }
  EXPECT_NE(ec_sigs[0], ec_sigs[1]);  // a fresh nonce each time
}

// A hostile iteration count is refused before any work is done; inspect shows the parameters.
TEST(Key, IterationCeiling) {
  test::TempDir dir;
  ASSERT_EQ(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                (dir / "k.pem") + " && openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 20000 -in " +
                (dir / "k.pem") + " -outform DER -out " + (dir / "k.p8") + " -passout pass:pw")
                .status,
            0);
  auto der = test::read_bytes(dir / "k.p8");
  auto info = pbes2_info(der);
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->iterations, 20000);
  EXPECT_EQ(info->cipher, "AES-256-CBC");
  EXPECT_EQ(info->prf, "hmacWithSHA256");
  auto refused = PrivateKey::from_encrypted_pkcs8(der, "pw", 10000);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().detail, "PBKDF2 iteration count 20000 outside 1..10000");
  EXPECT_TRUE(PrivateKey::from_encrypted_pkcs8(der, "pw"));
}

TEST(Key, MalformedInputIsAnError) {
  const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01};
  EXPECT_FALSE(PrivateKey::from_pkcs8(junk));
  EXPECT_FALSE(PrivateKey::from_encrypted_pkcs8(junk, "x"));
  EXPECT_FALSE(PublicKey::from_der(junk));
  EXPECT_FALSE(
      PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
  auto key = PrivateKey::generate(KeyType::ec_p256);
  EXPECT_FALSE(key->to_encrypted_pkcs8(""));
  auto der = key->to_pkcs8();
  der.push_back(0);
  EXPECT_FALSE(PrivateKey::from_pkcs8(der));  // trailing byte
}

}  // namespace
}  // namespace sipcred::crypto
