// Self-signed TLS server certificates (server_certificate.hpp), judged by the openssl CLI.
#include "crypto/server_certificate.hpp"

#include <gtest/gtest.h>

#include "support/run.hpp"

namespace sipcred::crypto {
namespace {

using test::run;
const WallTime kNow{std::chrono::seconds{1'795'000'000}};  // 2026-11-18T11:06:40Z

TEST(ServerCertificate, RsaWithDnsAndIpv6NamesAsOpensslReadsIt) {
  auto key = PrivateKey::generate(KeyType::rsa2048);
  ASSERT_TRUE(key);
  ServerCertificateRequest req;
  req.dns = {"sip.example.com", "example.com"};
  req.ips = {"::1", "192.0.2.7"};
  req.days = 30;
  auto cert = make_self_signed_server(*key, req, kNow);
  ASSERT_TRUE(cert) << cert.error().message();
  test::TempDir dir;
  test::write_bytes(dir / "c.pem", as_bytes(certificate_pem(*cert)));
  test::write_bytes(dir / "k.pem", as_bytes(private_key_pem(*key)));
  auto text = run("openssl x509 -in " + (dir / "c.pem") + " -noout -text");
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_NE(text.out.find("DNS:sip.example.com, DNS:example.com, IP Address:0:0:0:0:0:0:0:1, "
                          "IP Address:192.0.2.7"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("Subject: CN = sip.example.com"), std::string::npos);
  EXPECT_NE(text.out.find("Digital Signature, Key Encipherment"), std::string::npos);
  EXPECT_NE(text.out.find("TLS Web Server Authentication"), std::string::npos);
  // 2026-11-18T11:06:40Z less the 300 s backdating, plus 30 days.
  auto dates = run("openssl x509 -in " + (dir / "c.pem") + " -noout -dates -dateopt iso_8601");
  EXPECT_EQ(dates.out, "notBefore=2026-11-18 11:01:40Z\nnotAfter=2026-12-18 11:06:40Z\n");
  // Self-signed and verifiable as its own trust anchor for the names it holds; not a CA.
  EXPECT_EQ(
      run("openssl verify -CAfile " + (dir / "c.pem") + " -attime 1795000000 " + (dir / "c.pem"))
          .status,
      0);
  EXPECT_EQ(run("openssl pkey -in " + (dir / "k.pem") + " -pubout").out,
            run("openssl x509 -in " + (dir / "c.pem") + " -noout -pubkey").out);
  // RFC 7468 §2: base64 lines of 64 characters.
  auto lines = run("sed -n 2p " + (dir / "c.pem") + " | tr -d '\\n' | wc -c");
  EXPECT_EQ(lines.out, "64\n");
}

TEST(ServerCertificate, RefusesWhatItCannotName) {
  auto key = PrivateKey::generate(KeyType::ec_p256);
  ASSERT_TRUE(key);
  auto none = make_self_signed_server(*key, {}, kNow);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::invalid_argument);
  ServerCertificateRequest bad_ip;
  bad_ip.ips = {"127.0.0.256"};
  auto ip = make_self_signed_server(*key, bad_ip, kNow);
  ASSERT_FALSE(ip);
  EXPECT_EQ(ip.error().detail, "not an IP address: 127.0.0.256");
  ServerCertificateRequest long_life;
  long_life.dns = {"localhost"};
  long_life.days = 1000;
  EXPECT_FALSE(make_self_signed_server(*key, long_life, kNow));
}

}  // namespace
}  // namespace sipcred::crypto
