// store::detail migrations: the SQLite schema as an ordered list of versioned steps, recorded in
// the schema_migrations table and applied in one transaction when a store is opened.
//   LG_TRY(store::detail::migrate(db, store::detail::latest_schema_version()));
#pragma once

#include <span>

#include "core/result.h"
#include "store/detail/sqlite_db.h"

namespace store::detail {

struct Migration {
    int version;       // 1, 2, 3... without gaps
    const char* name;  // recorded beside the version, for people reading the database
    const char* sql;   // one or more statements
};

std::span<const Migration> migrations();
int latest_schema_version();

// The version recorded in the file (0 for an empty file).
core::Result<int> schema_version(Db& db);

// Brings the file to `target_version` (at most latest_schema_version()) in one transaction.
// Idempotent; fails, changing nothing, when the file records a version newer than this build's.
core::Status migrate(Db& db, int target_version, core::WallTime now);

}  // namespace store::detail
