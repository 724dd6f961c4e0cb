#include "store/detail/sqlite_db.h"

#include <fmt/format.h>

namespace store::detail {

namespace {

// The error code and the advice for a SQLite primary result code.
struct Advice {
    core::ErrorCode code;
    const char* hint;  // empty when there is nothing useful to add
};

Advice advice_for(int rc) {
    switch (rc & 0xff) {
        case SQLITE_CANTOPEN:
            return {core::ErrorCode::Io, "check store.path and the directory's permissions"};
        case SQLITE_PERM:
        case SQLITE_READONLY:
            return {core::ErrorCode::Io,
                    "the file or its directory is read-only: lambdagram must be able to write "
                    "the database and its -wal and -shm files beside it"};
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
            return {core::ErrorCode::Parse,
                    "the file is not a lambdagram SQLite store or is damaged: move it away or "
                    "set store.path to another file"};
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return {core::ErrorCode::Timeout,
                    "another process kept the database locked longer than the busy timeout"};
        case SQLITE_FULL:
            return {core::ErrorCode::ResourceExhausted, "the disk is full"};
        case SQLITE_IOERR:
            return {core::ErrorCode::Io, "the disk or file system reported an error"};
        case SQLITE_NOMEM:
            return {core::ErrorCode::ResourceExhausted, "out of memory"};
        default:
            return {core::ErrorCode::Internal, ""};
    }
}

std::string with_hint(std::string message, const char* hint) {
    if (hint[0] != '\0') message += fmt::format(" ({})", hint);
    return message;
}

}  // namespace

core::Error open_error(const std::string& path, int rc, std::string_view sqlite_message) {
    const Advice a = advice_for(rc);
    return core::Error(
        a.code, with_hint(fmt::format("store: cannot open {}: {}", path, sqlite_message), a.hint));
}

// --- Query ------------------------------------------------------------------------------------

Query::Query(Query&& other) noexcept
    : db_(other.db_),
      stmt_(other.stmt_),
      op_(other.op_),
      next_index_(other.next_index_),
      bind_rc_(other.bind_rc_) {
    other.stmt_ = nullptr;
}

Query::~Query() {
    if (stmt_ == nullptr) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Query& Query::bind(int64_t v) {
    const int rc = sqlite3_bind_int64(stmt_, next_index_++, v);
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
}

Query& Query::bind(std::string_view v) {
    // SQLITE_TRANSIENT: SQLite copies the bytes, so the caller's buffer may go away.
    const int rc = sqlite3_bind_text64(stmt_, next_index_++, v.data(), v.size(), SQLITE_TRANSIENT,
                                       SQLITE_UTF8);
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
}

Query& Query::bind_null() {
    const int rc = sqlite3_bind_null(stmt_, next_index_++);
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
}

core::Result<bool> Query::step() {
    if (bind_rc_ != SQLITE_OK) return core::fail(db_->error(op_, bind_rc_));
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return core::fail(db_->error(op_, rc));
}

core::Status Query::run() {
    for (;;) {
        auto row = step();
        LG_TRY(row);
        if (!*row) return core::ok();
    }
}

int64_t Query::column_int64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Query::column_text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    const int n = sqlite3_column_bytes(stmt_, col);
    return p == nullptr ? std::string() : std::string(p, static_cast<size_t>(n));
}

// --- Db ---------------------------------------------------------------------------------------

core::Result<std::unique_ptr<Db>> Db::open(const std::string& path, core::Millis busy_timeout) {
    sqlite3* raw = nullptr;
    // NOMUTEX: the caller serializes access; SQLite's own mutex would only add cost.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
        sqlite3_close_v2(raw);
        return core::fail(open_error(path, rc, message));
    }
    std::unique_ptr<Db> db(new Db(raw, path));
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));
    // The first statement reads the header, so a garbage file fails here ("file is not a
    // database"). journal_mode returns a row; sqlite3_exec without a callback discards it.
    const int prc = sqlite3_exec(raw, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                                 nullptr, nullptr, nullptr);
    if (prc != SQLITE_OK) return core::fail(open_error(path, prc, sqlite3_errmsg(raw)));
    return db;
}

Db::~Db() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
}

core::Result<Query> Db::query(std::string_view sql, std::string_view op) {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end()) {
        sqlite3_stmt* stmt = nullptr;
        const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK) return core::fail(error(op, rc));
        it = statements_.emplace(std::string(sql), stmt).first;
    }
    return Query(this, it->second, op);
}

core::Status Db::exec(const char* sql, std::string_view op) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return core::fail(error(op, rc));
    return core::ok();
}

core::Status Db::transaction(std::string_view op, const std::function<core::Status()>& body) {
    // IMMEDIATE takes the write lock up front, so the busy timeout applies; a deferred
    // transaction upgrading to a writer could fail at once with SQLITE_BUSY instead.
    LG_TRY(exec("BEGIN IMMEDIATE", op));
    core::Status st = body();
    if (st) st = exec("COMMIT", op);
    if (!st) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
}

int64_t Db::changes() const { return sqlite3_changes64(db_); }

core::Error Db::error(std::string_view op, int rc) const {
    const Advice a = advice_for(rc);
    // sqlite3_errmsg describes the most recent failure on this connection, which is `rc`'s
    // unless the code came from a bind (then errstr is the accurate text).
    const char* message =
        sqlite3_extended_errcode(db_) == rc ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    return core::Error(
        a.code, with_hint(fmt::format("store: {} failed on {}: {}", op, path_, message), a.hint));
}

}  // namespace store::detail
