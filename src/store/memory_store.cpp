#include "store/memory_store.h"

#include <algorithm>

namespace store {

namespace {

// Times are kept at millisecond precision, like the SQLite store, so both behave the same.
WallTime truncate_ms(WallTime t) { return from_unix_ms(to_unix_ms(t)); }

}  // namespace

core::Result<bool> MemoryStore::claim_update(int64_t bot_id, int64_t update_id, WallTime now,
                                             Seconds lease) {
    const int64_t now_ms = to_unix_ms(now);
    const int64_t until_ms = now_ms + std::chrono::duration_cast<core::Millis>(lease).count();
    std::lock_guard lock(mu_);
    auto [it, inserted] = updates_.try_emplace(Pair{bot_id, update_id});
    UpdateRow& row = it->second;
    if (!inserted && (row.state == UpdateState::Done || row.lease_until_ms > now_ms)) return false;
    row.state = UpdateState::Claimed;
    row.lease_until_ms = until_ms;
    row.touched_ms = now_ms;
    return true;
}

core::Status MemoryStore::mark_update_done(int64_t bot_id, int64_t update_id, WallTime now) {
    std::lock_guard lock(mu_);
    UpdateRow& row = updates_[Pair{bot_id, update_id}];
    row.state = UpdateState::Done;
    row.touched_ms = to_unix_ms(now);
    return core::ok();
}

core::Status MemoryStore::release_update(int64_t bot_id, int64_t update_id) {
    std::lock_guard lock(mu_);
    auto it = updates_.find(Pair{bot_id, update_id});
    if (it != updates_.end() && it->second.state == UpdateState::Claimed) updates_.erase(it);
    return core::ok();
}

core::Result<UpdateState> MemoryStore::update_state(int64_t bot_id, int64_t update_id) {
    std::lock_guard lock(mu_);
    auto it = updates_.find(Pair{bot_id, update_id});
    return it == updates_.end() ? UpdateState::None : it->second.state;
}

core::Status MemoryStore::append_turn(int64_t chat_id, const Turn& turn) {
    Turn copy = turn;
    copy.time = truncate_ms(copy.time);
    std::lock_guard lock(mu_);
    history_[chat_id].push_back(std::move(copy));
    return core::ok();
}

core::Result<std::vector<Turn>> MemoryStore::recent_turns(int64_t chat_id, size_t max_turns) {
    std::lock_guard lock(mu_);
    auto it = history_.find(chat_id);
    if (it == history_.end()) return std::vector<Turn>{};
    const auto& turns = it->second;
    const size_t first = turns.size() > max_turns ? turns.size() - max_turns : 0;
    return std::vector<Turn>(turns.begin() + static_cast<std::ptrdiff_t>(first), turns.end());
}

core::Status MemoryStore::clear_history(int64_t chat_id) {
    std::lock_guard lock(mu_);
    history_.erase(chat_id);
    return core::ok();
}

core::Result<int64_t> MemoryStore::add_to_counter(std::string_view key, WallTime window_start,
                                                  int64_t delta, WallTime expires_at) {
    std::lock_guard lock(mu_);
    CounterRow& row = counters_[{std::string(key), to_unix_ms(window_start)}];
    row.total += delta;
    row.expires_ms = std::max(row.expires_ms, to_unix_ms(expires_at));
    return row.total;
}

core::Result<int64_t> MemoryStore::get_counter(std::string_view key, WallTime window_start) {
    std::lock_guard lock(mu_);
    auto it = counters_.find({std::string(key), to_unix_ms(window_start)});
    return it == counters_.end() ? int64_t{0} : it->second.total;
}

core::Result<std::optional<std::string>> MemoryStore::get_setting(int64_t chat_id,
                                                                  std::string_view key) {
    std::lock_guard lock(mu_);
    auto chat = settings_.find(chat_id);
    if (chat == settings_.end()) return std::optional<std::string>{};
    auto it = chat->second.find(key);
    if (it == chat->second.end()) return std::optional<std::string>{};
    return std::optional<std::string>(it->second);
}

core::Status MemoryStore::set_setting(int64_t chat_id, std::string_view key,
                                      std::string_view value) {
    std::lock_guard lock(mu_);
    settings_[chat_id].insert_or_assign(std::string(key), std::string(value));
    return core::ok();
}

core::Status MemoryStore::delete_setting(int64_t chat_id, std::string_view key) {
    std::lock_guard lock(mu_);
    auto chat = settings_.find(chat_id);
    if (chat == settings_.end()) return core::ok();
    auto it = chat->second.find(key);
    if (it != chat->second.end()) chat->second.erase(it);
    return core::ok();
}

core::Result<std::map<std::string, std::string>> MemoryStore::list_settings(int64_t chat_id) {
    std::lock_guard lock(mu_);
    auto chat = settings_.find(chat_id);
    if (chat == settings_.end()) return std::map<std::string, std::string>{};
    return std::map<std::string, std::string>(chat->second.begin(), chat->second.end());
}

core::Status MemoryStore::append_audit(int64_t chat_id, const AuditEntry& entry) {
    AuditEntry copy = entry;
    copy.time = truncate_ms(copy.time);
    std::lock_guard lock(mu_);
    audit_[chat_id].push_back(std::move(copy));
    return core::ok();
}

core::Result<std::vector<AuditEntry>> MemoryStore::recent_audit(int64_t chat_id, size_t n) {
    std::vector<AuditEntry> out;
    {
        std::lock_guard lock(mu_);
        auto it = audit_.find(chat_id);
        if (it == audit_.end()) return out;
        out = it->second;
    }
    // Newest first by time, later insertion first among equal times (as SQLite's ORDER BY).
    std::stable_sort(out.begin(), out.end(),
                     [](const AuditEntry& a, const AuditEntry& b) { return a.time < b.time; });
    std::reverse(out.begin(), out.end());
    if (out.size() > n) out.resize(n);
    return out;
}

core::Result<bool> MemoryStore::add_strike(int64_t chat_id, int64_t user_id, WallTime now,
                                           std::string_view category, std::string_view dedupe_key) {
    std::lock_guard lock(mu_);
    auto& rows = strikes_[Pair{chat_id, user_id}];
    if (!dedupe_key.empty()) {
        for (const auto& row : rows) {
            if (row.dedupe_key == dedupe_key) return false;
        }
    }
    rows.push_back(
        StrikeRow{Strike{truncate_ms(now), std::string(category)}, std::string(dedupe_key)});
    return true;
}

core::Result<std::vector<Strike>> MemoryStore::active_strikes(int64_t chat_id, int64_t user_id,
                                                              WallTime now, Seconds decay_window) {
    const int64_t now_ms = to_unix_ms(now);
    const int64_t since_ms =
        now_ms - std::chrono::duration_cast<core::Millis>(decay_window).count();
    std::vector<Strike> out;
    std::lock_guard lock(mu_);
    auto it = strikes_.find(Pair{chat_id, user_id});
    if (it == strikes_.end()) return out;
    for (const auto& row : it->second) {
        const int64_t t = to_unix_ms(row.strike.time);
        if (t > since_ms && t <= now_ms) out.push_back(row.strike);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Strike& a, const Strike& b) { return a.time < b.time; });
    return out;
}

core::Status MemoryStore::clear_strikes(int64_t chat_id, int64_t user_id) {
    std::lock_guard lock(mu_);
    strikes_.erase(Pair{chat_id, user_id});
    return core::ok();
}

core::Status MemoryStore::cache_admin(int64_t chat_id, int64_t user_id, bool is_admin,
                                      WallTime expires_at) {
    std::lock_guard lock(mu_);
    admins_[Pair{chat_id, user_id}] = AdminRow{is_admin, to_unix_ms(expires_at)};
    return core::ok();
}

core::Result<std::optional<bool>> MemoryStore::cached_admin(int64_t chat_id, int64_t user_id,
                                                            WallTime now) {
    std::lock_guard lock(mu_);
    auto it = admins_.find(Pair{chat_id, user_id});
    if (it == admins_.end() || it->second.expires_ms <= to_unix_ms(now)) {
        return std::optional<bool>{};
    }
    return std::optional<bool>(it->second.is_admin);
}

namespace {

// Erases the map entries matching `pred`; returns how many.
template <class Map, class Pred>
int64_t erase_if_counted(Map& map, Pred pred) {
    return static_cast<int64_t>(std::erase_if(map, pred));
}

}  // namespace

core::Result<PruneStats> MemoryStore::prune(WallTime now, const Retention& retention) {
    const int64_t now_ms = to_unix_ms(now);
    auto before = [now_ms](Seconds age) {
        return now_ms - std::chrono::duration_cast<core::Millis>(age).count();
    };
    const int64_t updates_before = before(retention.updates);
    const WallTime audit_before = from_unix_ms(before(retention.audit));
    const WallTime strikes_before = from_unix_ms(before(retention.strikes));
    PruneStats stats;
    std::lock_guard lock(mu_);
    stats.updates = erase_if_counted(
        updates_, [&](const auto& kv) { return kv.second.touched_ms < updates_before; });
    for (auto& [chat, turns] : history_) {
        while (turns.size() > retention.history_turns_per_chat) {
            turns.pop_front();
            ++stats.turns;
        }
    }
    stats.counters =
        erase_if_counted(counters_, [&](const auto& kv) { return kv.second.expires_ms <= now_ms; });
    for (auto& [chat, entries] : audit_) {
        stats.audit += static_cast<int64_t>(
            std::erase_if(entries, [&](const AuditEntry& e) { return e.time < audit_before; }));
    }
    for (auto& [who, rows] : strikes_) {
        stats.strikes += static_cast<int64_t>(std::erase_if(
            rows, [&](const StrikeRow& r) { return r.strike.time < strikes_before; }));
    }
    stats.admin_cache =
        erase_if_counted(admins_, [&](const auto& kv) { return kv.second.expires_ms <= now_ms; });
    return stats;
}

}  // namespace store
