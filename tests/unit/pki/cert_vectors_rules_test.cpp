// Every certificate and key of tests/data/certs/ (made with the openssl CLI by make.sh; see its
// README) through the rule set its expectations.tsv row names, with the verdict written there.
// REQ-PART PUB-3 PUB-7 HTTP-3 HTTP-5 HTTP-6 TLS-2 (the rules; the messages carrying them come
// later)
#include <gtest/gtest.h>

#include <map>

#include "crypto/certificate.hpp"
#include "crypto/key.hpp"
#include "pki/validate.hpp"
#include "support/files.hpp"
#include "support/run.hpp"

namespace sipcred::pki {
namespace {

struct Row {
  std::string file, rules, verdict, note;
};

std::vector<Row> rows() {
  std::vector<Row> out;
  for (const auto& r : test::read_tsv(test::data_dir() / "certs" / "expectations.tsv")) {
    out.push_back({r.at(0), r.at(1), r.at(2), r.size() > 3 ? r.at(3) : ""});
  }
  return out;
}

std::string path(const std::string& name) {
  return (test::data_dir() / "certs" / name).string();
}

// Which of our rules a refusal keyword of the vector folder corresponds to.
const std::map<std::string, std::string>& rule_for() {
  static const std::map<std::string, std::string> m = {
      {"san-mismatch", "subject-alt-name"}, {"no-san", "subject-alt-name"},
      {"no-uri-san", "subject-alt-name"},   {"expired", "not-after"},
      {"not-yet-valid", "not-before"},      {"ca-true", "basic-constraints"},
      {"weak-key", "key-strength"},         {"key-mismatch", "key-matches"},
      {"unencrypted-key", "key-encrypted"}, {"name-mismatch", "server-name"},
      {"wildcard", "server-name"}};
  return m;
}

class CertVectorRules : public ::testing::TestWithParam<Row> {};

void PrintTo(const Row& r, std::ostream* os) {
  *os << r.file << " " << r.rules;
}

TEST_P(CertVectorRules, VerdictAsExpected) {
  const Row& row = GetParam();
  WallTime now{std::chrono::seconds{std::time(nullptr)}};
  Aor alice = *parse_aor("sip:alice@example.com");
  std::string passphrase = test::read_file_text(path("passphrase.txt"));
  passphrase = passphrase.substr(0, passphrase.find_first_of("\r\n"));

  if (row.rules == "pkcs8") {
    auto der = test::read_bytes(path(row.file));
    auto key = crypto::PrivateKey::from_any_pkcs8(der, passphrase);
    ASSERT_TRUE(key) << key.error().message();
    auto good = crypto::PrivateKey::from_pem(test::read_file_text(path("good.key.pem")));
    EXPECT_TRUE(key->matches(good->public_key()));
    return;
  }
  std::string cert_file = row.file, key_file;
  if (auto plus = row.file.find('+'); plus != std::string::npos) {
    cert_file = row.file.substr(0, plus);
    key_file = row.file.substr(plus + 1);
  }
  auto cert = crypto::Certificate::from_der(test::read_bytes(path(cert_file)));
  ASSERT_TRUE(cert) << cert.error().message();

  Verdict v;
  if (row.rules == "publish") {
    std::vector<uint8_t> pkcs8;
    if (!key_file.empty()) {
      if (key_file.ends_with(".pem")) {
        auto k = crypto::PrivateKey::from_pem(test::read_file_text(path(key_file)));
        ASSERT_TRUE(k);
        pkcs8 = k->to_pkcs8();
      } else {
        pkcs8 = test::read_bytes(path(key_file));
      }
    }
    // A PEM key stands for a key the server can read: check it as style 3 would, so that the
    // key-match rule itself is what the row tests; a .der PKCS#8 is checked as sent (style 2).
    PublishPolicy policy;
    policy.allow_unencrypted_key = key_file.ends_with(".pem");
    v = check_publish(*cert, alice, now, policy, pkcs8);
  } else if (row.rules == "caller") {
    v = check_caller(*cert, alice, now);
  } else if (row.rules == "tls") {
    v = check_tls_server(*cert, "example.com");
  } else {
    FAIL() << "unknown rule set " << row.rules;
  }

  if (row.verdict == "accept") {
    EXPECT_TRUE(v.ok()) << v.reason() << "\n" << row.note;
    return;
  }
  ASSERT_FALSE(v.ok()) << row.verdict << " expected\n" << row.note;
  auto it = rule_for().find(row.verdict);
  ASSERT_NE(it, rule_for().end()) << "unknown verdict keyword " << row.verdict;
  std::string rule = row.rules == "tls" ? "server-name" : it->second;
  EXPECT_EQ(v.reason().substr(0, rule.size()), rule) << v.reason() << "\n" << row.note;
  if (row.verdict == "no-san") EXPECT_NE(v.reason().find("no SubjectAltName"), std::string::npos);
  if (row.verdict == "no-uri-san")
    EXPECT_NE(v.reason().find("no SubjectAltName URI"), std::string::npos);
}

std::string row_name(const ::testing::TestParamInfo<Row>& info) {
  std::string n = info.param.file + "_" + info.param.rules;
  for (auto& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Folder, CertVectorRules, ::testing::ValuesIn(rows()), row_name);

}  // namespace
}  // namespace sipcred::pki
