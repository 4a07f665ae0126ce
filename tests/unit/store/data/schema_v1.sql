-- A database at schema version 1, for the migration test (tests/unit/store/sqlite_store_test.cpp).
-- Source: the version-1 schema as sipcred's store first created it (migration 1 in
-- src/store/sqlite/schema.cpp, written out again here by hand), with rows written by hand.
-- Loaded with the sqlite3 CLI: sqlite3 FILE < schema_v1.sql
--
-- Expected after migration 2 (worked out by hand from its rule: a row not revoked that has a
-- newer row of its AOR was replaced when that newer row was stored):
--   id 1 alice: replaced 1700000200 (row 2's updated)   id 2 alice: replaced 1700000300
--   id 3 alice: live (newest)                           id 4 bob: revoked, replaced stays NULL
--   id 5 bob: live                                      id 6 carol: revoked, newest: no live row
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
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

-- RFC 7616 §3.9.1's example user; HA1 = MD5("Mufasa:http-auth@example.org:Circle of Life") by md5sum.
INSERT INTO users VALUES ('http-auth@example.org', 'Mufasa', 'sip:mufasa@example.org', 0);
INSERT INTO user_ha1 VALUES ('http-auth@example.org', 'Mufasa', 'MD5',
                             '3d78807defe7de2157e2b0b6573a855f');
INSERT INTO credentials VALUES
  (1, 'sip:alice@example.com', X'3001', NULL,    'etag-a1', 1699990000, 1800000000, 1700000100, 1700000100, 1800000000, NULL),
  (2, 'sip:alice@example.com', X'3002', X'3081', 'etag-a2', 1699990000, 1800000000, 1700000200, 1700000200, 1800000000, NULL),
  (3, 'sip:alice@example.com', X'3003', X'3082', 'etag-a3', 1699990000, 1800000000, 1700000300, 1700000300, 1800000000, NULL),
  (4, 'sip:bob@example.com',   X'3004', NULL,    'etag-b1', 1699990000, 1800000000, 1700000150, 1700000150, 1800000000, 1700000160),
  (5, 'sip:bob@example.com',   X'3005', NULL,    'etag-b2', 1699990000, 1800000000, 1700000400, 1700000400, 1800000000, NULL),
  (6, 'sip:carol@example.com', X'3006', NULL,    'etag-c1', 1699990000, 1800000000, 1700000500, 1700000500, 1800000000, 1700000600);
INSERT INTO audit VALUES (1, 1700000100, 'alice', '192.0.2.1:5061/TLS', 'publish', 'sip:alice@example.com', 'etag=etag-a1');
