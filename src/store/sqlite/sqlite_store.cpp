// The SQLite store: one writer thread that owns the write connection and commits queued changes
// in groups, and a pool of read connections (WAL lets readers work beside the writer, each on a
// committed snapshot). docs/store.md explains the choices.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include "store/sqlite/db.hpp"
#include "store/sqlite/schema.hpp"
#include "store/store.hpp"

namespace sipcred::store {
namespace {

using sqlite::Db;
using sqlite::Query;

// Column order read by read_credential().
#define SIPCRED_CREDENTIAL_COLUMNS                                                        \
  "id, aor, certificate, pkcs8, etag, not_before, not_after, created, updated, expires, " \
  "replaced, "                                                                            \
  "revoked"

// The live rows of an AOR come from the partial index credentials_live (migration 2).
constexpr std::string_view kSelectCurrent =
    "SELECT " SIPCRED_CREDENTIAL_COLUMNS
    " FROM credentials WHERE aor = ?1 AND replaced IS NULL AND revoked IS NULL"
    " AND expires > ?2 ORDER BY id DESC LIMIT 1";
constexpr std::string_view kSelectCertificates =
    "SELECT " SIPCRED_CREDENTIAL_COLUMNS
    " FROM credentials WHERE aor = ?1 AND replaced IS NULL AND revoked IS NULL"
    " AND expires > ?2 AND not_before <= ?2 AND not_after > ?2 ORDER BY id DESC";
constexpr std::string_view kSelectHistory = "SELECT " SIPCRED_CREDENTIAL_COLUMNS
                                            " FROM credentials WHERE aor = ?1"
                                            " ORDER BY id DESC LIMIT ?2";
constexpr std::string_view kSelectLive =
    "SELECT " SIPCRED_CREDENTIAL_COLUMNS
    " FROM credentials WHERE aor > ?1 AND replaced IS NULL AND revoked IS NULL"
    " ORDER BY aor, id LIMIT ?2";
constexpr std::string_view kReplaceLive =
    "UPDATE credentials SET replaced = ?2 WHERE aor = ?1 AND replaced IS NULL AND revoked IS NULL";
constexpr std::string_view kRevokeLive =
    "UPDATE credentials SET revoked = ?2 WHERE aor = ?1 AND replaced IS NULL AND revoked IS NULL";
constexpr std::string_view kReplaceRow = "UPDATE credentials SET replaced = ?2 WHERE id = ?1";
constexpr std::string_view kEndPublication = "UPDATE credentials SET expires = ?2 WHERE id = ?1";
constexpr std::string_view kInsertCredential =
    "INSERT INTO credentials (aor, certificate, pkcs8, etag, not_before, not_after, created,"
    " updated, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)";
// A refresh copies the stored certificate and key inside SQLite instead of through memory.
constexpr std::string_view kInsertRefreshed =
    "INSERT INTO credentials (aor, certificate, pkcs8, etag, not_before, not_after, created,"
    " updated, expires) SELECT aor, certificate, pkcs8, ?2, not_before, not_after, created, ?3, ?4"
    " FROM credentials WHERE id = ?1";
constexpr std::string_view kInsertAudit =
    "INSERT INTO audit (time, user, source, action, aor, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kSelectAuditAor =
    "SELECT id, time, user, source, action, aor, detail FROM audit WHERE aor = ?1"
    " ORDER BY id DESC LIMIT ?2";
constexpr std::string_view kSelectAuditAll =
    "SELECT id, time, user, source, action, aor, detail FROM audit ORDER BY id DESC LIMIT ?1";
constexpr std::string_view kUpsertUser =
    "INSERT INTO users (realm, username, aor, disabled) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (realm, username) DO UPDATE SET aor = excluded.aor, disabled = excluded.disabled";
constexpr std::string_view kDeleteHa1 = "DELETE FROM user_ha1 WHERE realm = ?1 AND username = ?2";
constexpr std::string_view kInsertHa1 =
    "INSERT INTO user_ha1 (realm, username, algorithm, hex) VALUES (?1, ?2, ?3, ?4)";
constexpr std::string_view kSelectUserAor =
    "SELECT aor FROM users WHERE realm = ?1 AND username = ?2";
constexpr std::string_view kSetDisabled =
    "UPDATE users SET disabled = ?3 WHERE realm = ?1 AND username = ?2";
// One statement per user read, so a user and its HA1s come from one snapshot.
#define SIPCRED_USER_SELECT                                           \
  "SELECT u.realm, u.username, u.aor, u.disabled, h.algorithm, h.hex" \
  " FROM users AS u LEFT JOIN user_ha1 AS h USING (realm, username)"
constexpr std::string_view kSelectUser =
    SIPCRED_USER_SELECT " WHERE u.realm = ?1 AND u.username = ?2 ORDER BY h.algorithm";
constexpr std::string_view kSelectUsersRealm =
    SIPCRED_USER_SELECT " WHERE u.realm = ?1 ORDER BY u.realm, u.username, h.algorithm";
constexpr std::string_view kSelectUsersAll =
    SIPCRED_USER_SELECT " ORDER BY u.realm, u.username, h.algorithm";

int64_t secs(WallTime t) {
  return t.time_since_epoch().count();
}
WallTime wall(int64_t s) {
  return WallTime{std::chrono::seconds{s}};
}

Credential read_credential(const Query& q) {
  Credential c;
  c.id = q.int64(0);
  c.aor = q.text(1);
  c.certificate = q.blob(2);
  if (!q.is_null(3)) c.pkcs8 = q.blob(3);
  c.etag = q.text(4);
  c.not_before = wall(q.int64(5));
  c.not_after = wall(q.int64(6));
  c.created = wall(q.int64(7));
  c.updated = wall(q.int64(8));
  c.expires = wall(q.int64(9));
  if (!q.is_null(10)) c.replaced = wall(q.int64(10));
  if (!q.is_null(11)) c.revoked = wall(q.int64(11));
  return c;
}

Result<std::vector<Credential>> credentials(Result<Query> q) {
  if (!q) return Unexpected{q.error()};
  std::vector<Credential> out;
  for (;;) {
    auto row = q->step();
    if (!row) return Unexpected{row.error()};
    if (!*row) return out;
    out.push_back(read_credential(*q));
  }
}

Result<std::optional<Credential>> current_in(Db& db, std::string_view aor, WallTime now) {
  auto q = db.query(kSelectCurrent);
  if (!q) return Unexpected{q.error()};
  q->bind(1, aor).bind(2, secs(now));
  auto row = q->step();
  if (!row) return Unexpected{row.error()};
  if (!*row) return std::optional<Credential>{};
  return std::optional<Credential>{read_credential(*q)};
}

Result<std::vector<User>> read_users(Result<Query> q) {
  if (!q) return Unexpected{q.error()};
  std::vector<User> out;
  for (;;) {
    auto row = q->step();
    if (!row) return Unexpected{row.error()};
    if (!*row) return out;
    std::string realm = q->text(0), username = q->text(1);
    if (out.empty() || out.back().realm != realm || out.back().username != username) {
      out.push_back(User{q->text(2), realm, username, {}, q->int64(3) != 0});
    }
    if (!q->is_null(4)) out.back().ha1.push_back(Ha1{q->text(4), q->text(5)});
  }
}

// Runs a fixed statement with no parameters (BEGIN, SAVEPOINT, ...), cached like any other.
Result<void> exec(Db& db, std::string_view sql) {
  auto q = db.query(sql);
  if (!q) return Unexpected{q.error()};
  return q->run();
}

Unexpected mismatch(std::string_view aor, std::string_view if_match) {
  // RFC 3903 §6 step 3: no event state for this entity tag → 412; etag_mismatch() keys on the
  // leading "SIP-If-Match".
  return fail(Errc::not_found, "SIP-If-Match " + std::string(if_match) +
                                   " is not the current entity tag of " + std::string(aor));
}

std::string default_etag(std::random_device& rd) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (int i = 0; i < 4; ++i) {
    uint32_t v = rd();
    for (int j = 0; j < 8; ++j, v >>= 4) out.push_back(kHex[v & 0xf]);
  }
  return out;
}

struct PutUser {
  User user;
};
struct SetDisabled {
  std::string realm, username;
  bool disabled;
};
using Work = std::variant<Publish, Refresh, Revoke, PutUser, SetDisabled>;

struct Job {
  Work work;
  Actor admin;  // the actor of PutUser / SetDisabled (changes carry their own)
  WallTime now;
  std::function<void(Result<Applied>)> done;
};

// A connection and the lock that makes it one thread's at a time (SQLITE_OPEN_NOMUTEX).
struct Conn {
  std::mutex m;
  std::unique_ptr<Db> db;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteOptions& o, std::unique_ptr<Db> writer)
      : path_(o.path),
        memory_(o.path == ":memory:"),
        max_batch_(o.max_batch == 0 ? 1 : o.max_batch),
        etag_(o.etag_generator) {
    writer_.db = std::move(writer);
    thread_ = std::thread([this] { writer_loop(); });
  }

  ~SqliteStore() override {
    {
      std::lock_guard lock(queue_m_);
      stop_ = true;
    }
    queue_cv_.notify_all();
    thread_.join();
  }

  // --- reads ---------------------------------------------------------------------------------

  Result<std::optional<Credential>> current(std::string_view aor, WallTime now) override {
    return with_reader([&](Db& db) { return current_in(db, aor, now); });
  }

  Result<std::vector<Credential>> certificates(std::string_view aor, WallTime now) override {
    return with_reader([&](Db& db) {
      auto q = db.query(kSelectCertificates);
      if (q) q->bind(1, aor).bind(2, secs(now));
      return credentials(std::move(q));
    });
  }

  Result<std::vector<Credential>> history(std::string_view aor, size_t limit) override {
    return with_reader([&](Db& db) {
      auto q = db.query(kSelectHistory);
      if (q) q->bind(1, aor).bind(2, static_cast<int64_t>(limit));
      return credentials(std::move(q));
    });
  }

  Result<std::vector<Credential>> live(std::string_view after_aor, size_t limit) override {
    return with_reader([&](Db& db) {
      auto q = db.query(kSelectLive);
      if (q) q->bind(1, after_aor).bind(2, static_cast<int64_t>(limit));
      return credentials(std::move(q));
    });
  }

  Result<std::optional<User>> find_user(std::string_view realm,
                                        std::string_view username) override {
    return with_reader([&](Db& db) -> Result<std::optional<User>> {
      auto q = db.query(kSelectUser);
      if (q) q->bind(1, realm).bind(2, username);
      auto found = read_users(std::move(q));
      if (!found) return Unexpected{found.error()};
      if (found->empty()) return std::optional<User>{};
      return std::optional<User>{std::move(found->front())};
    });
  }

  Result<std::vector<User>> users(std::string_view realm) override {
    return with_reader([&](Db& db) {
      auto q = db.query(realm.empty() ? kSelectUsersAll : kSelectUsersRealm);
      if (q && !realm.empty()) q->bind(1, realm);
      return read_users(std::move(q));
    });
  }

  Result<std::vector<AuditEntry>> audit(std::string_view aor, size_t limit) override {
    return with_reader([&](Db& db) -> Result<std::vector<AuditEntry>> {
      auto q = db.query(aor.empty() ? kSelectAuditAll : kSelectAuditAor);
      if (!q) return Unexpected{q.error()};
      if (aor.empty()) {
        q->bind(1, static_cast<int64_t>(limit));
      } else {
        q->bind(1, aor).bind(2, static_cast<int64_t>(limit));
      }
      std::vector<AuditEntry> out;
      for (;;) {
        auto row = q->step();
        if (!row) return Unexpected{row.error()};
        if (!*row) return out;
        out.push_back(AuditEntry{q->int64(0), wall(q->int64(1)), q->text(2), q->text(3), q->text(4),
                                 q->text(5), q->text(6)});
      }
    });
  }

  // --- writes --------------------------------------------------------------------------------

  Result<void> put_user(const User& user, const Actor& actor, WallTime now) override {
    return admin(PutUser{user}, actor, now);
  }

  Result<void> set_user_disabled(std::string_view realm, std::string_view username, bool disabled,
                                 const Actor& actor, WallTime now) override {
    return admin(SetDisabled{std::string(realm), std::string(username), disabled}, actor, now);
  }

  void submit(Change change, WallTime now, std::function<void(Result<Applied>)> done) override {
    Work work = std::visit([](auto&& c) -> Work { return std::move(c); }, std::move(change));
    enqueue(Job{std::move(work), {}, now, std::move(done)});
  }

  void flush() override {
    std::unique_lock lock(queue_m_);
    uint64_t target = submitted_;
    done_cv_.wait(lock, [&] { return completed_ >= target; });
  }

  Stats stats() const override {
    std::lock_guard lock(queue_m_);
    return stats_;
  }

 private:
  Result<void> admin(Work work, const Actor& actor, WallTime now) {
    std::promise<Result<void>> promise;
    auto future = promise.get_future();
    enqueue(Job{std::move(work), actor, now, [&promise](Result<Applied> r) {
                  promise.set_value(r ? Result<void>{} : Result<void>{Unexpected{r.error()}});
                }});
    return future.get();
  }

  void enqueue(Job job) {
    {
      std::lock_guard lock(queue_m_);
      queue_.push_back(std::move(job));
      ++submitted_;
    }
    queue_cv_.notify_one();
  }

  template <class F>
  auto with_reader(F&& f) -> decltype(f(std::declval<Db&>())) {
    using R = decltype(f(std::declval<Db&>()));
    if (memory_) {  // ":memory:" is one database per connection: share the writer's
      std::lock_guard lock(writer_.m);
      return f(*writer_.db);
    }
    std::unique_ptr<Conn> conn;
    {
      std::lock_guard lock(readers_m_);
      if (!idle_readers_.empty()) {
        conn = std::move(idle_readers_.back());
        idle_readers_.pop_back();
      }
    }
    if (!conn) {
      auto opened = open_reader();
      if (!opened) return R{Unexpected{opened.error()}};
      conn = std::make_unique<Conn>();
      conn->db = std::move(*opened);
    }
    R r = f(*conn->db);
    std::lock_guard lock(readers_m_);
    idle_readers_.push_back(std::move(conn));
    return r;
  }

  Result<std::unique_ptr<Db>> open_reader() {
    auto db = Db::open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    if (!db) return db;
    if (auto r = (*db)->script("PRAGMA query_only = ON"); !r) return Unexpected{r.error()};
    return db;
  }

  // --- the writer thread ---------------------------------------------------------------------

  void writer_loop() {
    std::vector<Job> batch;
    for (;;) {
      batch.clear();
      {
        std::unique_lock lock(queue_m_);
        queue_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and everything submitted is done
        while (!queue_.empty() && batch.size() < max_batch_) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      bool committed = false;
      auto results = run_batch(batch, committed);
      for (size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].done) batch[i].done(std::move(results[i]));
      }
      {
        std::lock_guard lock(queue_m_);
        completed_ += batch.size();
        if (committed) {
          ++stats_.transactions;
          stats_.changes += batch.size();
          stats_.largest_batch = std::max<uint64_t>(stats_.largest_batch, batch.size());
        }
      }
      done_cv_.notify_all();
    }
  }

  // One IMMEDIATE transaction for the whole batch; each job inside its own SAVEPOINT, so a job
  // that fails (a stale SIP-If-Match) is undone alone while the others commit.
  std::vector<Result<Applied>> run_batch(std::vector<Job>& batch, bool& committed) {
    std::vector<Result<Applied>> results;
    results.reserve(batch.size());
    std::unique_lock<std::mutex> mem_lock;
    if (memory_) mem_lock = std::unique_lock(writer_.m);
    Db& db = *writer_.db;

    std::optional<Error> broken;  // the transaction as a whole failed
    if (auto b = exec(db, "BEGIN IMMEDIATE"); !b) broken = b.error();
    for (Job& job : batch) {
      if (broken) break;
      if (auto s = exec(db, "SAVEPOINT change"); !s) {
        broken = s.error();
        break;
      }
      Result<Applied> r = apply(db, job);
      if (!r && !db.in_transaction()) {  // SQLite rolled the transaction back (disk full, I/O)
        broken = r.error();
        break;
      }
      Result<void> ok;
      if (!r) {
        ok = exec(db, "ROLLBACK TO change");
        if (ok && etag_mismatch(r.error())) ok = audit_refused(db, job, r.error());
      }
      if (ok) ok = exec(db, "RELEASE change");
      if (!ok) {
        broken = ok.error();
        break;
      }
      results.push_back(std::move(r));
    }
    if (!broken) {
      if (auto c = exec(db, "COMMIT"); !c) broken = c.error();
    }
    if (broken) {
      if (db.in_transaction()) static_cast<void>(exec(db, "ROLLBACK"));
      results.clear();
      for (size_t i = 0; i < batch.size(); ++i) {
        results.push_back(fail(Errc::io, "not stored: " + broken->detail));
      }
    }
    committed = !broken;
    return results;
  }

  Result<Applied> apply(Db& db, Job& job) {
    return std::visit([&](auto& w) { return apply(db, w, job); }, job.work);
  }

  Result<void> write_audit(Db& db, WallTime now, const Actor& a, std::string_view action,
                           std::string_view aor, const std::string& detail) {
    auto q = db.query(kInsertAudit);
    if (!q) return Unexpected{q.error()};
    return q->bind(1, secs(now))
        .bind(2, a.user)
        .bind(3, a.source)
        .bind(4, action)
        .bind(5, aor)
        .bind(6, detail)
        .run();
  }

  // Refused changes leave a trace: who tried to overwrite which state (the credentials are
  // untouched; the savepoint was rolled back before this entry is written).
  Result<void> audit_refused(Db& db, const Job& job, const Error& e) {
    return std::visit(
        [&](const auto& w) -> Result<void> {
          using T = std::decay_t<decltype(w)>;
          if constexpr (std::is_same_v<T, Publish>) {
            return write_audit(db, job.now, w.actor, "publish-refused", w.aor, e.detail);
          } else if constexpr (std::is_same_v<T, Refresh>) {
            return write_audit(db, job.now, w.actor, "refresh-refused", w.aor, e.detail);
          } else if constexpr (std::is_same_v<T, Revoke>) {
            return write_audit(db, job.now, w.actor, "revoke-refused", w.aor, e.detail);
          } else {
            return {};
          }
        },
        job.work);
  }

  static std::string describe(const std::optional<Credential>& c) {
    return c ? c->etag : std::string("none");
  }

  Result<Applied> apply(Db& db, Publish& p, const Job& job) {
    WallTime now = job.now;
    if (p.aor.empty()) return fail(Errc::invalid_argument, "publish: empty AOR");
    if (p.certificate.empty()) return fail(Errc::invalid_argument, "publish: empty certificate");
    if (p.expires <= now) {
      return fail(Errc::invalid_argument, "publish: publication expiry is not in the future");
    }
    auto cur = current_in(db, p.aor, now);
    if (!cur) return Unexpected{cur.error()};
    if (!p.if_match.empty() && (!*cur || (*cur)->etag != p.if_match)) {
      return mismatch(p.aor, p.if_match);
    }
    std::string etag = etag_();
    auto rq = db.query(kReplaceLive);
    if (!rq) return Unexpected{rq.error()};
    if (auto r = rq->bind(1, p.aor).bind(2, secs(now)).run(); !r) return Unexpected{r.error()};
    auto ins = db.query(kInsertCredential);
    if (!ins) return Unexpected{ins.error()};
    ins->bind(1, p.aor).bind_blob(2, p.certificate);
    if (p.pkcs8) {
      ins->bind_blob(3, *p.pkcs8);
    } else {
      ins->bind_null(3);
    }
    ins->bind(4, etag)
        .bind(5, secs(p.not_before))
        .bind(6, secs(p.not_after))
        .bind(7, secs(now))
        .bind(8, secs(p.expires));
    if (auto r = ins->run(); !r) return Unexpected{r.error()};
    std::string detail =
        "etag=" + etag + " previous=" + describe(*cur) + " key=" + (p.pkcs8 ? "pkcs8" : "none") +
        " not_after=" + to_iso8601(p.not_after) + " expires=" + to_iso8601(p.expires);
    if (auto r = write_audit(db, now, p.actor, "publish", p.aor, detail); !r) {
      return Unexpected{r.error()};
    }
    auto after = current_in(db, p.aor, now);
    if (!after) return Unexpected{after.error()};
    return Applied{p.aor, std::move(*after), std::move(*cur)};
  }

  Result<Applied> apply(Db& db, Refresh& r, const Job& job) {
    WallTime now = job.now;
    if (r.aor.empty()) return fail(Errc::invalid_argument, "refresh: empty AOR");
    if (r.if_match.empty()) {
      return fail(Errc::invalid_argument, "refresh: no SIP-If-Match (RFC 3903 §4.2)");
    }
    auto cur = current_in(db, r.aor, now);
    if (!cur) return Unexpected{cur.error()};
    if (!*cur || (*cur)->etag != r.if_match) return mismatch(r.aor, r.if_match);
    const Credential& old = **cur;
    std::string detail;
    std::string_view action;
    if (r.expires <= now) {
      // RFC 3903 §4.5: Expires 0 removes the publication; the state keeps its entity tag.
      auto q = db.query(kEndPublication);
      if (!q) return Unexpected{q.error()};
      if (auto x = q->bind(1, old.id).bind(2, secs(now)).run(); !x) return Unexpected{x.error()};
      action = "unpublish";
      detail = "etag=" + old.etag;
    } else {
      std::string etag = etag_();
      auto q = db.query(kReplaceRow);
      if (!q) return Unexpected{q.error()};
      if (auto x = q->bind(1, old.id).bind(2, secs(now)).run(); !x) return Unexpected{x.error()};
      auto ins = db.query(kInsertRefreshed);
      if (!ins) return Unexpected{ins.error()};
      ins->bind(1, old.id).bind(2, etag).bind(3, secs(now)).bind(4, secs(r.expires));
      if (auto x = ins->run(); !x) return Unexpected{x.error()};
      action = "refresh";
      detail = "etag=" + etag + " previous=" + old.etag + " expires=" + to_iso8601(r.expires);
    }
    if (auto x = write_audit(db, now, r.actor, action, r.aor, detail); !x) {
      return Unexpected{x.error()};
    }
    auto after = current_in(db, r.aor, now);
    if (!after) return Unexpected{after.error()};
    return Applied{r.aor, std::move(*after), std::move(*cur)};
  }

  Result<Applied> apply(Db& db, Revoke& v, const Job& job) {
    WallTime now = job.now;
    if (v.aor.empty()) return fail(Errc::invalid_argument, "revoke: empty AOR");
    auto cur = current_in(db, v.aor, now);
    if (!cur) return Unexpected{cur.error()};
    if (!v.if_match.empty() && (!*cur || (*cur)->etag != v.if_match)) {
      return mismatch(v.aor, v.if_match);
    }
    auto q = db.query(kRevokeLive);
    if (!q) return Unexpected{q.error()};
    if (auto x = q->bind(1, v.aor).bind(2, secs(now)).run(); !x) return Unexpected{x.error()};
    std::string detail = "etag=" + describe(*cur) + " states=" + std::to_string(db.changes()) +
                         " reason=" + v.reason;
    if (auto x = write_audit(db, now, v.actor, "revoke", v.aor, detail); !x) {
      return Unexpected{x.error()};
    }
    if (*cur) (*cur)->revoked = now;
    return Applied{v.aor, std::nullopt, std::move(*cur)};
  }

  Result<Applied> apply(Db& db, PutUser& p, const Job& job) {
    const User& u = p.user;
    if (u.realm.empty() || u.username.empty() || u.aor.empty()) {
      return fail(Errc::invalid_argument, "user: realm, username and AOR are required");
    }
    auto up = db.query(kUpsertUser);
    if (!up) return Unexpected{up.error()};
    up->bind(1, u.realm).bind(2, u.username).bind(3, u.aor).bind(4, int64_t{u.disabled});
    if (auto x = up->run(); !x) return Unexpected{x.error()};
    auto del = db.query(kDeleteHa1);
    if (!del) return Unexpected{del.error()};
    if (auto x = del->bind(1, u.realm).bind(2, u.username).run(); !x) return Unexpected{x.error()};
    // The audit names the algorithms only: an HA1 is a password equivalent (RFC 7616 §5.12).
    std::string algorithms;
    for (const Ha1& h : u.ha1) {
      if (h.algorithm.empty() || h.hex.empty()) {
        return fail(Errc::invalid_argument, "user: an HA1 needs an algorithm and a value");
      }
      auto ins = db.query(kInsertHa1);
      if (!ins) return Unexpected{ins.error()};
      ins->bind(1, u.realm).bind(2, u.username).bind(3, h.algorithm).bind(4, h.hex);
      if (auto x = ins->run(); !x) return Unexpected{x.error()};
      algorithms += (algorithms.empty() ? "" : ",") + h.algorithm;
    }
    std::string detail = "realm=" + u.realm + " username=" + u.username +
                         " algorithms=" + (algorithms.empty() ? "none" : algorithms) +
                         " disabled=" + (u.disabled ? "yes" : "no");
    if (auto x = write_audit(db, job.now, job.admin, "user-put", u.aor, detail); !x) {
      return Unexpected{x.error()};
    }
    return Applied{u.aor, std::nullopt, std::nullopt};
  }

  Result<Applied> apply(Db& db, SetDisabled& s, const Job& job) {
    auto sel = db.query(kSelectUserAor);
    if (!sel) return Unexpected{sel.error()};
    sel->bind(1, s.realm).bind(2, s.username);
    auto row = sel->step();
    if (!row) return Unexpected{row.error()};
    if (!*row) return fail(Errc::not_found, "no user " + s.username + " in realm " + s.realm);
    std::string aor = sel->text(0);
    auto q = db.query(kSetDisabled);
    if (!q) return Unexpected{q.error()};
    q->bind(1, s.realm).bind(2, s.username).bind(3, int64_t{s.disabled});
    if (auto x = q->run(); !x) return Unexpected{x.error()};
    std::string detail = "realm=" + s.realm + " username=" + s.username;
    if (auto x = write_audit(db, job.now, job.admin, s.disabled ? "user-disable" : "user-enable",
                             aor, detail);
        !x) {
      return Unexpected{x.error()};
    }
    return Applied{aor, std::nullopt, std::nullopt};
  }

  std::string path_;
  bool memory_;
  size_t max_batch_;
  std::function<std::string()> etag_;

  Conn writer_;  // used by the writer thread (and, for ":memory:", by readers under writer_.m)
  std::mutex readers_m_;
  std::vector<std::unique_ptr<Conn>> idle_readers_;

  mutable std::mutex queue_m_;
  std::condition_variable queue_cv_, done_cv_;
  std::deque<Job> queue_;
  bool stop_ = false;
  uint64_t submitted_ = 0, completed_ = 0;
  Stats stats_;
  std::thread thread_;
};

// The file holds HA1s and private keys: create it readable by its owner only. SQLite gives the
// -wal and -shm files the database file's permissions.
Result<void> create_private(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return {};
  }
  if (errno == EEXIST) return {};
  return fail(Errc::io, "cannot create " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite(const SqliteOptions& options) {
  bool memory = options.path == ":memory:";
  if (options.path.empty()) return fail(Errc::invalid_argument, "store: no database path");
  if (!memory) {
    if (auto r = create_private(options.path); !r) return Unexpected{r.error()};
  }
  auto db =
      Db::open(options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
  if (!db) return Unexpected{db.error()};
  // WAL: readers never block the writer nor see a half-done transaction. synchronous=FULL: every
  // COMMIT is fsync'd before it returns, so an acknowledged change survives a crash or power cut.
  auto mode = (*db)->scalar("PRAGMA journal_mode = WAL");
  if (!mode) return Unexpected{mode.error()};
  if (!memory && *mode != "wal") {
    return fail(Errc::io,
                "store: " + options.path + " cannot use WAL (journal_mode " + *mode + ")");
  }
  if (auto r = (*db)->script("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"); !r) {
    return Unexpected{r.error()};
  }
  if (auto v = sqlite::migrate(**db); !v) return Unexpected{v.error()};
  SqliteOptions o = options;
  if (!o.etag_generator) {
    std::shared_ptr<std::random_device> rd;
    try {
      // getentropy(3): the kernel's CSPRNG, never a seeded PRNG.
      rd = std::make_shared<std::random_device>("getentropy");
    } catch (const std::exception&) {
      try {
        rd = std::make_shared<std::random_device>("/dev/urandom");
      } catch (const std::exception&) {
        return fail(Errc::internal, "store: no random source for entity tags");
      }
    }
    o.etag_generator = [rd] { return default_etag(*rd); };
  }
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(o, std::move(*db)));
}

}  // namespace sipcred::store
