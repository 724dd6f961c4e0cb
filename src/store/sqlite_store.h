// store::SqliteStore: the default Store, one SQLite file in WAL mode with a busy timeout, its
// schema brought up to date by versioned migrations when opened. Several processes may share
// the file; within a process one connection is serialized by a mutex.
//   auto s = store::SqliteStore::open({.path = "/var/lib/lambdagram/store.sqlite"});
//   if (!s) { log::error("{}", s.error().message); return 1; }
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/store.h"

namespace store {

namespace detail {
class Db;
}

class SqliteStore final : public Store {
public:
    struct Options {
        std::string path;                                    // store.path; ":memory:" for scratch
        core::Millis busy_timeout{std::chrono::seconds(5)};  // wait this long for another writer
        int schema_version = 0;  // 0: the latest; lower only to test migrations
    };

    // Opens or creates the file and migrates it. Fails with a message naming the file when it
    // cannot be opened or written, is not a SQLite store, or has a newer schema than this build.
    static core::Result<std::unique_ptr<SqliteStore>> open(const Options& options);
    static int latest_schema_version();

    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    // The schema version recorded in the file.
    core::Result<int> schema_version();
    const std::string& path() const { return path_; }

    core::Result<bool> claim_update(int64_t bot_id, int64_t update_id, WallTime now,
                                    Seconds lease) override;
    core::Status mark_update_done(int64_t bot_id, int64_t update_id, WallTime now) override;
    core::Status release_update(int64_t bot_id, int64_t update_id) override;
    core::Result<UpdateState> update_state(int64_t bot_id, int64_t update_id) override;

    core::Status append_turn(int64_t chat_id, const Turn& turn) override;
    core::Result<std::vector<Turn>> recent_turns(int64_t chat_id, size_t max_turns) override;
    core::Status clear_history(int64_t chat_id) override;

    core::Result<int64_t> add_to_counter(std::string_view key, WallTime window_start, int64_t delta,
                                         WallTime expires_at) override;
    core::Result<int64_t> get_counter(std::string_view key, WallTime window_start) override;

    core::Result<std::optional<std::string>> get_setting(int64_t chat_id,
                                                         std::string_view key) override;
    core::Status set_setting(int64_t chat_id, std::string_view key,
                             std::string_view value) override;
    core::Status delete_setting(int64_t chat_id, std::string_view key) override;
    core::Result<std::map<std::string, std::string>> list_settings(int64_t chat_id) override;

    core::Status append_audit(int64_t chat_id, const AuditEntry& entry) override;
    core::Result<std::vector<AuditEntry>> recent_audit(int64_t chat_id, size_t n) override;

    core::Result<bool> add_strike(int64_t chat_id, int64_t user_id, WallTime now,
                                  std::string_view category,
                                  std::string_view dedupe_key = {}) override;
    core::Result<std::vector<Strike>> active_strikes(int64_t chat_id, int64_t user_id, WallTime now,
                                                     Seconds decay_window) override;
    core::Status clear_strikes(int64_t chat_id, int64_t user_id) override;

    core::Status cache_admin(int64_t chat_id, int64_t user_id, bool is_admin,
                             WallTime expires_at) override;
    core::Result<std::optional<bool>> cached_admin(int64_t chat_id, int64_t user_id,
                                                   WallTime now) override;

    core::Result<PruneStats> prune(WallTime now, const Retention& retention) override;

private:
    SqliteStore(std::unique_ptr<detail::Db> db, std::string path);

    std::mutex mu_;
    std::unique_ptr<detail::Db> db_;
    std::string path_;
};

}  // namespace store
