#include "store/detail/migrations.h"

#include <fmt/format.h>

#include "store/store.h"

namespace store::detail {

namespace {

// Times are Unix milliseconds (INTEGER). Never edit a released step: add a new one.
constexpr Migration kMigrations[] = {
    {1, "updates, history, counters, settings, audit",
     R"sql(
CREATE TABLE updates (
    bot_id         INTEGER NOT NULL,
    update_id      INTEGER NOT NULL,
    state          INTEGER NOT NULL,           -- 1 claimed, 2 done
    lease_until_ms INTEGER NOT NULL,           -- a claimed row blocks others until then
    touched_ms     INTEGER NOT NULL,           -- last claim or done time, for prune
    attempts       INTEGER NOT NULL,           -- how many times it was claimed
    PRIMARY KEY (bot_id, update_id)
) WITHOUT ROWID;
CREATE INDEX updates_by_touched ON updates (touched_ms);

CREATE TABLE turns (
    id      INTEGER PRIMARY KEY,               -- insertion order
    chat_id INTEGER NOT NULL,
    role    TEXT NOT NULL,                     -- system | user | assistant
    text    TEXT NOT NULL,
    tokens  INTEGER NOT NULL,
    time_ms INTEGER NOT NULL
);
CREATE INDEX turns_by_chat ON turns (chat_id, id);

CREATE TABLE counters (
    key             TEXT NOT NULL,
    window_start_ms INTEGER NOT NULL,
    total           INTEGER NOT NULL,
    expires_ms      INTEGER NOT NULL,
    PRIMARY KEY (key, window_start_ms)
) WITHOUT ROWID;
CREATE INDEX counters_by_expiry ON counters (expires_ms);

CREATE TABLE settings (
    chat_id INTEGER NOT NULL,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (chat_id, key)
) WITHOUT ROWID;

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    detail  TEXT NOT NULL                      -- JSON object
);
CREATE INDEX audit_by_chat_time ON audit (chat_id, time_ms, id);
CREATE INDEX audit_by_time ON audit (time_ms);
)sql"},
    {2, "moderation: strikes, admin cache",
     R"sql(
CREATE TABLE strikes (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    time_ms    INTEGER NOT NULL,
    category   TEXT NOT NULL,
    dedupe_key TEXT                            -- NULL: never deduplicated
);
CREATE INDEX strikes_by_user ON strikes (chat_id, user_id, time_ms);
CREATE INDEX strikes_by_time ON strikes (time_ms);
CREATE UNIQUE INDEX strikes_dedupe ON strikes (chat_id, user_id, dedupe_key)
    WHERE dedupe_key IS NOT NULL;

CREATE TABLE admin_cache (
    chat_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    is_admin   INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (chat_id, user_id)
) WITHOUT ROWID;
)sql"},
};

constexpr const char* kCreateVersionTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
    version       INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    applied_at_ms INTEGER NOT NULL
))sql";

core::Result<int> read_version(Db& db) {
    auto q =
        db.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", "read schema version");
    LG_TRY(q);
    auto row = q->step();
    LG_TRY(row);
    return static_cast<int>(q->column_int64(0));
}

core::Status apply(Db& db, const Migration& m, core::WallTime now) {
    const std::string op = fmt::format("migration {} ({})", m.version, m.name);
    if (auto st = db.exec(m.sql, "migrate"); !st) {
        return core::fail(st.error().code, st.error().message + " [" + op + "]");
    }
    auto q =
        db.query("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)",
                 "record migration");
    LG_TRY(q);
    q->bind(int64_t{m.version}).bind(std::string_view(m.name)).bind(to_unix_ms(now));
    return q->run();
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations[std::size(kMigrations) - 1].version; }

core::Result<int> schema_version(Db& db) {
    auto q = db.query(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
        "name = 'schema_migrations'",
        "read schema version");
    LG_TRY(q);
    auto row = q->step();
    LG_TRY(row);
    if (q->column_int64(0) == 0) return 0;
    return read_version(db);
}

core::Status migrate(Db& db, int target_version, core::WallTime now) {
    LG_CHECK(target_version >= 0 && target_version <= latest_schema_version(),
             "migrate: target version out of range");
    return db.transaction("migrate", [&]() -> core::Status {
        LG_TRY(db.exec(kCreateVersionTable, "migrate"));
        auto current = read_version(db);
        LG_TRY(current);
        if (*current > latest_schema_version()) {
            return core::fail(core::ErrorCode::Unsupported,
                              fmt::format("store: {} has schema version {}, newer than this "
                                          "build of lambdagram understands ({}): upgrade "
                                          "lambdagram, or set store.path to another file",
                                          db.path(), *current, latest_schema_version()));
        }
        for (const Migration& m : kMigrations) {
            if (m.version > *current && m.version <= target_version) LG_TRY(apply(db, m, now));
        }
        return core::ok();
    });
}

}  // namespace store::detail
