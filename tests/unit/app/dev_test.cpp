// `sipcred serve --dev` through the real binary on loopback: the development domain's certificate
// as openssl reads it, a TLS handshake verified against it by `openssl s_client`, the key's mode,
// and the same identity after a restart.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "support/run.hpp"

namespace sipcred::app {
namespace {

using test::run;
const std::string kBin = SIPCRED_BINARY;

// A `sipcred serve` in the background, stopped (SIGTERM, then waited for) when destroyed.
class Server {
 public:
  Server(const std::string& args, const std::string& log) : log_(log) {
    auto r = run(kBin + " serve " + args + " > " + log + " 2>&1 & echo $!");
    pid_ = std::stoi(r.out);
    for (int i = 0; i < 100 && !ready(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
  }
  ~Server() {
    run("kill " + std::to_string(pid_) + "; while kill -0 " + std::to_string(pid_) +
        " 2>/dev/null; do sleep 0.05; done");
  }
  bool ready() const { return test::read_file_text(log_).find(" ready ") != std::string::npos; }
  std::string log() const { return test::read_file_text(log_); }

 private:
  std::string log_;
  int pid_ = 0;
};

int free_port() {
  std::random_device rd;
  return 20000 + static_cast<int>(rd() % 20000) / 2 * 2;
}

TEST(Dev, SelfSignedLocalhostIdentityServedOverTlsAndKept) {
  test::TempDir dir;
  std::string data = dir / "data";
  int port = free_port();
  std::string listen = " --sip-listen 127.0.0.1:" + std::to_string(port) +
                       " --tls-listen 127.0.0.1:" + std::to_string(port + 1);
  std::string cert = std::filesystem::absolute(data + "/dev-tls/localhost.pem").string();
  std::string key = data + "/dev-tls/localhost.key";
  std::string first;
  {
    Server s{"--dev --data-dir " + data + listen, dir / "serve.log"};
    ASSERT_TRUE(s.ready()) << s.log();
    // One line tells where the certificate is, to make a client trust it.
    EXPECT_NE(s.log().find("self-signed certificate " + cert + " (made now"), std::string::npos)
        << s.log();
    EXPECT_NE(s.log().find("SIP listening on TLS 127.0.0.1:" + std::to_string(port + 1)),
              std::string::npos);

    auto text = run("openssl x509 -in " + cert + " -noout -text");
    ASSERT_EQ(text.status, 0) << text.out;
    EXPECT_NE(text.out.find("DNS:localhost, IP Address:127.0.0.1"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("CA:FALSE"), std::string::npos);
    EXPECT_NE(text.out.find("ASN1 OID: prime256v1"), std::string::npos);
    EXPECT_NE(text.out.find("Subject: CN = localhost"), std::string::npos);
    // One year: valid for 364 more days, not for 366.
    EXPECT_EQ(run("openssl x509 -in " + cert + " -noout -checkend 31449600").status, 0);
    EXPECT_NE(run("openssl x509 -in " + cert + " -noout -checkend 31622400").status, 0);
    EXPECT_EQ(run("stat -c %a " + key).out, "600\n");
    // The key is the certificate's (openssl pkey reads our PEM).
    EXPECT_EQ(run("openssl pkey -in " + key + " -pubout").out,
              run("openssl x509 -in " + cert + " -noout -pubkey").out);

    // A client that trusts only this file completes the handshake, by name and by address.
    for (std::string check :
         {"-verify_hostname localhost -servername localhost", "-verify_ip 127.0.0.1"}) {
      auto hs =
          run("echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(port + 1) +
              " -CAfile " + cert + " " + check + " -verify_return_error");
      EXPECT_NE(hs.out.find("Verify return code: 0 (ok)"), std::string::npos) << hs.out;
    }
    first = test::read_file_text(cert);
  }
  // Restarted: the same certificate, said to be kept.
  Server again{"--dev --data-dir " + data + listen, dir / "again.log"};
  ASSERT_TRUE(again.ready()) << again.log();
  EXPECT_NE(again.log().find("(kept from an earlier start"), std::string::npos) << again.log();
  EXPECT_EQ(test::read_file_text(cert), first);
}

TEST(Dev, WithoutDevNothingChanges) {
  test::TempDir dir;
  std::string data = dir / "data";
  int port = free_port();
  Server s{"--data-dir " + data + " --sip-listen 127.0.0.1:" + std::to_string(port),
           dir / "serve.log"};
  ASSERT_TRUE(s.ready()) << s.log();
  EXPECT_EQ(s.log().find("TLS"), std::string::npos) << s.log();
  EXPECT_FALSE(std::filesystem::exists(data + "/dev-tls"));
}

TEST(Dev, ConfiguredIdentityWins) {
  // With [[tls.identity]] configured, dev = true makes nothing (openssl makes the identity).
  test::TempDir dir;
  std::string data = dir / "data";
  int port = free_port();
  ASSERT_EQ(run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                (dir / "tls.key") + " -out " + (dir / "tls.pem") +
                " -days 2 -subj /CN=example.com -addext subjectAltName=DNS:example.com")
                .status,
            0);
  test::write_bytes(
      dir / "c.toml",
      test::bytes_of("[service]\ndev = true\ndomains = [\"example.com\"]\n"
                     "[sip]\nlisten = [\"127.0.0.1:" +
                     std::to_string(port) +
                     "\"]\ntls_listen = [\"127.0.0.1:" + std::to_string(port + 1) +
                     "\"]\n[[tls.identity]]\ndomain = \"example.com\"\n"
                     "certificate = \"" +
                     (dir / "tls.pem") + "\"\nkey = \"" + (dir / "tls.key") + "\"\n"));
  Server s{"--config " + (dir / "c.toml") + " --data-dir " + data, dir / "serve.log"};
  ASSERT_TRUE(s.ready()) << s.log();
  EXPECT_EQ(s.log().find("development domain"), std::string::npos) << s.log();
  EXPECT_FALSE(std::filesystem::exists(data + "/dev-tls"));
  auto hs =
      run("echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(port + 1) +
          " -CAfile " + (dir / "tls.pem") + " -verify_hostname example.com -verify_return_error");
  EXPECT_NE(hs.out.find("Verify return code: 0 (ok)"), std::string::npos) << hs.out;
}

}  // namespace
}  // namespace sipcred::app
