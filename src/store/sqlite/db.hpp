// A thin RAII layer over one SQLite connection: prepared statements cached by their text (every
// statement is prepared once per connection and reused; data only ever travels through bind
// parameters — never string-built SQL, STYLE.md §3), sqlite3 result codes turned into `Error`s.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace sipcred::store::sqlite {

// One use of a cached statement: bind, step, read columns. Resets the statement and clears its
// bindings when it goes out of scope, so the next user finds it fresh.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  ~Query();

  // Parameters are numbered from 1 (sqlite3_bind_*). A failed bind is reported by step().
  Query& bind(int index, int64_t value);
  Query& bind(int index, std::string_view text);
  Query& bind_blob(int index, const std::vector<uint8_t>& blob);
  Query& bind_null(int index);

  // true: a row is ready; false: the statement is done.
  Result<bool> step();
  // Steps to the end, for statements that return no rows.
  Result<void> run();

  bool is_null(int col) const;
  int64_t int64(int col) const;
  std::string text(int col) const;
  std::vector<uint8_t> blob(int col) const;

 private:
  void note(int rc);
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = 0;  // first failing sqlite3_bind_* code
};

class Db {
 public:
  // `flags` are sqlite3_open_v2 flags; SQLITE_OPEN_URI is always added.
  static Result<std::unique_ptr<Db>> open(const std::string& path, int flags);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // The cached statement for `sql` (a string literal of this folder), ready to bind.
  Result<Query> query(std::string_view sql);
  // Runs each statement of a fixed script (schema migrations, PRAGMAs) in turn; nothing bound.
  Result<void> script(std::string_view sql);
  // The first column of the first row of a fixed statement (PRAGMA answers), as text.
  Result<std::string> scalar(std::string_view sql);

  int64_t changes() const;      // rows changed by the last statement
  bool in_transaction() const;  // false once SQLite rolled a transaction back on its own
  Error error(int rc, std::string_view what) const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string_view, sqlite3_stmt*> cache_;
};

}  // namespace sipcred::store::sqlite
