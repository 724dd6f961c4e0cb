#include "store/sqlite_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/detail/migrations.h"
#include "store/detail/sqlite_db.h"

namespace store {

namespace {

// updates.state: 1 claimed, 2 done (written as literals in the SQL below).
constexpr int64_t kDone = 2;

int64_t to_ms(Seconds d) { return std::chrono::duration_cast<core::Millis>(d).count(); }

}  // namespace

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const Options& options) {
    if (options.path.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "store: the SQLite path is empty (set store.path)");
    }
    auto db = detail::Db::open(options.path, options.busy_timeout);
    LG_TRY(db);
    const int target =
        options.schema_version > 0 ? options.schema_version : detail::latest_schema_version();
    if (target > detail::latest_schema_version()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          fmt::format("store: schema version {} requested, the latest is {}",
                                      target, detail::latest_schema_version()));
    }
    LG_TRY(detail::migrate(**db, target, std::chrono::system_clock::now()));
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*db), options.path));
}

int SqliteStore::latest_schema_version() { return detail::latest_schema_version(); }

SqliteStore::SqliteStore(std::unique_ptr<detail::Db> db, std::string path)
    : db_(std::move(db)), path_(std::move(path)) {}

SqliteStore::~SqliteStore() = default;

core::Result<int> SqliteStore::schema_version() {
    std::lock_guard lock(mu_);
    return detail::schema_version(*db_);
}

// --- update dedupe --------------------------------------------------------------------------

core::Result<bool> SqliteStore::claim_update(int64_t bot_id, int64_t update_id, WallTime now,
                                             Seconds lease) {
    // One statement, so atomic across connections and processes: insert, or take over a claim
    // whose lease has run out; a live or done row makes the upsert change nothing.
    static constexpr std::string_view kSql = R"sql(
INSERT INTO updates (bot_id, update_id, state, lease_until_ms, touched_ms, attempts)
VALUES (?1, ?2, 1, ?3, ?4, 1)
ON CONFLICT (bot_id, update_id) DO UPDATE SET
    state = 1, lease_until_ms = excluded.lease_until_ms, touched_ms = excluded.touched_ms,
    attempts = updates.attempts + 1
WHERE updates.state = 1 AND updates.lease_until_ms <= excluded.touched_ms)sql";
    const int64_t now_ms = to_unix_ms(now);
    std::lock_guard lock(mu_);
    auto q = db_->query(kSql, "claim_update");
    LG_TRY(q);
    q->bind(bot_id).bind(update_id).bind(now_ms + to_ms(lease)).bind(now_ms);
    LG_TRY(q->run());
    return db_->changes() == 1;
}

core::Status SqliteStore::mark_update_done(int64_t bot_id, int64_t update_id, WallTime now) {
    static constexpr std::string_view kSql = R"sql(
INSERT INTO updates (bot_id, update_id, state, lease_until_ms, touched_ms, attempts)
VALUES (?1, ?2, 2, 0, ?3, 0)
ON CONFLICT (bot_id, update_id) DO UPDATE SET state = 2, touched_ms = excluded.touched_ms)sql";
    std::lock_guard lock(mu_);
    auto q = db_->query(kSql, "mark_update_done");
    LG_TRY(q);
    q->bind(bot_id).bind(update_id).bind(to_unix_ms(now));
    return q->run();
}

core::Status SqliteStore::release_update(int64_t bot_id, int64_t update_id) {
    std::lock_guard lock(mu_);
    auto q = db_->query("DELETE FROM updates WHERE bot_id = ? AND update_id = ? AND state = 1",
                        "release_update");
    LG_TRY(q);
    q->bind(bot_id).bind(update_id);
    return q->run();
}

core::Result<UpdateState> SqliteStore::update_state(int64_t bot_id, int64_t update_id) {
    std::lock_guard lock(mu_);
    auto q =
        db_->query("SELECT state FROM updates WHERE bot_id = ? AND update_id = ?", "update_state");
    LG_TRY(q);
    q->bind(bot_id).bind(update_id);
    auto row = q->step();
    LG_TRY(row);
    if (!*row) return UpdateState::None;
    return q->column_int64(0) == kDone ? UpdateState::Done : UpdateState::Claimed;
}

// --- history --------------------------------------------------------------------------------

core::Status SqliteStore::append_turn(int64_t chat_id, const Turn& turn) {
    std::lock_guard lock(mu_);
    auto q = db_->query(
        "INSERT INTO turns (chat_id, role, text, tokens, time_ms) VALUES (?, ?, ?, ?, ?)",
        "append_turn");
    LG_TRY(q);
    q->bind(chat_id).bind(std::string_view(role_name(turn.role))).bind(turn.text);
    q->bind(turn.tokens).bind(to_unix_ms(turn.time));
    return q->run();
}

core::Result<std::vector<Turn>> SqliteStore::recent_turns(int64_t chat_id, size_t max_turns) {
    static constexpr std::string_view kSql = R"sql(
SELECT id, role, text, tokens, time_ms FROM (
    SELECT id, role, text, tokens, time_ms FROM turns WHERE chat_id = ? ORDER BY id DESC LIMIT ?
) ORDER BY id ASC)sql";
    std::lock_guard lock(mu_);
    auto q = db_->query(kSql, "recent_turns");
    LG_TRY(q);
    q->bind(chat_id).bind(static_cast<int64_t>(std::min<size_t>(max_turns, INT64_MAX)));
    std::vector<Turn> out;
    for (;;) {
        auto row = q->step();
        LG_TRY(row);
        if (!*row) break;
        const std::string role = q->column_text(1);
        auto parsed = parse_role(role);
        if (!parsed) {
            return core::fail(core::ErrorCode::Parse,
                              fmt::format("store: recent_turns failed on {}: turn {} has an "
                                          "unknown role '{}' (was the file edited by hand?)",
                                          path_, q->column_int64(0), role));
        }
        out.push_back(
            Turn{*parsed, q->column_text(2), q->column_int64(3), from_unix_ms(q->column_int64(4))});
    }
    return out;
}

core::Status SqliteStore::clear_history(int64_t chat_id) {
    std::lock_guard lock(mu_);
    auto q = db_->query("DELETE FROM turns WHERE chat_id = ?", "clear_history");
    LG_TRY(q);
    q->bind(chat_id);
    return q->run();
}

// --- counters -------------------------------------------------------------------------------

core::Result<int64_t> SqliteStore::add_to_counter(std::string_view key, WallTime window_start,
                                                  int64_t delta, WallTime expires_at) {
    static constexpr std::string_view kSql = R"sql(
INSERT INTO counters (key, window_start_ms, total, expires_ms) VALUES (?, ?, ?, ?)
ON CONFLICT (key, window_start_ms) DO UPDATE SET
    total = counters.total + excluded.total,
    expires_ms = max(counters.expires_ms, excluded.expires_ms)
RETURNING total)sql";
    std::lock_guard lock(mu_);
    auto q = db_->query(kSql, "add_to_counter");
    LG_TRY(q);
    q->bind(key).bind(to_unix_ms(window_start)).bind(delta).bind(to_unix_ms(expires_at));
    auto row = q->step();
    LG_TRY(row);
    if (!*row) {
        return core::fail(core::ErrorCode::Internal,
                          fmt::format("store: add_to_counter on {}: no total returned", path_));
    }
    const int64_t total = q->column_int64(0);
    LG_TRY(q->run());  // finish the statement so its write is complete before the reset
    return total;
}

core::Result<int64_t> SqliteStore::get_counter(std::string_view key, WallTime window_start) {
    std::lock_guard lock(mu_);
    auto q = db_->query("SELECT total FROM counters WHERE key = ? AND window_start_ms = ?",
                        "get_counter");
    LG_TRY(q);
    q->bind(key).bind(to_unix_ms(window_start));
    auto row = q->step();
    LG_TRY(row);
    return *row ? q->column_int64(0) : int64_t{0};
}

// --- settings -------------------------------------------------------------------------------

core::Result<std::optional<std::string>> SqliteStore::get_setting(int64_t chat_id,
                                                                  std::string_view key) {
    std::lock_guard lock(mu_);
    auto q = db_->query("SELECT value FROM settings WHERE chat_id = ? AND key = ?", "get_setting");
    LG_TRY(q);
    q->bind(chat_id).bind(key);
    auto row = q->step();
    LG_TRY(row);
    if (!*row) return std::optional<std::string>{};
    return std::optional<std::string>(q->column_text(0));
}

core::Status SqliteStore::set_setting(int64_t chat_id, std::string_view key,
                                      std::string_view value) {
    std::lock_guard lock(mu_);
    auto q = db_->query(
        "INSERT INTO settings (chat_id, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT (chat_id, key) DO UPDATE SET value = excluded.value",
        "set_setting");
    LG_TRY(q);
    q->bind(chat_id).bind(key).bind(value);
    return q->run();
}

core::Status SqliteStore::delete_setting(int64_t chat_id, std::string_view key) {
    std::lock_guard lock(mu_);
    auto q = db_->query("DELETE FROM settings WHERE chat_id = ? AND key = ?", "delete_setting");
    LG_TRY(q);
    q->bind(chat_id).bind(key);
    return q->run();
}

core::Result<std::map<std::string, std::string>> SqliteStore::list_settings(int64_t chat_id) {
    std::lock_guard lock(mu_);
    auto q = db_->query("SELECT key, value FROM settings WHERE chat_id = ?", "list_settings");
    LG_TRY(q);
    q->bind(chat_id);
    std::map<std::string, std::string> out;
    for (;;) {
        auto row = q->step();
        LG_TRY(row);
        if (!*row) return out;
        out.emplace(q->column_text(0), q->column_text(1));
    }
}

// --- audit ----------------------------------------------------------------------------------

core::Status SqliteStore::append_audit(int64_t chat_id, const AuditEntry& entry) {
    std::lock_guard lock(mu_);
    auto q = db_->query(
        "INSERT INTO audit (chat_id, time_ms, user_id, kind, detail) VALUES (?, ?, ?, ?, ?)",
        "append_audit");
    LG_TRY(q);
    q->bind(chat_id).bind(to_unix_ms(entry.time)).bind(entry.user_id).bind(entry.kind);
    q->bind(entry.detail);
    return q->run();
}

core::Result<std::vector<AuditEntry>> SqliteStore::recent_audit(int64_t chat_id, size_t n) {
    std::lock_guard lock(mu_);
    auto q = db_->query(
        "SELECT time_ms, user_id, kind, detail FROM audit WHERE chat_id = ? "
        "ORDER BY time_ms DESC, id DESC LIMIT ?",
        "recent_audit");
    LG_TRY(q);
    q->bind(chat_id).bind(static_cast<int64_t>(std::min<size_t>(n, INT64_MAX)));
    std::vector<AuditEntry> out;
    for (;;) {
        auto row = q->step();
        LG_TRY(row);
        if (!*row) return out;
        out.push_back(AuditEntry{from_unix_ms(q->column_int64(0)), q->column_int64(1),
                                 q->column_text(2), q->column_text(3)});
    }
}

// --- strikes --------------------------------------------------------------------------------

core::Result<bool> SqliteStore::add_strike(int64_t chat_id, int64_t user_id, WallTime now,
                                           std::string_view category, std::string_view dedupe_key) {
    std::lock_guard lock(mu_);
    // The partial unique index on (chat_id, user_id, dedupe_key) turns a repeat into a no-op.
    auto q = db_->query(
        "INSERT OR IGNORE INTO strikes (chat_id, user_id, time_ms, category, dedupe_key) "
        "VALUES (?, ?, ?, ?, ?)",
        "add_strike");
    LG_TRY(q);
    q->bind(chat_id).bind(user_id).bind(to_unix_ms(now)).bind(category);
    if (dedupe_key.empty()) {
        q->bind_null();
    } else {
        q->bind(dedupe_key);
    }
    LG_TRY(q->run());
    return db_->changes() == 1;
}

core::Result<std::vector<Strike>> SqliteStore::active_strikes(int64_t chat_id, int64_t user_id,
                                                              WallTime now, Seconds decay_window) {
    const int64_t now_ms = to_unix_ms(now);
    std::lock_guard lock(mu_);
    auto q = db_->query(
        "SELECT time_ms, category FROM strikes WHERE chat_id = ? AND user_id = ? "
        "AND time_ms > ? AND time_ms <= ? ORDER BY time_ms, id",
        "active_strikes");
    LG_TRY(q);
    q->bind(chat_id).bind(user_id).bind(now_ms - to_ms(decay_window)).bind(now_ms);
    std::vector<Strike> out;
    for (;;) {
        auto row = q->step();
        LG_TRY(row);
        if (!*row) return out;
        out.push_back(Strike{from_unix_ms(q->column_int64(0)), q->column_text(1)});
    }
}

core::Status SqliteStore::clear_strikes(int64_t chat_id, int64_t user_id) {
    std::lock_guard lock(mu_);
    auto q = db_->query("DELETE FROM strikes WHERE chat_id = ? AND user_id = ?", "clear_strikes");
    LG_TRY(q);
    q->bind(chat_id).bind(user_id);
    return q->run();
}

// --- admin cache ----------------------------------------------------------------------------

core::Status SqliteStore::cache_admin(int64_t chat_id, int64_t user_id, bool is_admin,
                                      WallTime expires_at) {
    std::lock_guard lock(mu_);
    auto q = db_->query(
        "INSERT INTO admin_cache (chat_id, user_id, is_admin, expires_ms) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (chat_id, user_id) DO UPDATE SET "
        "is_admin = excluded.is_admin, expires_ms = excluded.expires_ms",
        "cache_admin");
    LG_TRY(q);
    q->bind(chat_id).bind(user_id).bind(int64_t{is_admin ? 1 : 0}).bind(to_unix_ms(expires_at));
    return q->run();
}

core::Result<std::optional<bool>> SqliteStore::cached_admin(int64_t chat_id, int64_t user_id,
                                                            WallTime now) {
    std::lock_guard lock(mu_);
    auto q = db_->query(
        "SELECT is_admin FROM admin_cache WHERE chat_id = ? AND user_id = ? AND expires_ms > ?",
        "cached_admin");
    LG_TRY(q);
    q->bind(chat_id).bind(user_id).bind(to_unix_ms(now));
    auto row = q->step();
    LG_TRY(row);
    if (!*row) return std::optional<bool>{};
    return std::optional<bool>(q->column_int64(0) != 0);
}

// --- prune ----------------------------------------------------------------------------------

core::Result<PruneStats> SqliteStore::prune(WallTime now, const Retention& retention) {
    const int64_t now_ms = to_unix_ms(now);
    PruneStats stats;
    std::lock_guard lock(mu_);
    // Runs one DELETE with a single bound value and adds the rows removed to *count.
    auto remove = [&](std::string_view sql, int64_t value, int64_t* count) -> core::Status {
        auto q = db_->query(sql, "prune");
        LG_TRY(q);
        q->bind(value);
        LG_TRY(q->run());
        *count += db_->changes();
        return core::ok();
    };
    const int64_t keep_turns =
        static_cast<int64_t>(std::min<size_t>(retention.history_turns_per_chat, INT64_MAX));
    auto st = db_->transaction("prune", [&]() -> core::Status {
        LG_TRY(remove("DELETE FROM updates WHERE touched_ms < ?", now_ms - to_ms(retention.updates),
                      &stats.updates));
        LG_TRY(
            remove("DELETE FROM turns WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() "
                   "OVER (PARTITION BY chat_id ORDER BY id DESC) AS n FROM turns) WHERE n > ?)",
                   keep_turns, &stats.turns));
        LG_TRY(remove("DELETE FROM counters WHERE expires_ms <= ?", now_ms, &stats.counters));
        LG_TRY(remove("DELETE FROM audit WHERE time_ms < ?", now_ms - to_ms(retention.audit),
                      &stats.audit));
        LG_TRY(remove("DELETE FROM strikes WHERE time_ms < ?", now_ms - to_ms(retention.strikes),
                      &stats.strikes));
        LG_TRY(remove("DELETE FROM admin_cache WHERE expires_ms <= ?", now_ms, &stats.admin_cache));
        return core::ok();
    });
    LG_TRY(st);
    return stats;
}

}  // namespace store
