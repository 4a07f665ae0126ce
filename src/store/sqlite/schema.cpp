#include "store/sqlite/schema.hpp"

#include <array>
#include <string>

#include "store/store.hpp"

namespace sipcred::store {
const int kSchemaVersion = 2;
}

namespace sipcred::store::sqlite {
namespace {

// Version 1: users with one HA1 per digest algorithm, one row per published credential state,
// and the audit log, which triggers keep append-only. Times are Unix seconds (UTC).
// In version 1 an AOR's current state was its newest row not revoked.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE users (
  realm    TEXT NOT NULL,
  username TEXT NOT NULL,
  aor      TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  PRIMARY KEY (realm, username)
) WITHOUT ROWID;
CREATE TABLE user_ha1 (
  realm     TEXT NOT NULL,
  username  TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  hex       TEXT NOT NULL,
  PRIMARY KEY (realm, username, algorithm),
  FOREIGN KEY (realm, username) REFERENCES users (realm, username) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE credentials (
  id          INTEGER PRIMARY KEY,
  aor         TEXT NOT NULL,
  certificate BLOB NOT NULL,
  pkcs8       BLOB,
  etag        TEXT NOT NULL UNIQUE,
  not_before  INTEGER NOT NULL,
  not_after   INTEGER NOT NULL,
  created     INTEGER NOT NULL,
  updated     INTEGER NOT NULL,
  expires     INTEGER NOT NULL,
  revoked     INTEGER
);
CREATE INDEX credentials_aor ON credentials (aor, id);
CREATE TABLE audit (
  id     INTEGER PRIMARY KEY,
  time   INTEGER NOT NULL,
  user   TEXT NOT NULL,
  source TEXT NOT NULL,
  action TEXT NOT NULL,
  aor    TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_aor ON audit (aor, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
)sql";

// Version 2: supersession is recorded (`replaced`) instead of implied by row order, so that
// several live certificates of one AOR (HTTP-7) can be told from superseded ones, and the live
// rows get a partial index that current() and certificates() read. Existing rows: every row
// not revoked that has a newer row of its AOR was superseded when that newer row was stored.
constexpr std::string_view kV2 = R"sql(
ALTER TABLE credentials ADD COLUMN replaced INTEGER;
UPDATE credentials SET replaced = (
  SELECT min(n.updated) FROM credentials AS n WHERE n.aor = credentials.aor AND n.id > credentials.id)
WHERE revoked IS NULL
  AND EXISTS (SELECT 1 FROM credentials AS n WHERE n.aor = credentials.aor AND n.id > credentials.id);
CREATE INDEX credentials_live ON credentials (aor, id) WHERE replaced IS NULL AND revoked IS NULL;
)sql";

constexpr std::array<Migration, 2> kMigrations{{{1, kV1}, {2, kV2}}};
static_assert(kMigrations.size() == 2, "kSchemaVersion must name the last migration");

Result<int> read_version(Db& db) {
  auto q = db.query("SELECT version FROM schema_version");
  if (!q) return Unexpected{q.error()};
  auto row = q->step();
  if (!row) return Unexpected{row.error()};
  return *row ? static_cast<int>(q->int64(0)) : 0;
}

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

Result<int> migrate(Db& db) {
  auto boot = db.script(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
      "INSERT INTO schema_version (version) SELECT 0 WHERE NOT EXISTS "
      "(SELECT 1 FROM schema_version);");
  if (!boot) return Unexpected{boot.error()};
  for (const Migration& m : kMigrations) {
    if (auto b = db.script("BEGIN IMMEDIATE"); !b) return Unexpected{b.error()};
    auto version = read_version(db);
    Result<void> step;
    if (!version) {
      step = Unexpected{version.error()};
    } else if (*version > kSchemaVersion) {
      step = fail(Errc::config, "database schema version " + std::to_string(*version) +
                                    " is newer than this program's " +
                                    std::to_string(kSchemaVersion) + "; upgrade sipcred");
    } else if (*version == m.version - 1) {
      step = db.script(m.script);
      if (step) {
        auto q = db.query("UPDATE schema_version SET version = ?1");
        step = q ? q->bind(1, int64_t{m.version}).run() : Result<void>{Unexpected{q.error()}};
      }
    }
    if (!step) {
      static_cast<void>(db.script("ROLLBACK"));
      return Unexpected{step.error()};
    }
    if (auto c = db.script("COMMIT"); !c) return Unexpected{c.error()};
  }
  return read_version(db);
}

}  // namespace sipcred::store::sqlite
