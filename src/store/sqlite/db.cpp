#include "store/sqlite/db.hpp"

#include <sqlite3.h>

#include <string>

namespace sipcred::store::sqlite {

Query::Query(Query&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), bind_rc_(other.bind_rc_) {
  other.stmt_ = nullptr;
}

Query::~Query() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Query::note(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Query& Query::bind(int index, int64_t value) {
  note(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Query& Query::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so a temporary string may be bound.
  note(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Query& Query::bind_blob(int index, const std::vector<uint8_t>& blob) {
  // An empty vector's data() may be null, which SQLite would store as NULL: bind a zero blob.
  if (blob.empty()) {
    note(sqlite3_bind_zeroblob(stmt_, index, 0));
  } else {
    note(sqlite3_bind_blob64(stmt_, index, blob.data(), blob.size(), SQLITE_TRANSIENT));
  }
  return *this;
}

Query& Query::bind_null(int index) {
  note(sqlite3_bind_null(stmt_, index));
  return *this;
}

Result<bool> Query::step() {
  if (bind_rc_ != SQLITE_OK) {
    return fail(Errc::internal, std::string("sqlite bind: ") + sqlite3_errstr(bind_rc_));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(Errc::io,
              std::string("sqlite: ") + sqlite3_errmsg(db_) + " (" + sqlite3_sql(stmt_) + ")");
}

Result<void> Query::run() {
  for (;;) {
    auto r = step();
    if (!r) return Unexpected{r.error()};
    if (!*r) return {};
  }
}

bool Query::is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

int64_t Query::int64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

std::string Query::text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p == nullptr ? std::string{} : std::string(p, sqlite3_column_bytes(stmt_, col));
}

std::vector<uint8_t> Query::blob(int col) const {
  auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
  if (p == nullptr) return {};
  return std::vector<uint8_t>(p, p + sqlite3_column_bytes(stmt_, col));
}

Result<std::unique_ptr<Db>> Db::open(const std::string& path, int flags) {
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_URI, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close_v2(handle);
    return fail(Errc::io, "cannot open " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(handle, 1);
  // Another process (the `sipcred user` commands) may hold the write lock for a moment.
  sqlite3_busy_timeout(handle, 10'000);
  return std::unique_ptr<Db>(new Db(handle));
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<Query> Db::query(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Unexpected{error(rc, "prepare")};
    it = cache_.emplace(sql, stmt).first;
  }
  return Query(db_, it->second);
}

Result<void> Db::script(std::string_view sql) {
  const char* p = sql.data();
  const char* end = sql.data() + sql.size();
  while (p < end) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_, p, static_cast<int>(end - p), &stmt, &tail);
    if (rc != SQLITE_OK) return Unexpected{error(rc, "prepare")};
    if (stmt == nullptr) break;  // only whitespace or comments were left
    do rc = sqlite3_step(stmt);
    while (rc == SQLITE_ROW);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return Unexpected{error(rc, "script")};
    p = tail;
  }
  return {};
}

Result<std::string> Db::scalar(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return Unexpected{error(rc, "prepare")};
  std::string value;
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    if (t != nullptr) value = t;
    rc = sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Unexpected{error(rc, "step")};
  return value;
}

int64_t Db::changes() const {
  return sqlite3_changes64(db_);
}

bool Db::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

Error Db::error(int rc, std::string_view what) const {
  return Error{Errc::io, "sqlite " + std::string(what) + ": " + sqlite3_errmsg(db_) + " (" +
                             sqlite3_errstr(rc) + ")"};
}

}  // namespace sipcred::store::sqlite
