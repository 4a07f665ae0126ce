// `sipcred keygen` and `sipcred inspect` through the real binary; openssl judges the files.
#include <gtest/gtest.h>

#include "support/run.hpp"

namespace sipcred::app {
namespace {

using test::run;
const std::string kBin = SIPCRED_BINARY;

TEST(Cli, KeygenWritesWhatOpensslAccepts) {
  test::TempDir dir;
  test::write_bytes(dir / "pass", test::bytes_of("open sesame\n"));
  auto kg =
      run(kBin +
          " keygen --aor sip:bob@example.com --uri im:bob@example.com --key ec-p256 --days 90 "
          "--iterations 5000 --passphrase-file " +
          (dir / "pass") + " --out " + (dir / "cred"));
  ASSERT_EQ(kg.status, 0) << kg.out;
  EXPECT_NE(kg.out.find("SHA-256 fingerprint: "), std::string::npos);
  // The fingerprint printed is the one openssl computes.
  auto fp = run("openssl x509 -inform DER -in " + (dir / "cred/cert.der") +
                " -noout -fingerprint -sha256");
  std::string expected = fp.out.substr(fp.out.find('=') + 1, 95);
  EXPECT_NE(kg.out.find("SHA-256 fingerprint: " + expected), std::string::npos) << kg.out << fp.out;
  auto text = run("openssl x509 -inform DER -in " + (dir / "cred/cert.der") + " -noout -text");
  EXPECT_NE(text.out.find("URI:sip:bob@example.com, URI:im:bob@example.com"), std::string::npos);
  auto key = run(
      "openssl pkcs8 -inform DER -in " + (dir / "cred/key.p8") + " -passin file:" + (dir / "pass") +
      " -out " + (dir / "k.pem") + " && openssl x509 -inform DER -in " + (dir / "cred/cert.der") +
      " -noout -pubkey > " + (dir / "a.pub") + " && openssl pkey -in " + (dir / "k.pem") +
      " -pubout > " + (dir / "b.pub") + " && cmp " + (dir / "a.pub") + " " + (dir / "b.pub"));
  EXPECT_EQ(key.status, 0) << key.out;
  EXPECT_EQ(run("stat -c %a " + (dir / "cred/key.p8")).out, "600\n");
}

TEST(Cli, InspectReportsRules) {
  test::TempDir dir;
  ASSERT_EQ(
      run(kBin + " keygen --aor sip:bob@example.com --key ec-p256 --out " + (dir / "c")).status, 0);
  auto ok = run(kBin + " inspect " + (dir / "c/cert.der"));
  EXPECT_EQ(ok.status, 0) << ok.out;
  EXPECT_NE(ok.out.find("publish: accepted"), std::string::npos) << ok.out;
  // Checked for another AOR, both rule sets refuse and say why (PUB-3, HTTP-5).
  auto other = run(kBin + " inspect --json --aor sip:alice@example.com " + (dir / "c/cert.der"));
  EXPECT_EQ(other.status, 1);
  EXPECT_NE(
      other.out.find(
          R"("reason":"subject-alt-name: SubjectAltName URI sip:bob@example.com is not sip:alice@example.com")"),
      std::string::npos)
      << other.out;
  auto valid_json =
      run(kBin + " inspect --json " + (dir / "c/cert.der") + " | python3 -m json.tool");
  EXPECT_EQ(valid_json.status, 0) << valid_json.out;
  auto key = run(kBin + " inspect " + (dir / "c/key.p8"));
  EXPECT_EQ(key.status, 0);
  EXPECT_NE(key.out.find("PrivateKeyInfo (not encrypted)"), std::string::npos);
  auto junk = run(kBin + " inspect " + (dir / "c"));
  EXPECT_EQ(junk.status, 2);
}

TEST(Cli, InspectWrongPassphrase) {
  test::TempDir dir;
  test::write_bytes(dir / "pass", test::bytes_of("right"));
  test::write_bytes(dir / "bad", test::bytes_of("wrong"));
  ASSERT_EQ(
      run(kBin +
          " keygen --aor sip:bob@example.com --key ec-p256 --iterations 5000 --passphrase-file " +
          (dir / "pass") + " --out " + (dir / "c"))
          .status,
      0);
  auto r = run(kBin + " inspect --passphrase-file " + (dir / "bad") + " " + (dir / "c/key.p8") +
               " < /dev/null");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("wrong passphrase"), std::string::npos) << r.out;
  auto good = run(kBin + " inspect --passphrase-file " + (dir / "pass") + " " + (dir / "c/key.p8"));
  EXPECT_EQ(good.status, 0) << good.out;
  EXPECT_NE(good.out.find("EncryptedPrivateKeyInfo"), std::string::npos);
}

// A CRED-4 credential body (written by hand here, per RFC 2046 §5.1.1 and the seed's §7) is read
// by inspect, and the decrypted key is checked against the certificate.
TEST(Cli, InspectCredentialBody) {
  test::TempDir dir;
  test::write_bytes(dir / "pass", test::bytes_of("pw"));
  ASSERT_EQ(
      run(kBin +
          " keygen --aor sip:bob@example.com --key ec-p256 --iterations 5000 --passphrase-file " +
          (dir / "pass") + " --out " + (dir / "c"))
          .status,
      0);
  ASSERT_EQ(
      run(kBin + " keygen --aor sip:bob@example.com --key ec-p256 --out " + (dir / "plain")).status,
      0);
  auto body = [&](const std::string& key_file) {
    auto cert = test::read_bytes(dir / "c/cert.der");
    auto key = test::read_bytes(key_file);
    std::string b =
        "--xYzZY\r\nContent-Type: application/pkix-cert\r\nContent-Disposition: signal\r\n"
        "Content-Transfer-Encoding: binary\r\n\r\n";
    b.append(cert.begin(), cert.end());
    b += "\r\n--xYzZY\r\nContent-Type: application/pkcs8\r\nContent-Disposition: signal\r\n"
         "Content-Transfer-Encoding: binary\r\n\r\n";
    b.append(key.begin(), key.end());
    b += "\r\n--xYzZY--\r\n";
    return test::bytes_of(b);
  };
  test::write_bytes(dir / "body", body(dir / "c/key.p8"));
  auto r = run(kBin + " inspect --passphrase-file " + (dir / "pass") + " " + (dir / "body"));
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("credential body: certificate and PKCS#8 key"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the decrypted key is the certificate's"), std::string::npos) << r.out;
  // Another device's key inside: it opens, but is not this certificate's.
  test::write_bytes(dir / "body2", body(dir / "plain/key.p8"));
  auto mixed = run(kBin + " inspect " + (dir / "body2"));
  EXPECT_EQ(mixed.status, 1) << mixed.out;
  EXPECT_NE(mixed.out.find("key-encrypted"), std::string::npos) << mixed.out;  // PUB-7 default
  std::string cut = test::read_file_text(dir / "body");
  test::write_bytes(dir / "body3", test::bytes_of(cut.substr(0, cut.size() - 12)));
  EXPECT_EQ(run(kBin + " inspect " + (dir / "body3")).status, 2);  // no close delimiter
}

TEST(Cli, KeygenRefusesBadInput) {
  test::TempDir dir;
  EXPECT_EQ(run(kBin + " keygen --aor bob --key rsa2048 --out " + (dir / "x")).status,
            2);  // no host
  EXPECT_EQ(run(kBin + " keygen --aor sip:bob@example.com --key dsa --out " + (dir / "x")).status,
            2);
  EXPECT_EQ(
      run(kBin + " keygen --aor sip:bob@example.com --days 800 --key ec-p256 --out " + (dir / "x"))
          .status,
      2);
}

}  // namespace
}  // namespace sipcred::app
