// `sipcred user ...` and `sipcred credential ...` through the real binary. What they stored is read
// back with the sqlite3 CLI; HA1s come from `openssl dgst`, fingerprints and dates from
// `openssl x509`, JSON is judged by Python's json module — never by sipcred's own code.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "core/clock.hpp"
#include "crypto/certificate.hpp"
#include "store/store.hpp"
#include "support/run.hpp"

namespace sipcred::app {
namespace {

using test::run;
const std::string kBin = SIPCRED_BINARY;
const std::string kCerts = std::string{SIPCRED_SOURCE_DIR} + "/tests/data/certs/";

std::string sql(const std::string& db, const std::string& query) {
  auto r = run("sqlite3 -batch " + db + " \"" + query + "\"");
  EXPECT_EQ(r.status, 0) << r.out;
  return r.out;
}

// H(username:realm:password) by the openssl CLI (RFC 7616 §3.4.2).
std::string openssl_ha1(const std::string& digest, const std::string& a1) {
  auto r = run("printf '%s' '" + a1 + "' | openssl dgst -" + digest + " -r");
  return r.out.substr(0, r.out.find(' '));
}

// A python3 expression over the JSON document `doc` read from the command's output.
// (Its single quotes become double ones, to sit inside the shell's single-quoted program.)
std::string json_eval(const std::string& command, std::string expression) {
  std::replace(expression.begin(), expression.end(), '\'', '"');
  auto r = run(command + " | python3 -c 'import json,sys; doc=json.load(sys.stdin); print(" +
               expression + ")'");
  EXPECT_EQ(r.status, 0) << r.out;
  return r.out.substr(0, r.out.find_last_not_of('\n') + 1);
}

class AdminUsers : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_bytes(dir_ / "pw", test::bytes_of("first secret\n"));
    test::write_bytes(dir_ / "pw2", test::bytes_of("second secret\r\n"));
    test::write_bytes(dir_ / "empty", test::bytes_of("\n"));
  }
  std::string cmd(const std::string& args) {
    return kBin + " user " + args + " --data-dir " + data_;
  }
  std::string db() const { return data_ + "/sipcred.db"; }

  test::TempDir dir_;
  std::string data_ = dir_ / "data";
};

TEST_F(AdminUsers, AddPasswdDisableEnableAsTheStoreSeesThem) {
  auto add = run(cmd("add --aor sip:alice@Example.COM --password-file " + (dir_ / "pw")));
  ASSERT_EQ(add.status, 0) << add.out;
  EXPECT_EQ(sql(db(), "SELECT realm, username, aor, disabled FROM users"),
            "example.com|alice|sip:alice@example.com|0\n");
  // One HA1 per algorithm, each what openssl computes; the password itself is nowhere.
  std::string a1 = "alice:example.com:first secret";
  EXPECT_EQ(sql(db(), "SELECT algorithm, hex FROM user_ha1 ORDER BY algorithm"),
            "MD5|" + openssl_ha1("md5", a1) + "\nSHA-256|" + openssl_ha1("sha256", a1) +
                "\nSHA-512-256|" + openssl_ha1("sha512-256", a1) + "\n");
  EXPECT_EQ(run("grep -c 'first secret' " + db()).out, "0\n");

  ASSERT_EQ(run(cmd("disable --aor sip:alice@example.com")).status, 0);
  EXPECT_EQ(sql(db(), "SELECT disabled FROM users"), "1\n");
  // passwd by username and realm: new HA1s (the line end, CRLF here, is not part of the
  // password), the user stays disabled and keeps its AOR.
  auto pw =
      run(cmd("passwd --username alice --realm example.com --password-file " + (dir_ / "pw2")));
  ASSERT_EQ(pw.status, 0) << pw.out;
  EXPECT_NE(pw.out.find("still disabled"), std::string::npos) << pw.out;
  EXPECT_EQ(sql(db(), "SELECT hex FROM user_ha1 WHERE algorithm = 'SHA-256'"),
            openssl_ha1("sha256", "alice:example.com:second secret") + "\n");
  EXPECT_EQ(sql(db(), "SELECT aor, disabled FROM users"), "sip:alice@example.com|1\n");
  EXPECT_NE(run(cmd("list")).out.find("example.com\talice\tsip:alice@example.com\tdisabled"),
            std::string::npos);
  ASSERT_EQ(run(cmd("enable --aor alice@example.com")).status, 0);
  EXPECT_EQ(sql(db(), "SELECT disabled FROM users"), "0\n");

  // Every change is in the audit log as the operator's.
  EXPECT_EQ(sql(db(), "SELECT user, source, action, aor FROM audit ORDER BY id"),
            "admin|cli|user-put|sip:alice@example.com\n"
            "admin|cli|user-disable|sip:alice@example.com\n"
            "admin|cli|user-put|sip:alice@example.com\n"
            "admin|cli|user-enable|sip:alice@example.com\n");
}

TEST_F(AdminUsers, ListJsonNamesAlgorithmsNotHashes) {
  ASSERT_EQ(run(cmd("add --aor sip:bob@example.com --username b0b --realm corp --password-file " +
                    (dir_ / "pw")))
                .status,
            0);
  ASSERT_EQ(run(cmd("add --aor sip:alice@example.com --password-file " + (dir_ / "pw"))).status, 0);
  std::string list = cmd("list --json");
  EXPECT_EQ(json_eval(list,
                      "[(u['realm'], u['username'], u['aor'], u['disabled']) for u in "
                      "doc['users']]"),
            "[('corp', 'b0b', 'sip:bob@example.com', False), ('example.com', 'alice', "
            "'sip:alice@example.com', False)]");
  EXPECT_EQ(json_eval(list, "doc['users'][0]['algorithms']"), "['MD5', 'SHA-256', 'SHA-512-256']");
  EXPECT_EQ(run(list + " | grep -c " + openssl_ha1("md5", "b0b:corp:first secret")).out, "0\n");
}

TEST_F(AdminUsers, ExitStatusNotFoundAndUsage) {
  ASSERT_EQ(run(cmd("add --aor sip:alice@example.com --password-file " + (dir_ / "pw"))).status, 0);
  // 1: no such user (and nothing written).
  EXPECT_EQ(run(cmd("disable --aor sip:carol@example.com")).status, 1);
  EXPECT_EQ(run(cmd("enable --username alice --realm elsewhere")).status, 1);
  EXPECT_EQ(run(cmd("passwd --aor sip:carol@example.com --password-file " + (dir_ / "pw"))).status,
            1);
  EXPECT_EQ(sql(db(), "SELECT count(*) FROM audit"), "1\n");
  // 2: usage.
  EXPECT_EQ(run(cmd("disable")).status, 2);                             // nobody named
  EXPECT_EQ(run(cmd("disable --username alice")).status, 2);            // no realm
  EXPECT_EQ(run(cmd("disable --aor example.com")).status, 2);           // no user part
  EXPECT_EQ(run(cmd("passwd --aor sip:alice@example.com")).status, 2);  // no password file
  EXPECT_EQ(
      run(cmd("passwd --aor sip:alice@example.com --password-file " + (dir_ / "empty"))).status, 2);
  EXPECT_EQ(
      run(cmd("passwd --aor sip:alice@example.com --password-file " + (dir_ / "nope"))).status, 2);
  EXPECT_EQ(run(kBin + " user").status, 2);
  EXPECT_EQ(run(kBin + " user frobnicate").status, 2);
  EXPECT_EQ(run(kBin + " user --help").status, 0);
}

// Credentials are put in the store through its interface (the service's path); the commands
// under test only read and revoke them.
class AdminCredentials : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(data_);
    store::SqliteOptions opts;
    opts.path = db();
    auto st = store::open_sqlite(opts);
    ASSERT_TRUE(st) << st.error().message();
    publish(**st, "sip:alice@example.com", "good-ec.der", "");
    publish(**st, "sip:alice@example.com", "good.der", "good-aes.p8.der");  // replaces the first
    publish(**st, "sip:bob@example.com", "good-sha1.der", "good.p8.der");
  }

  void publish(store::Store& st, const std::string& aor, const std::string& cert_file,
               const std::string& key_file) {
    auto der = test::read_bytes(kCerts + cert_file);
    auto cert = crypto::Certificate::from_der(der);
    ASSERT_TRUE(cert);
    store::Publish p;
    p.aor = aor;
    p.certificate = der;
    if (!key_file.empty()) p.pkcs8 = test::read_bytes(kCerts + key_file);
    p.not_before = cert->not_before();
    p.not_after = cert->not_after();
    WallTime now = SystemClock{}.wall_now();
    p.expires = now + std::chrono::hours{1};
    p.actor = {"alice", "127.0.0.1:5061/TLS"};
    std::optional<Result<store::Applied>> done;
    st.submit(p, now, [&](Result<store::Applied> r) { done = std::move(r); });
    st.flush();
    ASSERT_TRUE(done && *done);
  }

  std::string cmd(const std::string& args) {
    return kBin + " credential " + args + " --data-dir " + data_;
  }
  std::string db() const { return data_ + "/sipcred.db"; }
  static std::string openssl_field(const std::string& cert_file, const std::string& option) {
    auto r = run("openssl x509 -inform DER -in " + kCerts + cert_file + " -noout " + option);
    return r.out.substr(r.out.find('=') + 1, r.out.find('\n') - r.out.find('=') - 1);
  }
  // "notBefore=2026-11-22 08:00:00Z" from openssl, as the RFC 3339 text the commands print.
  static std::string openssl_date(const std::string& cert_file, const std::string& which) {
    auto r = run("openssl x509 -inform DER -in " + kCerts + cert_file +
                 " -noout -dateopt iso_8601 -" + which);
    std::string d = r.out.substr(r.out.find('=') + 1, 20);
    d[10] = 'T';
    return d;
  }

  test::TempDir dir_;
  std::string data_ = dir_ / "data";
};

TEST_F(AdminCredentials, ListShowsEveryLiveStateOrderedByAor) {
  auto list = run(cmd("list"));
  ASSERT_EQ(list.status, 0) << list.out;
  std::string alice_etag = sql(db(),
                               "SELECT etag FROM credentials WHERE aor = 'sip:alice@example.com' "
                               "AND replaced IS NULL AND revoked IS NULL");
  alice_etag.pop_back();
  std::string expected_alice = "sip:alice@example.com\tcurrent\t" + alice_etag + "\t" +
                               openssl_date("good.der", "enddate") + "\tkey encrypted\t" +
                               openssl_field("good.der", "-fingerprint -sha256") + "\n";
  ASSERT_EQ(list.out.rfind(expected_alice, 0), 0u) << list.out;
  EXPECT_NE(list.out.find("\nsip:bob@example.com\tcurrent\t"), std::string::npos);
  EXPECT_NE(list.out.find("\tkey NOT encrypted\t" + openssl_field("good-sha1.der",
                                                                  "-fingerprint "
                                                                  "-sha256")),
            std::string::npos)
      << list.out;

  std::string json = cmd("list --json");
  EXPECT_EQ(json_eval(json,
                      "[(c['aor'], c['state'], c['private_key']) for c in "
                      "doc['credentials']]"),
            "[('sip:alice@example.com', 'current', 'encrypted'), ('sip:bob@example.com', "
            "'current', 'NOT encrypted')]");
  EXPECT_EQ(json_eval(json, "doc['credentials'][0]['etag']"), alice_etag);
}

TEST_F(AdminCredentials, ShowPrintsEveryStateAndTheAudit) {
  auto show = run(cmd("show sip:alice@example.com"));
  ASSERT_EQ(show.status, 0) << show.out;
  EXPECT_NE(show.out.find("2 states"), std::string::npos) << show.out;
  // Newest first: the current state (good.der), then the replaced one (good-ec.der).
  size_t cur = show.out.find("\ncurrent  etag ");
  size_t old = show.out.find("\nreplaced  etag ");
  ASSERT_NE(cur, std::string::npos);
  ASSERT_NE(old, std::string::npos);
  EXPECT_LT(cur, old);
  for (auto [file, at] : {std::pair{"good.der", cur}, std::pair{"good-ec.der", old}}) {
    std::string sha256 = openssl_field(file, "-fingerprint -sha256");
    std::string sha1 = openssl_field(file, "-fingerprint -sha1");
    EXPECT_EQ(show.out.find("SHA-256 fingerprint: " + sha256), show.out.find("SHA-256", at))
        << file;
    EXPECT_EQ(show.out.find("SHA-1 fingerprint:   " + sha1), show.out.find("SHA-1 ", at)) << file;
    EXPECT_NE(show.out.find("notBefore: " + openssl_date(file, "startdate") +
                            "  notAfter: " + openssl_date(file, "enddate")),
              std::string::npos)
        << file << show.out;
  }
  EXPECT_NE(show.out.find("private key: encrypted"), std::string::npos);
  EXPECT_NE(show.out.find("private key: none"), std::string::npos);
  EXPECT_NE(show.out.find("revoked: no"), std::string::npos);
  EXPECT_NE(show.out.find("alice@127.0.0.1:5061/TLS  publish"), std::string::npos) << show.out;

  std::string json = cmd("show --json alice@example.com");
  EXPECT_EQ(json_eval(json, "[s['state'] for s in doc['states']]"), "['current', 'replaced']");
  EXPECT_EQ(json_eval(json, "doc['states'][1]['sha1_fingerprint']"),
            openssl_field("good-ec.der", "-fingerprint -sha1"));
  EXPECT_EQ(json_eval(json, "[(a['user'], a['action']) for a in doc['audit']]"),
            "[('alice', 'publish'), ('alice', 'publish')]");
  EXPECT_EQ(json_eval(json, "'revoked' in doc['states'][0]"), "False");
  EXPECT_EQ(json_eval(cmd("show --json --limit 1 sip:alice@example.com"), "len(doc['states'])"),
            "1");

  EXPECT_EQ(run(cmd("show sip:carol@example.com")).status, 1);  // nothing stored
  EXPECT_EQ(run(cmd("show example.com")).status, 2);            // not an AOR
  EXPECT_EQ(run(cmd("show")).status, 2);
}

TEST_F(AdminCredentials, RevokeIsDurableAuditedAndSaysWhenSubscribersHear) {
  std::string live =
      "SELECT count(*) FROM credentials WHERE aor = 'sip:alice@example.com' AND revoked IS NULL "
      "AND replaced IS NULL";
  // A stale entity tag: nothing changes (RFC 3903 §6 step 3, as for SIP-If-Match).
  auto stale = run(cmd("revoke sip:alice@example.com --if-match 0123456789abcdef"));
  EXPECT_EQ(stale.status, 1) << stale.out;
  EXPECT_EQ(sql(db(), live), "1\n");

  auto r = run(cmd("revoke sip:alice@example.com --reason 'device lost'"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("reads this from the audit log"), std::string::npos) << r.out;
  EXPECT_EQ(sql(db(), live), "0\n");
  EXPECT_EQ(sql(db(),
                "SELECT count(*) FROM credentials WHERE aor = 'sip:alice@example.com' AND "
                "revoked IS NOT NULL"),
            "1\n");
  auto audit = sql(db(), "SELECT user, source, action, aor FROM audit ORDER BY id DESC LIMIT 1");
  EXPECT_EQ(audit, "admin|cli|revoke|sip:alice@example.com\n");
  EXPECT_NE(sql(db(), "SELECT detail FROM audit ORDER BY id DESC LIMIT 1").find("device lost"),
            std::string::npos);

  EXPECT_EQ(run(cmd("revoke sip:alice@example.com")).status, 1);  // nothing live any more
  auto list = run(cmd("list"));
  EXPECT_EQ(list.out.find("sip:alice@example.com"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("sip:bob@example.com"), std::string::npos);
  EXPECT_EQ(json_eval(cmd("show --json sip:alice@example.com"), "doc['states'][0]['state']"),
            "revoked");
  EXPECT_EQ(run(cmd("revoke not-an-aor")).status, 2);
}

}  // namespace
}  // namespace sipcred::app
