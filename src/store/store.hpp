// The credential store: users, published credentials and an append-only audit log, behind one
// interface so that a PostgreSQL implementation (ARCHITECTURE.md, several nodes) can follow
// without changing callers. SQL lives only in this folder (STYLE.md §3); the store never reads a
// clock — every operation that records a time is handed `now` (STYLE.md §1).
//
// The model (docs/store.md):
// - One row of `credentials` is one published state of an AOR (draft-ietf-sip-certs-06 §7.10
//   "updates the credential for this URI"). Every successful Publish or Refresh inserts a new row
//   with a new entity tag and marks the row it supersedes `replaced`; Revoke marks the live row
//   `revoked`. Rows are never deleted, so every entity tag ever acknowledged stays findable.
// - An AOR's *live* rows are those neither replaced nor revoked; SIP changes keep at most one.
// - The current entity tag of an AOR is the etag of current(aor, now); RFC 3903 §6 step 3: a
//   SIP-If-Match naming no live, unexpired publication fails (→ 412) and nothing changes.
//
// Changes from the interface sketched in issue 5 (callers adapt once):
// - current() and the admin writes take `now` (the store may not read a clock);
// - Credential has `replaced`; Applied has `previous`; history(), live(), stats() were added;
// - If-Match failure is Errc::not_found with detail starting "SIP-If-Match" — test it with
//   etag_mismatch(error); core's Errc has no "precondition failed" code yet.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace sipcred::store {

using Bytes = std::vector<uint8_t>;

// HA1 for one digest algorithm (RFC 7616 §3.4.2: H(username ":" realm ":" password)), lowercase
// hex. The clear password is never stored.
struct Ha1 {
  std::string algorithm;  // "MD5", "SHA-256", "SHA-512-256" (RFC 7616 §6.1 names)
  std::string hex;
};

struct User {
  std::string aor;  // the AOR this digest user may publish and fetch credentials for
  std::string realm;
  std::string username;
  std::vector<Ha1> ha1;  // one per algorithm; put_user replaces the whole set
  bool disabled = false;
};

// One published state of an AOR (draft-ietf-sip-certs-06 §7.10; RFC 3903 event state).
struct Credential {
  int64_t id = 0;
  std::string aor;
  Bytes certificate;           // DER
  std::optional<Bytes> pkcs8;  // DER PrivateKeyInfo or EncryptedPrivateKeyInfo; absent: cert only
  std::string etag;            // RFC 3903 entity tag: unguessable, new for every state
  WallTime not_before, not_after;  // of the certificate (copied in by the caller, which parsed it)
  WallTime created;                // when this certificate was first published
  WallTime updated;                // when this state was stored (the publish or refresh)
  WallTime expires;                // RFC 3903 publication expiry
  std::optional<WallTime> replaced;  // a later Publish or Refresh superseded this state
  std::optional<WallTime> revoked;   // PUB-6 revocation

  bool live() const { return !replaced && !revoked; }
};

// Who made a change and from where, for the audit log.
struct Actor {
  std::string user;    // the digest username, or "admin" for the operator's commands
  std::string source;  // "ip:port/transport", or "cli"
};

// A new credential for `aor`: the AOR's live state (if any) is replaced.
// `if_match` empty: unconditional (RFC 3903 initial PUBLISH); otherwise it must be the current
// etag of the AOR.
struct Publish {
  std::string aor;
  Bytes certificate;
  std::optional<Bytes> pkcs8;
  std::string if_match;
  WallTime not_before, not_after, expires;
  Actor actor;
};

// RFC 3903 §4.2 refresh: same credential, new expiry and entity tag. `if_match` is required.
// An `expires` not after `now` (Expires: 0, §4.5) ends the publication.
struct Refresh {
  std::string aor;
  std::string if_match;
  WallTime expires;
  Actor actor;
};

// PUB-6: revokes the AOR's live state. `if_match` empty: unconditional, and it succeeds even when
// nothing is live (Applied::previous is then empty).
struct Revoke {
  std::string aor;
  std::string if_match;
  Actor actor;
  std::string reason;  // recorded in the audit log
};

using Change = std::variant<Publish, Refresh, Revoke>;

struct Applied {
  std::string aor;
  std::optional<Credential> current;   // current(aor, now) after the change; nullopt if revoked
  std::optional<Credential> previous;  // the live state the change replaced or revoked, if any
};

struct AuditEntry {
  int64_t id = 0;
  WallTime when;
  std::string user, source, action, aor, detail;
};

struct Stats {
  uint64_t transactions = 0;   // write transactions committed by the writer thread
  uint64_t changes = 0;        // changes and admin writes evaluated in them
  uint64_t largest_batch = 0;  // most changes in one transaction
};

// True for the error a change gets when its SIP-If-Match names no current state (→ 412).
bool etag_mismatch(const Error& e);

class Store {
 public:
  virtual ~Store() = default;

  // --- reads: any thread, concurrently; one indexed lookup each -----------------------------

  // The AOR's newest live state whose publication has not expired at `now`, or nullopt.
  virtual Result<std::optional<Credential>> current(std::string_view aor, WallTime now) = 0;
  // Every live state of the AOR whose certificate is valid at `now` (not_before <= now <
  // not_after) and whose publication has not expired — what HTTP-4 serves (HTTP-7: several).
  virtual Result<std::vector<Credential>> certificates(std::string_view aor, WallTime now) = 0;
  // Every state the AOR ever had, newest first, at most `limit` (operators' `credential show`).
  virtual Result<std::vector<Credential>> history(std::string_view aor, size_t limit) = 0;
  // Live states of every AOR sorted after `after_aor` (publication expired or not), ordered by
  // AOR, at most `limit`: operators' `credential list`, a page at a time ("" starts).
  virtual Result<std::vector<Credential>> live(std::string_view after_aor, size_t limit) = 0;
  virtual Result<std::optional<User>> find_user(std::string_view realm,
                                                std::string_view username) = 0;
  // Users of `realm` (every realm when empty), ordered by realm and username.
  virtual Result<std::vector<User>> users(std::string_view realm) = 0;
  // The newest `limit` audit entries about `aor` (every AOR when empty), newest first.
  virtual Result<std::vector<AuditEntry>> audit(std::string_view aor, size_t limit) = 0;

  // --- admin writes: synchronous, through the writer thread, audited -------------------------
  // (They wait for their commit: not to be called from a `done` callback.)

  // Creates or replaces the user (realm, username), with its whole set of HA1s.
  // Errors: invalid_argument (empty realm/username/aor), io.
  virtual Result<void> put_user(const User& user, const Actor& actor, WallTime now) = 0;
  // Errors: not_found (no such user), io.
  virtual Result<void> set_user_disabled(std::string_view realm, std::string_view username,
                                         bool disabled, const Actor& actor, WallTime now) = 0;

  // --- durable changes with group commit --------------------------------------------------

  // Queues the change; `done` runs on the writer thread only after the transaction holding it
  // is committed to disk (or failed) — the caller posts it back to its own loop. Errors given
  // to `done`: etag_mismatch (nothing changed), invalid_argument (empty AOR or certificate, a
  // Refresh without if_match), io (the transaction failed; nothing of it was stored).
  // Must not be called after the store starts being destroyed.
  virtual void submit(Change change, WallTime now, std::function<void(Result<Applied>)> done) = 0;
  // Waits until everything submitted before the call is committed and its callback has run.
  // Must not be called from a `done` callback (the writer thread would wait for itself).
  virtual void flush() = 0;

  virtual Stats stats() const = 0;
};

struct SqliteOptions {
  std::string path;        // the database file, created if missing; ":memory:" for tests
  size_t max_batch = 256;  // most changes per transaction; 1 turns group commit off
  // Entity tags. Default: 128 bits from std::random_device (getentropy(3), the kernel's CSPRNG),
  // as 32 lowercase hex digits — RFC 3261 token characters. The service may pass crypto's RNG.
  std::function<std::string()> etag_generator;
};

// Opens (creating if needed) the SQLite database: WAL, synchronous=FULL, foreign keys, the
// numbered migrations applied in order. Errors: io (cannot open/write), config (the database's
// schema is newer than this program knows).
Result<std::unique_ptr<Store>> open_sqlite(const SqliteOptions& options);

// The schema version this program writes (migrations 1..kSchemaVersion).
extern const int kSchemaVersion;

}  // namespace sipcred::store
