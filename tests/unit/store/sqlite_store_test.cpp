// The SQLite store through its interface, with the sqlite3 CLI as the independent judge of what
// is on disk (schema version, WAL, the audit log's triggers, migrated rows).
#include "store/store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "support/files.hpp"
#include "support/run.hpp"

namespace sipcred::store {
namespace {

using namespace std::chrono_literals;

const WallTime kT0{1'700'000'000s};

// Runs SQL through the sqlite3 command-line shell (not our code) and returns its output.
test::Ran cli(const std::string& db, const std::string& sql) {
  test::TempDir tmp;
  test::write_bytes(tmp / "q.sql", test::bytes_of(sql));
  return test::run("sqlite3 -batch -bail " + db + " < " + (tmp / "q.sql"));
}

Bytes der(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

Publish publish(std::string aor, std::string_view cert, std::string if_match = {}) {
  Publish p;
  p.aor = std::move(aor);
  p.certificate = der(cert);
  p.if_match = std::move(if_match);
  p.not_before = kT0 - 300s;
  p.not_after = kT0 + 90 * 24h;
  p.expires = kT0 + 24h;
  p.actor = Actor{"alice", "192.0.2.1:5061/TLS"};
  return p;
}

// Submits one change and waits for its commit.
Result<Applied> apply(Store& s, Change c, WallTime now = kT0) {
  std::promise<Result<Applied>> done;
  auto f = done.get_future();
  s.submit(std::move(c), now, [&done](Result<Applied> r) { done.set_value(std::move(r)); });
  return f.get();
}

class SqliteStore : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void reopen(size_t max_batch = 256) {
    store_.reset();
    auto s = open_sqlite({.path = path_, .max_batch = max_batch});
    ASSERT_TRUE(s) << s.error().message();
    store_ = std::move(*s);
  }
  std::string count(const std::string& sql) { return cli(path_, sql).out; }

  test::TempDir dir_;
  std::string path_ = dir_ / "sipcred.db";
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStore, CreatesAPrivateWalDatabaseAtTheNewestSchema) {
  EXPECT_EQ(cli(path_, "PRAGMA journal_mode;").out, "wal\n");
  EXPECT_EQ(cli(path_, "SELECT version FROM schema_version;").out,
            std::to_string(kSchemaVersion) + "\n");
  EXPECT_EQ(cli(path_, "PRAGMA integrity_check;").out, "ok\n");
  // HA1s and private keys live here: owner only (the WAL gets the same mode from SQLite).
  EXPECT_EQ(test::run("stat -c %a " + path_).out, "600\n");
  ASSERT_TRUE(apply(*store_, publish("sip:alice@example.com", "cert")));
  EXPECT_EQ(test::run("stat -c %a " + path_ + "-wal").out, "600\n");
  // Opening again finds the schema current and changes nothing.
  reopen();
  EXPECT_EQ(
      cli(path_, "SELECT version, (SELECT count(*) FROM credentials) FROM schema_version;").out,
      std::to_string(kSchemaVersion) + "|1\n");
}

TEST_F(SqliteStore, PublishStoresAStateWithAFreshEtag) {
  // REQ-PART PUB-4: every stored state has an entity tag; a new one for every change.
  Publish p = publish("sip:alice@example.com", "cert-1");
  p.pkcs8 = der("key-1");
  auto a = apply(*store_, p);
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_TRUE(a->current);
  EXPECT_FALSE(a->previous);
  const Credential& c = *a->current;
  EXPECT_EQ(c.aor, "sip:alice@example.com");
  EXPECT_EQ(c.certificate, der("cert-1"));
  EXPECT_EQ(c.pkcs8, der("key-1"));
  EXPECT_EQ(c.not_before, p.not_before);
  EXPECT_EQ(c.not_after, p.not_after);
  EXPECT_EQ(c.created, kT0);
  EXPECT_EQ(c.updated, kT0);
  EXPECT_EQ(c.expires, p.expires);
  EXPECT_TRUE(c.live());
  // 128 random bits as lowercase hex: RFC 3261 token characters.
  EXPECT_EQ(c.etag.size(), 32u);
  EXPECT_EQ(c.etag.find_first_not_of("0123456789abcdef"), std::string::npos);

  auto cur = store_->current("sip:alice@example.com", kT0 + 1s);
  ASSERT_TRUE(cur && *cur);
  EXPECT_EQ((*cur)->etag, c.etag);
  EXPECT_EQ((*cur)->pkcs8, der("key-1"));
  // What the CLI reads from the file is what we stored.
  EXPECT_EQ(
      cli(path_, "SELECT aor, hex(certificate), hex(pkcs8), etag, expires FROM credentials;").out,
      "sip:alice@example.com|" + std::string("636572742D31|6B65792D31|") + c.etag + "|" +
          std::to_string(1'700'000'000 + 86400) + "\n");
  // Another AOR has nothing.
  auto none = store_->current("sip:bob@example.com", kT0);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);

  // A certificate-only publish replaces it: new etag, no key, the old state marked replaced.
  auto b = apply(*store_, publish("sip:alice@example.com", "cert-2"), kT0 + 10s);
  ASSERT_TRUE(b && b->current && b->previous);
  EXPECT_NE(b->current->etag, c.etag);
  EXPECT_FALSE(b->current->pkcs8);
  EXPECT_EQ(b->previous->etag, c.etag);
  auto h = store_->history("sip:alice@example.com", 10);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].etag, b->current->etag);
  EXPECT_EQ((*h)[1].replaced, kT0 + 10s);
  EXPECT_FALSE((*h)[1].revoked);
}

TEST_F(SqliteStore, StaleIfMatchFailsAndChangesNothing) {
  // REQ-PART PUB-4: SIP-If-Match that does not match → 412 and nothing changes (RFC 3903 §6).
  auto first = apply(*store_, publish("sip:alice@example.com", "cert-1"));
  ASSERT_TRUE(first);
  std::string etag1 = first->current->etag;
  auto second = apply(*store_, publish("sip:alice@example.com", "cert-2", etag1), kT0 + 1s);
  ASSERT_TRUE(second) << second.error().message();
  std::string etag2 = second->current->etag;
  std::string before = cli(path_, "SELECT * FROM credentials ORDER BY id;").out;

  // etag1 is no longer current: publish, refresh and revoke naming it all fail.
  auto p = apply(*store_, publish("sip:alice@example.com", "cert-3", etag1), kT0 + 2s);
  ASSERT_FALSE(p);
  EXPECT_TRUE(etag_mismatch(p.error())) << p.error().message();
  auto r = apply(*store_, Refresh{"sip:alice@example.com", etag1, kT0 + 48h, {"alice", "x"}});
  ASSERT_FALSE(r);
  EXPECT_TRUE(etag_mismatch(r.error()));
  auto v = apply(*store_, Revoke{"sip:alice@example.com", etag1, {"alice", "x"}, "lost"});
  ASSERT_FALSE(v);
  EXPECT_TRUE(etag_mismatch(v.error()));
  // An etag of another AOR, or any etag for an AOR with no state, fails the same way.
  auto other = apply(*store_, publish("sip:bob@example.com", "cert-b", etag2));
  ASSERT_FALSE(other);
  EXPECT_TRUE(etag_mismatch(other.error()));

  EXPECT_EQ(cli(path_, "SELECT * FROM credentials ORDER BY id;").out, before);
  auto cur = store_->current("sip:alice@example.com", kT0 + 3s);
  ASSERT_TRUE(cur && *cur);
  EXPECT_EQ((*cur)->etag, etag2);
  // The refused attempts are in the audit log, with who tried.
  EXPECT_EQ(
      cli(path_, "SELECT action, user FROM audit WHERE action LIKE '%-refused' ORDER BY id;").out,
      "publish-refused|alice\nrefresh-refused|alice\nrevoke-refused|alice\n"
      "publish-refused|alice\n");
}

TEST_F(SqliteStore, RefreshExtendsWithANewEtag) {
  Publish p = publish("sip:alice@example.com", "cert-1");
  p.pkcs8 = der("key");
  auto a = apply(*store_, p);
  ASSERT_TRUE(a);
  // RFC 3903 §4.2: a refresh needs SIP-If-Match.
  auto bad = apply(*store_, Refresh{"sip:alice@example.com", "", kT0 + 48h, {"alice", "x"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);

  auto r =
      apply(*store_, Refresh{"sip:alice@example.com", a->current->etag, kT0 + 48h, {"alice", "x"}},
            kT0 + 60s);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_TRUE(r->current);
  EXPECT_NE(r->current->etag, a->current->etag);
  EXPECT_EQ(r->current->expires, kT0 + 48h);
  EXPECT_EQ(r->current->certificate, der("cert-1"));
  EXPECT_EQ(r->current->pkcs8, der("key"));
  EXPECT_EQ(r->current->created, kT0);  // the credential is the same one
  EXPECT_EQ(r->current->updated, kT0 + 60s);
  EXPECT_EQ(r->previous->etag, a->current->etag);
  // The publication now outlives the first expiry.
  auto later = store_->current("sip:alice@example.com", kT0 + 30h);
  ASSERT_TRUE(later && *later);
  EXPECT_EQ((*later)->etag, r->current->etag);

  // RFC 3903 §4.5: Expires 0 removes the publication.
  auto gone =
      apply(*store_, Refresh{"sip:alice@example.com", r->current->etag, kT0 + 61s, {}}, kT0 + 61s);
  ASSERT_TRUE(gone) << gone.error().message();
  EXPECT_FALSE(gone->current);
  auto none = store_->current("sip:alice@example.com", kT0 + 61s);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_EQ(cli(path_, "SELECT action FROM audit ORDER BY id;").out,
            "publish\nrefresh\nunpublish\n");
}

TEST_F(SqliteStore, PublicationExpiryEndsTheCurrentState) {
  auto a = apply(*store_, publish("sip:alice@example.com", "cert-1"));  // expires kT0 + 24h
  ASSERT_TRUE(a);
  auto before = store_->current("sip:alice@example.com", kT0 + 24h - 1s);
  ASSERT_TRUE(before && *before);
  auto after = store_->current("sip:alice@example.com", kT0 + 24h);
  ASSERT_TRUE(after);
  EXPECT_FALSE(*after);
  // An expired publication's etag no longer matches (RFC 3903 §6: the state is gone)...
  auto r =
      apply(*store_, Refresh{"sip:alice@example.com", a->current->etag, kT0 + 48h, {}}, kT0 + 25h);
  ASSERT_FALSE(r);
  EXPECT_TRUE(etag_mismatch(r.error()));
  // ...a publish without If-Match starts again, and the old row is replaced, not left live.
  Publish again = publish("sip:alice@example.com", "cert-2");
  again.expires = kT0 + 48h;
  auto b = apply(*store_, again, kT0 + 25h);
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(cli(path_, "SELECT count(*) FROM credentials WHERE replaced IS NULL;").out, "1\n");
  // Publishing an already expired publication is refused.
  auto stale = apply(*store_, publish("sip:alice@example.com", "cert-3"), kT0 + 24h);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Errc::invalid_argument);
}

TEST_F(SqliteStore, RevokeEndsTheStateAndKeepsItsRecord) {
  // REQ-PART PUB-6: an empty-body PUBLISH revokes (stored; the notifications are the service's).
  auto a = apply(*store_, publish("sip:alice@example.com", "cert-1"));
  ASSERT_TRUE(a);
  auto v =
      apply(*store_, Revoke{"sip:alice@example.com", a->current->etag, {"alice", "x"}, "key lost"},
            kT0 + 5s);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_FALSE(v->current);
  ASSERT_TRUE(v->previous);
  EXPECT_EQ(v->previous->etag, a->current->etag);
  EXPECT_EQ(v->previous->revoked, kT0 + 5s);
  auto cur = store_->current("sip:alice@example.com", kT0 + 6s);
  ASSERT_TRUE(cur);
  EXPECT_FALSE(*cur);
  auto certs = store_->certificates("sip:alice@example.com", kT0 + 6s);
  ASSERT_TRUE(certs);
  EXPECT_TRUE(certs->empty());
  EXPECT_EQ(cli(path_, "SELECT revoked FROM credentials;").out, "1700000005\n");
  auto audit = store_->audit("sip:alice@example.com", 10);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].action, "revoke");
  EXPECT_NE((*audit)[0].detail.find("reason=key lost"), std::string::npos);
  EXPECT_EQ((*audit)[0].when, kT0 + 5s);
  EXPECT_EQ((*audit)[1].action, "publish");

  // Unconditional revoke with nothing live succeeds and says so through `previous`.
  auto again = apply(*store_, Revoke{"sip:alice@example.com", "", {"admin", "cli"}, ""});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->previous);
  // A new publish after revocation is a fresh start.
  auto b = apply(*store_, publish("sip:alice@example.com", "cert-2"), kT0 + 10s);
  ASSERT_TRUE(b && b->current);
  EXPECT_FALSE(b->previous);
}

TEST_F(SqliteStore, LiveListsEveryAorsLiveStateAPageAtATime) {
  for (std::string u : {"carol", "alice", "bob", "dave"}) {
    ASSERT_TRUE(apply(*store_, publish("sip:" + u + "@example.com", "cert-" + u)));
  }
  ASSERT_TRUE(apply(*store_, publish("sip:alice@example.com", "cert-alice-2")));
  ASSERT_TRUE(apply(*store_, Revoke{"sip:dave@example.com", "", {}, ""}));
  auto page1 = store_->live("", 2);
  ASSERT_TRUE(page1);
  ASSERT_EQ(page1->size(), 2u);
  EXPECT_EQ((*page1)[0].certificate, der("cert-alice-2"));
  EXPECT_EQ((*page1)[1].aor, "sip:bob@example.com");
  auto page2 = store_->live((*page1)[1].aor, 2);
  ASSERT_TRUE(page2);
  ASSERT_EQ(page2->size(), 1u);  // dave is revoked
  EXPECT_EQ((*page2)[0].aor, "sip:carol@example.com");
}

TEST_F(SqliteStore, CertificatesAreTheLiveOnesWithinTheirValidity) {
  // REQ-PART HTTP-4 HTTP-7: every valid certificate of the AOR; none expired, revoked or
  // replaced. (HTTPS enrollment of a second device comes with the HTTPS store.)
  Publish p = publish("sip:alice@example.com", "cert-1");
  p.not_before = kT0 + 1h;  // not yet valid
  ASSERT_TRUE(apply(*store_, p));
  auto early = store_->certificates("sip:alice@example.com", kT0);
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->empty());
  auto valid = store_->certificates("sip:alice@example.com", kT0 + 1h);
  ASSERT_TRUE(valid);
  ASSERT_EQ(valid->size(), 1u);
  EXPECT_EQ((*valid)[0].certificate, der("cert-1"));
  Publish q = publish("sip:alice@example.com", "cert-2");
  q.not_after = kT0 + 2h;
  q.expires = kT0 + 2h;
  ASSERT_TRUE(apply(*store_, q, kT0 + 90min));
  auto replaced = store_->certificates("sip:alice@example.com", kT0 + 90min);
  ASSERT_TRUE(replaced);
  ASSERT_EQ(replaced->size(), 1u);
  EXPECT_EQ((*replaced)[0].certificate, der("cert-2"));
  auto expired = store_->certificates("sip:alice@example.com", kT0 + 2h);
  ASSERT_TRUE(expired);
  EXPECT_TRUE(expired->empty());
}

TEST_F(SqliteStore, UsersKeepOneHa1PerAlgorithmAndNeverAuditIt) {
  Actor admin{"admin", "cli"};
  User u{"sip:mufasa@example.org",
         "http-auth@example.org",
         "Mufasa",
         {{"MD5", "3d78807defe7de2157e2b0b6573a855f"}, {"SHA-256", "aa"}},
         false};
  ASSERT_TRUE(store_->put_user(u, admin, kT0));
  auto f = store_->find_user("http-auth@example.org", "Mufasa");
  ASSERT_TRUE(f && *f);
  EXPECT_EQ((*f)->aor, "sip:mufasa@example.org");
  ASSERT_EQ((*f)->ha1.size(), 2u);
  EXPECT_EQ((*f)->ha1[0].algorithm, "MD5");
  EXPECT_EQ((*f)->ha1[0].hex, "3d78807defe7de2157e2b0b6573a855f");
  EXPECT_EQ((*f)->ha1[1].algorithm, "SHA-256");
  EXPECT_FALSE((*f)->disabled);
  auto none = store_->find_user("http-auth@example.org", "mufasa");  // usernames are exact
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);

  // put_user replaces the whole HA1 set (a password change).
  u.ha1 = {{"SHA-512-256", "bb"}};
  ASSERT_TRUE(store_->put_user(u, admin, kT0 + 1s));
  ASSERT_TRUE(
      store_->put_user({"sip:bob@example.com", "example.com", "bob", {}, false}, admin, kT0 + 2s));
  EXPECT_EQ(cli(path_, "SELECT realm, username, algorithm FROM user_ha1 ORDER BY 1, 2, 3;").out,
            "http-auth@example.org|Mufasa|SHA-512-256\n");

  ASSERT_TRUE(store_->set_user_disabled("example.com", "bob", true, admin, kT0 + 3s));
  auto missing = store_->set_user_disabled("example.com", "nobody", true, admin, kT0 + 3s);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  auto bad = store_->put_user({"", "example.com", "x", {}, false}, admin, kT0);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);

  auto all = store_->users("");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].username, "bob");
  EXPECT_TRUE((*all)[0].disabled);
  EXPECT_TRUE((*all)[0].ha1.empty());
  EXPECT_EQ((*all)[1].username, "Mufasa");
  auto realm = store_->users("example.com");
  ASSERT_TRUE(realm);
  ASSERT_EQ(realm->size(), 1u);

  // An HA1 is a password equivalent (RFC 7616 §5.12): the audit names algorithms only.
  EXPECT_EQ(cli(path_, "SELECT action, aor, user FROM audit ORDER BY id;").out,
            "user-put|sip:mufasa@example.org|admin\nuser-put|sip:mufasa@example.org|admin\n"
            "user-put|sip:bob@example.com|admin\nuser-disable|sip:bob@example.com|admin\n");
  EXPECT_EQ(
      cli(path_, "SELECT count(*) FROM audit WHERE detail LIKE '%3d78807d%' OR detail LIKE '%bb%';")
          .out,
      "0\n");
}

TEST_F(SqliteStore, AuditLogIsAppendOnlyForEveryWriter) {
  ASSERT_TRUE(apply(*store_, publish("sip:alice@example.com", "cert-1")));
  // Not only our code: the sqlite3 shell cannot change or remove an entry either.
  auto upd = cli(path_, "UPDATE audit SET detail = 'forged';");
  EXPECT_NE(upd.status, 0);
  EXPECT_NE(upd.out.find("audit log is append-only"), std::string::npos) << upd.out;
  auto del = cli(path_, "DELETE FROM audit;");
  EXPECT_NE(del.status, 0);
  EXPECT_NE(del.out.find("audit log is append-only"), std::string::npos) << del.out;
  EXPECT_EQ(cli(path_, "SELECT count(*), action, user, source FROM audit;").out,
            "1|publish|alice|192.0.2.1:5061/TLS\n");
  auto all = store_->audit("", 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].aor, "sip:alice@example.com");
}

TEST_F(SqliteStore, MigratesAVersionOneDatabase) {
  store_.reset();
  std::string old = dir_ / "v1.db";
  auto made =
      test::run("sqlite3 " + old + " < " +
                (test::data_dir().parent_path() / "unit/store/data/schema_v1.sql").string());
  ASSERT_EQ(made.status, 0) << made.out;
  auto s = open_sqlite({.path = old});
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(cli(old, "SELECT version FROM schema_version;").out,
            std::to_string(kSchemaVersion) + "\n");
  // The rows as worked out by hand in schema_v1.sql.
  EXPECT_EQ(cli(old,
                "SELECT id, ifnull(replaced, '-'), ifnull(revoked, '-') FROM credentials "
                "ORDER BY id;")
                .out,
            "1|1700000200|-\n2|1700000300|-\n3|-|-\n4|-|1700000160\n5|-|-\n6|-|1700000600\n");
  EXPECT_EQ(cli(old, "PRAGMA integrity_check;").out, "ok\n");
  const WallTime now{1'700'001'000s};
  auto alice = (*s)->current("sip:alice@example.com", now);
  ASSERT_TRUE(alice && *alice);
  EXPECT_EQ((*alice)->etag, "etag-a3");
  EXPECT_EQ((*alice)->pkcs8, Bytes({0x30, 0x82}));
  auto carol = (*s)->current("sip:carol@example.com", now);
  ASSERT_TRUE(carol);
  EXPECT_FALSE(*carol);
  auto user = (*s)->find_user("http-auth@example.org", "Mufasa");
  ASSERT_TRUE(user && *user);
  EXPECT_EQ((*user)->ha1.at(0).hex, "3d78807defe7de2157e2b0b6573a855f");
  // The migrated database takes new changes, If-Match against the migrated etag included.
  auto next = apply(**s, publish("sip:alice@example.com", "cert-4", "etag-a3"), now);
  ASSERT_TRUE(next) << next.error().message();
  EXPECT_EQ(cli(old,
                "SELECT count(*) FROM credentials WHERE aor = 'sip:alice@example.com' AND "
                "replaced IS NULL;")
                .out,
            "1\n");
  // The partial index of migration 2 is what current() uses (the CLI's query planner says so).
  EXPECT_NE(cli(old,
                "EXPLAIN QUERY PLAN SELECT id FROM credentials WHERE aor = 'x' AND "
                "replaced IS NULL AND revoked IS NULL ORDER BY id DESC LIMIT 1;")
                .out.find("credentials_live"),
            std::string::npos);
}

TEST_F(SqliteStore, RefusesADatabaseFromANewerVersion) {
  store_.reset();
  std::string newer = dir_ / "newer.db";
  ASSERT_EQ(cli(newer,
                "CREATE TABLE schema_version (version INTEGER NOT NULL);"
                "INSERT INTO schema_version VALUES (" +
                    std::to_string(kSchemaVersion + 1) + "); CREATE TABLE future (x);")
                .status,
            0);
  std::string before = cli(newer, ".dump").out;
  auto s = open_sqlite({.path = newer});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::config);
  EXPECT_NE(s.error().detail.find("newer"), std::string::npos) << s.error().detail;
  EXPECT_EQ(cli(newer, ".dump").out, before);  // untouched
}

TEST_F(SqliteStore, GroupCommitPutsQueuedChangesInOneTransaction) {
  // The first change's callback holds the writer thread while 100 more are queued; they must
  // then commit together, each evaluated on its own (a stale If-Match fails only itself).
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  store_->submit(publish("sip:first@example.com", "c0"), kT0, [&](Result<Applied> r) {
    EXPECT_TRUE(r);
    holding.set_value();
    released.wait();
  });
  holding.get_future().wait();
  std::vector<Result<Applied>> results(100, Result<Applied>{fail(Errc::internal, "no callback")});
  std::vector<int> order;
  std::mutex m;
  for (int i = 0; i < 100; ++i) {
    Publish p = publish("sip:u" + std::to_string(i) + "@example.com", "c" + std::to_string(i));
    if (i == 50) p.if_match = "stale";
    store_->submit(p, kT0, [&, i](Result<Applied> r) {
      std::lock_guard lock(m);
      results[i] = std::move(r);
      order.push_back(i);
    });
  }
  release.set_value();
  store_->flush();
  Stats st = store_->stats();
  EXPECT_EQ(st.transactions, 2u);
  EXPECT_EQ(st.changes, 101u);
  EXPECT_EQ(st.largest_batch, 100u);
  for (int i = 0; i < 100; ++i) {
    if (i == 50) {
      ASSERT_FALSE(results[i]);
      EXPECT_TRUE(etag_mismatch(results[i].error()));
    } else {
      EXPECT_TRUE(results[i]) << i << ": " << results[i].error().message();
    }
  }
  // Callbacks run in submission order.
  std::vector<int> expected(100);
  for (int i = 0; i < 100; ++i) expected[i] = i;
  EXPECT_EQ(order, expected);
  EXPECT_EQ(cli(path_, "SELECT count(*) FROM credentials;").out, "100\n");
  EXPECT_EQ(cli(path_, "SELECT count(*) FROM audit;").out, "101\n");
}

TEST_F(SqliteStore, MaxBatchOneCommitsEachChangeAlone) {
  reopen(1);
  for (int i = 0; i < 20; ++i) {
    store_->submit(publish("sip:u" + std::to_string(i) + "@example.com", "c"), kT0, nullptr);
  }
  store_->flush();
  EXPECT_EQ(store_->stats().transactions, 20u);
  EXPECT_EQ(store_->stats().largest_batch, 1u);
}

TEST_F(SqliteStore, AFailingChangeIsUndoneAloneInsideTheBatch) {
  // A trigger added with the CLI makes inserts for one AOR fail inside SQLite.
  ASSERT_EQ(cli(path_,
                "CREATE TRIGGER fail_broken BEFORE INSERT ON credentials "
                "WHEN NEW.aor = 'sip:broken@example.com' BEGIN SELECT RAISE(ABORT, 'injected'); "
                "END;")
                .status,
            0);
  std::promise<void> release, holding;
  std::shared_future<void> released = release.get_future().share();
  store_->submit(publish("sip:first@example.com", "c0"), kT0, [&](Result<Applied>) {
    holding.set_value();
    released.wait();
  });
  holding.get_future().wait();
  std::vector<std::optional<bool>> ok(3);
  const char* aors[] = {"sip:a@example.com", "sip:broken@example.com", "sip:b@example.com"};
  for (int i = 0; i < 3; ++i) {
    store_->submit(publish(aors[i], "c"), kT0, [&, i](Result<Applied> r) {
      ok[i] = r.has_value();
      if (!r) {
        EXPECT_EQ(r.error().code, Errc::io);
      }
    });
  }
  release.set_value();
  store_->flush();
  EXPECT_EQ(ok[0], true);
  EXPECT_EQ(ok[1], false);
  EXPECT_EQ(ok[2], true);
  EXPECT_EQ(store_->stats().transactions, 2u);
  EXPECT_EQ(cli(path_, "SELECT aor FROM credentials ORDER BY id;").out,
            "sip:first@example.com\nsip:a@example.com\nsip:b@example.com\n");
  // Its audit entry went with it.
  EXPECT_EQ(cli(path_, "SELECT count(*) FROM audit WHERE aor = 'sip:broken@example.com';").out,
            "0\n");
}

TEST_F(SqliteStore, ConcurrentSubmittersAndReaders) {
  // Eight submitters race on one AOR with If-Match (exactly one wins each round), while a reader
  // checks that every state it sees is a whole one.
  ASSERT_TRUE(apply(*store_, publish("sip:alice@example.com", "cert-0")));
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!stop) {
      auto c = store_->current("sip:alice@example.com", kT0);
      ASSERT_TRUE(c && *c);
      ASSERT_EQ((*c)->etag.size(), 32u);
      ASSERT_FALSE((*c)->certificate.empty());
      ++reads;
    }
  });
  std::atomic<int> won{0}, lost{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto cur = store_->current("sip:alice@example.com", kT0);
        ASSERT_TRUE(cur && *cur);
        auto r = apply(*store_, publish("sip:alice@example.com",
                                        "cert-" + std::to_string(t * 100 + i), (*cur)->etag));
        if (r) {
          ++won;
        } else {
          ASSERT_TRUE(etag_mismatch(r.error())) << r.error().message();
          ++lost;
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  stop = true;
  reader.join();
  EXPECT_EQ(won + lost, 200);
  EXPECT_GT(won, 0);
  EXPECT_GT(reads, 0);
  // Every winner replaced exactly the state it named: one live row, and a chain of the rest.
  EXPECT_EQ(cli(path_, "SELECT count(*) FROM credentials WHERE replaced IS NULL;").out, "1\n");
  EXPECT_EQ(cli(path_, "SELECT count(*) FROM credentials;").out, std::to_string(won + 1) + "\n");
  EXPECT_LE(store_->stats().transactions, store_->stats().changes);
}

TEST(SqliteStoreMemory, InMemoryDatabaseWorks) {
  auto s = open_sqlite({.path = ":memory:",
                        .etag_generator = [n = 0]() mutable { return "e" + std::to_string(++n); }});
  ASSERT_TRUE(s) << s.error().message();
  auto a = apply(**s, publish("sip:alice@example.com", "cert"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->current->etag, "e1");  // the injected generator is used
  auto c = (*s)->current("sip:alice@example.com", kT0);
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->etag, "e1");
}

TEST(SqliteStoreErrors, UnwritablePathIsAnIoError) {
  auto s = open_sqlite({.path = "/nonexistent-dir/sipcred.db"});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io);
  auto empty = open_sqlite({.path = ""});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::invalid_argument);
}

TEST(SqliteStoreEtags, DefaultEtagsDoNotRepeat) {
  auto s = open_sqlite({.path = ":memory:"});
  ASSERT_TRUE(s);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto a = apply(**s, publish("sip:alice@example.com", "c"));
    ASSERT_TRUE(a);
    EXPECT_TRUE(seen.insert(a->current->etag).second);
  }
}

}  // namespace
}  // namespace sipcred::store
