// Numbered schema migrations. Migration N takes a database at version N-1 to version N; the
// version lives in the one-row table `schema_version` (0 = empty database). Migrations are never
// edited once released: a change is a new migration (docs/store.md).
#pragma once

#include <span>
#include <string_view>

#include "core/result.hpp"
#include "store/sqlite/db.hpp"

namespace sipcred::store::sqlite {

struct Migration {
  int version;
  std::string_view script;
};

std::span<const Migration> migrations();

// Brings the database to the newest version, each migration in its own IMMEDIATE transaction
// (so a second process opening the same file concurrently waits, then finds it done).
// Errors: config (the database is newer than this program), io.
Result<int> migrate(Db& db);

}  // namespace sipcred::store::sqlite
