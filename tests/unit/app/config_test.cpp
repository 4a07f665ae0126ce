#include "app/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace sipcred::app {
namespace {

std::string write_temp(const std::string& text) {
  auto path =
      std::filesystem::temp_directory_path() /
      ("sipcred-config-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml");
  std::ofstream{path} << text;
  return path.string();
}

TEST(Config, ReadsEverySetting) {
  auto path = write_temp(R"(
data_dir = "/var/lib/sipcred"
[log]
level = "debug"
format = "json"
[sip]
listen = ["127.0.0.1:5070", "[::1]:5070"]
tls_listen = ["127.0.0.1:5071"]
[sip.limits]
max_header_bytes = 4096
max_body = 1024
[https]
listen = ["127.0.0.1:8443"]
[identity]
scheme = "rfc8224"
body_claim = false
sign_threads = 3
sign_on_io_thread = true
)");
  auto c = load_config(path);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->data_dir, "/var/lib/sipcred");
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->log_format, "json");
  ASSERT_EQ(c->sip_listen.size(), 2u);
  EXPECT_EQ(c->sip_listen[1].host, "::1");
  EXPECT_EQ(c->sip_listen[1].port, 5070);
  EXPECT_EQ(c->tls_listen.at(0).port, 5071);
  EXPECT_EQ(c->https_listen.at(0).port, 8443);
  EXPECT_EQ(c->limits.max_header_bytes, 4096u);
  EXPECT_EQ(c->limits.max_body, 1024u);
  EXPECT_EQ(c->limits.max_headers, sip::ParserLimits{}.max_headers);
  EXPECT_EQ(c->identity_scheme, "rfc8224");
  EXPECT_FALSE(c->identity_body_claim);
  EXPECT_EQ(c->sign_threads, 3u);
  EXPECT_TRUE(c->sign_on_io_thread);
  std::filesystem::remove(path);
}

TEST(Config, RefusesTyposAndBadValues) {
  const std::pair<const char*, const char*> cases[] = {
      {"data_dri = \"x\"", "unknown key 'data_dri'"},
      {"[sip]\nlisten = [\"127.0.0.1\"]",
       "sip.listen: listen address '127.0.0.1' is not HOST:PORT"},
      {"[sip]\nlisten = [\"127.0.0.1:70000\"]", "sip.listen: invalid port in '127.0.0.1:70000'"},
      {"[sip.limits]\nmax_body = -1", "sip.limits.max_body must be a positive integer"},
      {"[log]\nlevl = \"x\"", "unknown key 'log.levl'"},
      {"[identity]\nsign_threads = 1000", "identity.sign_threads: 0 to 256"},
      {"[identity]\nsign_on_io_thread = 1", "identity.sign_on_io_thread must be true or false"},
      {"[identity]\nbody_claim = \"yes\"", "identity.body_claim must be true or false"},
      {"[service]\nprobation = 0", "service.probation must be true or false"},
  };
  for (auto [text, detail] : cases) {
    auto path = write_temp(text);
    auto c = load_config(path);
    ASSERT_FALSE(c) << text;
    EXPECT_EQ(c.error().detail, detail);
    std::filesystem::remove(path);
  }
  auto path = write_temp("not toml [");
  EXPECT_FALSE(load_config(path));
  std::filesystem::remove(path);
}

TEST(Config, DevFlag) {
  auto path = write_temp("[service]\ndev = true\n");
  auto c = load_config(path);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(c->dev);
  EXPECT_TRUE(c->tls_identities.empty());
  std::filesystem::remove(path);
  EXPECT_FALSE(Config{}.dev);  // off unless asked for
  path = write_temp("[service]\ndev = \"yes\"\n");
  c = load_config(path);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().detail, "service.dev must be true or false");
  std::filesystem::remove(path);
}

TEST(Config, ExampleFileLoads) {
  auto c = load_config(std::string{SIPCRED_SOURCE_DIR} + "/config/sipcred.example.toml");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->sip_listen.at(0).port, 5060);
  EXPECT_EQ(c->limits.max_header_bytes, sip::ParserLimits{}.max_header_bytes);
}

}  // namespace
}  // namespace sipcred::app
