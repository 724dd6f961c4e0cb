// store::detail::Db: a thin RAII layer over one sqlite3 connection (open, cached prepared
// statements, transactions) whose errors name the operation, the file and the likely fix.
// Not thread-safe by itself: SqliteStore serializes calls with its mutex.
//   auto q = db.query("SELECT value FROM settings WHERE chat_id = ?", "get_setting");
//   q->bind(chat_id); auto row = q->step();
#pragma once

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"

namespace store::detail {

class Db;

// One execution of a cached prepared statement; resets it on destruction. Bind parameters in
// order with bind(), then step() until it returns false (or run() for statements without rows).
class Query {
public:
    Query(Db* db, sqlite3_stmt* stmt, std::string_view op) : db_(db), stmt_(stmt), op_(op) {}
    Query(Query&& other) noexcept;
    Query& operator=(Query&&) = delete;
    Query(const Query&) = delete;
    ~Query();

    Query& bind(int64_t v);
    Query& bind(std::string_view v);
    Query& bind_null();

    // True when a row is available, false when done.
    core::Result<bool> step();
    // Steps to the end; for INSERT/UPDATE/DELETE.
    core::Status run();

    int64_t column_int64(int col) const;
    std::string column_text(int col) const;

private:
    Db* db_;
    sqlite3_stmt* stmt_;
    std::string_view op_;
    int next_index_ = 1;
    int bind_rc_ = SQLITE_OK;
};

class Db {
public:
    // Opens (creating if needed) the file, sets the busy timeout, WAL journal and
    // synchronous=NORMAL.
    static core::Result<std::unique_ptr<Db>> open(const std::string& path,
                                                  core::Millis busy_timeout);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    // A prepared statement for `sql` (prepared once, then reused). `op` names the operation in
    // errors and must outlive the query (use string literals).
    core::Result<Query> query(std::string_view sql, std::string_view op);
    // Runs one or more statements that return no rows.
    core::Status exec(const char* sql, std::string_view op);
    // Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back if it fails.
    core::Status transaction(std::string_view op, const std::function<core::Status()>& body);
    // Rows changed by the last INSERT/UPDATE/DELETE.
    int64_t changes() const;

    // "store: <op> on <path>: <sqlite message> (<hint>)" for the result code `rc`.
    core::Error error(std::string_view op, int rc) const;
    const std::string& path() const { return path_; }

private:
    Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

    sqlite3* db_;
    std::string path_;
    std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// The error for a failure while opening `path` (before a Db exists).
core::Error open_error(const std::string& path, int rc, std::string_view sqlite_message);

}  // namespace store::detail
