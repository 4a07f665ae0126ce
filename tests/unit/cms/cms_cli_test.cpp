// `sipcred cms` through the real binary. The AES path is checked against `openssl cms` both ways;
// the SKIPJACK/KEA path, which openssl cannot decrypt, by round trips between independent key
// pairs, by `openssl cms -cmsout -print` / `openssl asn1parse` accepting every message, and by
// refusing tampered ones.
#include <gtest/gtest.h>

#include "support/run.hpp"
#include "support/vec_file.hpp"

namespace sipcred::app {
namespace {

using test::run;
const std::string kBin = SIPCRED_BINARY;
const std::string kData = std::string{SIPCRED_SOURCE_DIR} + "/tests/data/cms/";

// An RSA and an EC recipient made by openssl.
void make_openssl_recipients(const test::TempDir& d) {
  ASSERT_EQ(run("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + d / "rsa.key" +
                " -subj /CN=rsa-recipient -days 30 -out " + d / "rsa.crt")
                .status,
            0);
  ASSERT_EQ(run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                d / "ec.key" + " -subj /CN=ec-recipient -days 30 -out " + d / "ec.crt")
                .status,
            0);
}

TEST(CmsCli, AesInteroperatesWithOpenssl) {
  test::TempDir d;
  make_openssl_recipients(d);
  test::write_bytes(d / "in.txt", test::bytes_of("MESSAGE body for AES\r\n"));
  for (const std::string alg : {"aes128", "aes256"}) {
    auto enc = run(kBin + " cms encrypt --alg " + alg + " --to " + d / "rsa.crt" + " --to " +
                   d / "ec.crt " + d / "in.txt " + d / "env.der");
    ASSERT_EQ(enc.status, 0) << enc.out;
    for (const std::string who : {"rsa", "ec"}) {
      auto dec =
          run("openssl cms -decrypt -binary -inform DER -in " + d / "env.der" + " -recip " +
              d / (who + ".crt") + " -inkey " + d / (who + ".key") + " -out " + d / "out.txt");
      ASSERT_EQ(dec.status, 0) << dec.out;
      EXPECT_EQ(test::read_bytes(d / "out.txt"), test::read_bytes(d / "in.txt"));
    }
    auto printed = run(kBin + " cms print " + d / "env.der");
    EXPECT_EQ(printed.status, 0);
    EXPECT_NE(printed.out.find(alg == "aes128" ? "aes128-CBC" : "aes256-CBC"), std::string::npos)
        << printed.out;
  }
  // openssl encrypts, we decrypt.
  ASSERT_EQ(run("openssl cms -encrypt -binary -aes256 -outform DER -in " + d / "in.txt" + " -out " +
                d / "o.der " + d / "rsa.crt " + d / "ec.crt")
                .status,
            0);
  for (const std::string who : {"rsa", "ec"}) {
    auto dec = run(kBin + " cms decrypt --cert " + d / (who + ".crt") + " --key " +
                   d / (who + ".key ") + d / "o.der " + d / "o.txt");
    ASSERT_EQ(dec.status, 0) << dec.out;
    EXPECT_EQ(test::read_bytes(d / "o.txt"), test::read_bytes(d / "in.txt"));
  }
  auto wrong = run(kBin + " cms decrypt --cert " + d / "rsa.crt" + " --key " + d / "ec.key " +
                   d / "o.der " + d / "o.txt");
  EXPECT_NE(wrong.status, 0);
}

class KeaCli : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string who : {"alice", "bob", "carol", "dave"}) {
      auto kg = run(kBin + " cms kea-keygen --params " + kData + "kea_domain.pem --ca-cert " +
                    kData + "ca_dsa.crt.der --ca-key " + kData + "ca_dsa.key.pem --cn " + who +
                    " --out " + d_ / who);
      ASSERT_EQ(kg.status, 0) << kg.out;
    }
    test::write_bytes(d_ / "in.txt", test::bytes_of("MESSAGE sip:bob@example.com SIP/2.0\r\n"));
  }
  std::string cert(const std::string& who) const { return d_ / (who + "/kea.crt.der"); }
  std::string key(const std::string& who) const { return d_ / (who + "/kea.key.der"); }
  std::string encrypt(const std::string& extra) const {
    return kBin + " cms encrypt --alg skipjack-kea --from " + cert("alice") + " --from-key " +
           key("alice") + " --to " + cert("bob") + " --to " + cert("carol") + " --to " +
           cert("dave") + " " + extra + " " + d_ / "in.txt " + d_ / "env.der";
  }
  test::Ran decrypt(const std::string& who, const std::string& extra = "") const {
    return run(kBin + " cms decrypt --cert " + cert(who) + " --key " + key(who) + " " + extra +
               " " + d_ / "env.der " + d_ / (who + ".out"));
  }
  test::TempDir d_;
};

TEST_F(KeaCli, SharedAndUniqueUkmEveryoneDecrypts) {
  // REQ-PART CMS-5 CMS-7
  for (const std::string ukm : {"shared", "unique"}) {
    auto enc = run(encrypt("--ukm " + ukm));
    ASSERT_EQ(enc.status, 0) << enc.out;
    for (const std::string who : {"alice", "bob", "carol", "dave"}) {
      auto dec = decrypt(who);
      ASSERT_EQ(dec.status, 0) << ukm << " " << who << ": " << dec.out;
      EXPECT_EQ(test::read_bytes(d_ / (who + ".out")), test::read_bytes(d_ / "in.txt"));
    }
    auto printed = run(kBin + " cms print " + d_ / "env.der");
    ASSERT_EQ(printed.status, 0) << printed.out;
    EXPECT_NE(printed.out.find("EnvelopedData version 2"), std::string::npos) << printed.out;
    EXPECT_NE(printed.out.find("ukm 128 octets"), std::string::npos);
    EXPECT_NE(printed.out.find("id-fortezzaWrap80"), std::string::npos);
    EXPECT_NE(printed.out.find(ukm == "shared" ? "recipientInfos: 1" : "recipientInfos: 4"),
              std::string::npos)
        << printed.out;
    auto os = run("openssl cms -cmsout -print -inform DER -in " + d_ / "env.der");
    EXPECT_EQ(os.status, 0) << os.out;
    EXPECT_NE(os.out.find("d.kari"), std::string::npos);
    EXPECT_EQ(run("openssl asn1parse -inform DER -in " + d_ / "env.der").status, 0);
  }
}

TEST_F(KeaCli, OriginatorOutOfBandAndTampering) {
  // REQ-PART CMS-4
  auto enc = run(encrypt("--originator issuer-serial --no-originator-cert"));
  ASSERT_EQ(enc.status, 0) << enc.out;
  auto unknown = decrypt("bob");
  EXPECT_NE(unknown.status, 0);
  EXPECT_NE(unknown.out.find("originator's KEA certificate is not known"), std::string::npos)
      << unknown.out;
  auto known = decrypt("bob", "--originator-cert " + cert("alice"));
  ASSERT_EQ(known.status, 0) << known.out;
  // Flip one octet of every wrapped key (each follows "04 0c"): the check word refuses it.
  auto bytes = test::read_bytes(d_ / "env.der");
  for (size_t i = 0; i + 14 <= bytes.size(); ++i) {
    if (bytes[i] == 0x04 && bytes[i + 1] == 0x0c) bytes[i + 5] ^= 0x10;
  }
  test::write_bytes(d_ / "env.der", bytes);
  auto tampered = decrypt("carol", "--originator-cert " + cert("alice"));
  EXPECT_NE(tampered.status, 0);
  EXPECT_NE(tampered.out.find("FORTEZZA wrap check word mismatch"), std::string::npos)
      << tampered.out;
  // A KEA certificate is refused for AES (OpenSSL cannot use a KEA key), and vice versa.
  EXPECT_NE(run(kBin + " cms encrypt --alg aes128 --to " + cert("bob") + " " + d_ / "in.txt " +
                d_ / "x.der")
                .status,
            0);
  auto no_from = run(kBin + " cms encrypt --alg skipjack-kea --to " + cert("bob") + " " +
                     d_ / "in.txt " + d_ / "x.der");
  EXPECT_NE(no_from.out.find("needs --from and --from-key"), std::string::npos);
}

}  // namespace
}  // namespace sipcred::app
