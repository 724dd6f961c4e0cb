// store::MemoryStore: the Store interface over in-process maps, for tests of the bots (with fakes
// and a FakeClock) and the console mode. Nothing survives the process; same semantics as
// SqliteStore, checked by the shared contract tests in tests/store.
//   store::MemoryStore mem;  bot::Assistant assistant(model, client, mem, clock);
#pragma once

#include <deque>
#include <mutex>
#include <utility>

#include "store/store.h"

namespace store {

class MemoryStore final : public Store {
public:
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
    using Pair = std::pair<int64_t, int64_t>;
    struct UpdateRow {
        UpdateState state = UpdateState::Claimed;
        int64_t lease_until_ms = 0;
        int64_t touched_ms = 0;  // last claim or done time, for prune
    };
    struct CounterRow {
        int64_t total = 0;
        int64_t expires_ms = 0;
    };
    struct StrikeRow {
        Strike strike;
        std::string dedupe_key;
    };
    struct AdminRow {
        bool is_admin = false;
        int64_t expires_ms = 0;
    };

    std::mutex mu_;
    std::map<Pair, UpdateRow> updates_;
    std::map<int64_t, std::deque<Turn>> history_;
    std::map<std::pair<std::string, int64_t>, CounterRow> counters_;
    std::map<int64_t, std::map<std::string, std::string, std::less<>>> settings_;
    std::map<int64_t, std::vector<AuditEntry>> audit_;
    std::map<Pair, std::vector<StrikeRow>> strikes_;
    std::map<Pair, AdminRow> admins_;
};

}  // namespace store
