// Consistency of the certificate vector folder tests/data/certs/ (see its README.md): every file
// expectations.tsv names exists, every vector file is named there, and the openssl CLI (an
// independent reader) accepts each one. The rules the vectors are for (PUB-3, HTTP-5, HTTP-6,
// TLS-2, PKI-4) are tested with the crypto layer against the same expectations; these tests do
// not exercise sipcred code, so they claim no requirement.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <string>

#include "support/files.hpp"

namespace sipcred::test {
namespace {

namespace fs = std::filesystem;

fs::path certs_dir() {
  return data_dir() / "certs";
}

// Runs a shell command, returns its exit status; output goes to `out`.
int run(const std::string& command, std::string& out) {
  out.clear();
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  return ::pclose(pipe);
}

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

// The openssl command that must accept a vector file, by its kind.
std::string openssl_check(const fs::path& file) {
  const std::string name = file.filename().string();
  const fs::path passphrase = certs_dir() / "passphrase.txt";
  if (name.ends_with(".p8.der")) {
    // good.p8.der is a plain PrivateKeyInfo; the others are encrypted with passphrase.txt.
    std::string crypt = name == "good.p8.der" ? "-nocrypt" : "-passin file:" + quoted(passphrase);
    return "openssl pkcs8 -inform DER -in " + quoted(file) + " " + crypt + " -out /dev/null";
  }
  if (name.ends_with(".key.pem")) return "openssl pkey -in " + quoted(file) + " -noout";
  return "openssl x509 -inform DER -in " + quoted(file) + " -noout -text";
}

std::set<std::string> listed_files() {
  std::set<std::string> files;
  for (const auto& row : read_tsv(certs_dir() / "expectations.tsv")) {
    const std::string& file = row.at(0);
    size_t plus = file.find('+');  // cert.der+key pairs
    files.insert(file.substr(0, plus));
    if (plus != std::string::npos) files.insert(file.substr(plus + 1));
  }
  return files;
}

TEST(CertVectors, ExpectationsAreWellFormed) {
  const std::set<std::string> rule_sets = {"publish", "caller", "tls", "pkcs8"};
  auto rows = read_tsv(certs_dir() / "expectations.tsv");
  ASSERT_GE(rows.size(), 30u);
  std::set<std::string> seen;
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 4u) << "expected file, rules, verdict, note: " << row.at(0);
    EXPECT_TRUE(rule_sets.contains(row[1])) << row[0] << ": unknown rule set " << row[1];
    EXPECT_FALSE(row[2].empty()) << row[0];
    EXPECT_EQ(row[2].find(' '), std::string::npos) << row[0] << ": verdict is one keyword";
    EXPECT_FALSE(row[3].empty()) << row[0] << ": every verdict says why";
    EXPECT_TRUE(seen.insert(row[0] + "\t" + row[1]).second) << "listed twice: " << row[0];
  }
}

TEST(CertVectors, EveryListedFileExistsAndEveryVectorIsListed) {
  auto listed = listed_files();
  for (const auto& f : listed) EXPECT_TRUE(fs::is_regular_file(certs_dir() / f)) << f;
  for (const auto& e : fs::directory_iterator{certs_dir()}) {
    const std::string name = e.path().filename().string();
    if (!name.ends_with(".der") && !name.ends_with(".pem")) continue;
    // Keys only used to make certificates need no verdict of their own.
    if (name == "good-ec.key.pem" || name == "rsa1024.key.pem" || name == "tls.key.pem") continue;
    EXPECT_TRUE(listed.contains(name)) << name << " has no row in expectations.tsv";
  }
}

TEST(CertVectors, OpensslReadsEveryFile) {
  size_t checked = 0;
  for (const auto& e : fs::directory_iterator{certs_dir()}) {
    const std::string name = e.path().filename().string();
    if (!name.ends_with(".der") && !name.ends_with(".pem")) continue;
    std::string out;
    EXPECT_EQ(run(openssl_check(e.path()), out), 0) << name << ":\n" << out;
    ++checked;
  }
  EXPECT_GE(checked, 28u);
}

// The PKCS#8 files must hold the key of good.der (for PKI-4 tests): openssl derives the same public
// key from each of them as from the certificate.
TEST(CertVectors, Pkcs8FilesHoldTheKeyOfGoodDer) {
  const fs::path dir = certs_dir();
  std::string cert_pub;
  ASSERT_EQ(
      run("openssl x509 -inform DER -in " + quoted(dir / "good.der") + " -noout -pubkey", cert_pub),
      0)
      << cert_pub;
  for (const char* p8 : {"good.p8.der", "good-aes.p8.der", "good-des3.p8.der"}) {
    std::string pub;
    std::string load = openssl_check(dir / p8);
    load.replace(load.find("-out /dev/null"), 14, "");
    ASSERT_EQ(run(load + " | openssl pkey -pubout", pub), 0) << p8 << ":\n" << pub;
    EXPECT_EQ(pub, cert_pub) << p8;
  }
  std::string mismatched;
  ASSERT_EQ(
      run("openssl pkey -in " + quoted(dir / "mismatched-key.key.pem") + " -pubout", mismatched),
      0);
  EXPECT_NE(mismatched, cert_pub);
}

}  // namespace
}  // namespace sipcred::test
