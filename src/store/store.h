// store::Store: everything the bots keep between updates (dedupe of update ids, chat history,
// counters for rate limits and budgets, per-chat settings, the audit log, moderation strikes and
// a cache of admin status), behind one narrow interface that SQLite, memory and DynamoDB implement.
//   if (auto won = store.claim_update(bot_id, update.id, clock.wall_now(), lease); won && *won)
//       { handle(update); (void)store.mark_update_done(bot_id, update.id, clock.wall_now()); }
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace store {

using core::WallTime;
using Seconds = std::chrono::seconds;

// Update dedupe: how far an update got. None means never claimed (or pruned).
enum class UpdateState { None, Claimed, Done };
const char* update_state_name(UpdateState s);

enum class Role { System, User, Assistant };
const char* role_name(Role r);
// Parses "system|user|assistant"; nullopt if unknown.
std::optional<Role> parse_role(std::string_view name);

// One message of a chat's history, as fed back to the language model.
struct Turn {
    Role role = Role::User;
    std::string text;
    int64_t tokens = 0;  // as counted by the model that will read it; 0 if unknown
    WallTime time{};
    bool operator==(const Turn&) const = default;
};

// One line of a chat's audit log. Moderation decisions use kind "moderation.*".
struct AuditEntry {
    WallTime time{};
    int64_t user_id = 0;  // who the entry is about (0: nobody in particular)
    std::string kind;     // e.g. "moderation.decision", "settings.changed", "assistant.reply"
    std::string detail;   // a JSON object, serialized by the caller
    bool operator==(const AuditEntry&) const = default;
};

// One strike against a user in a group; strikes decay (see active_strikes).
struct Strike {
    WallTime time{};
    std::string category;  // e.g. "spam", "insult"
    bool operator==(const Strike&) const = default;
};

// How long prune() keeps rows. Counters and admin-cache rows carry their own expiry instead.
struct Retention {
    Seconds updates{std::chrono::hours(24 * 7)};  // Telegram retries for at most ~24 h
    Seconds audit{std::chrono::hours(24 * 90)};
    Seconds strikes{std::chrono::hours(24 * 90)};  // longer than any sensible decay window
    size_t history_turns_per_chat = 200;           // older turns of each chat are dropped
};

// What prune() removed, for a log line.
struct PruneStats {
    int64_t updates = 0;
    int64_t turns = 0;
    int64_t counters = 0;
    int64_t audit = 0;
    int64_t strikes = 0;
    int64_t admin_cache = 0;
};

// The store interface. Every method is thread-safe and returns an Error naming the operation
// (and for file stores the file) on failure; none throws.
//
// Update handling is AT-LEAST-ONCE with exactly-one-concurrent-handler:
//  * claim_update() atomically inserts (bot_id, update_id) as Claimed with a lease and returns
//    true to exactly one caller. Others get false while the claim is live or once it is Done.
//  * A claim whose lease has expired and which is not Done can be claimed again (a process that
//    crashed mid-update, a Lambda that timed out): the update is then handled a second time.
//  * mark_update_done() makes the update permanently claimed-and-finished; release_update()
//    gives a failed claim back at once so Telegram's retry is handled.
// So an update's effects (replies, strikes, history, counters) can happen twice in the rare
// crash-after-effect-before-done case. Handlers make the effects that matter idempotent:
// add_strike() takes a dedupe key (e.g. "update:<id>"), and sending one extra reply after a crash
// is accepted. Nothing here is a cross-method transaction, so a DynamoDB store can implement it.
class Store {
public:
    virtual ~Store() = default;

    // --- update dedupe ---------------------------------------------------------------------
    // True if this caller now holds the claim: the id was never seen, or its earlier claim
    // expired without being marked done. `lease` is how long the claim blocks others.
    virtual core::Result<bool> claim_update(int64_t bot_id, int64_t update_id, WallTime now,
                                            Seconds lease) = 0;
    // Marks a claimed (or unknown) update Done. Idempotent.
    virtual core::Status mark_update_done(int64_t bot_id, int64_t update_id, WallTime now) = 0;
    // Drops a claim that is not Done, so the next claim_update wins immediately. Idempotent;
    // a Done update stays Done.
    virtual core::Status release_update(int64_t bot_id, int64_t update_id) = 0;
    virtual core::Result<UpdateState> update_state(int64_t bot_id, int64_t update_id) = 0;

    // --- chat history (keyed by chat, not user) ---------------------------------------------
    virtual core::Status append_turn(int64_t chat_id, const Turn& turn) = 0;
    // The last `max_turns` turns of the chat, oldest first.
    virtual core::Result<std::vector<Turn>> recent_turns(int64_t chat_id, size_t max_turns) = 0;
    virtual core::Status clear_history(int64_t chat_id) = 0;

    // --- counters (rate limits, token budgets) ----------------------------------------------
    // Atomically adds `delta` to the counter (key, window_start), creating it at 0, and returns
    // the new total. The row lives until `expires_at` (the later one wins when called again);
    // prune() deletes expired rows. Example keys: "rate:user:42", "tokens:chat:-100123".
    virtual core::Result<int64_t> add_to_counter(std::string_view key, WallTime window_start,
                                                 int64_t delta, WallTime expires_at) = 0;
    // The counter's total, 0 if absent.
    virtual core::Result<int64_t> get_counter(std::string_view key, WallTime window_start) = 0;

    // --- per-chat settings (string values; callers serialize) -------------------------------
    virtual core::Result<std::optional<std::string>> get_setting(int64_t chat_id,
                                                                 std::string_view key) = 0;
    virtual core::Status set_setting(int64_t chat_id, std::string_view key,
                                     std::string_view value) = 0;
    // Removes the key; no error if it was absent.
    virtual core::Status delete_setting(int64_t chat_id, std::string_view key) = 0;
    virtual core::Result<std::map<std::string, std::string>> list_settings(int64_t chat_id) = 0;

    // --- audit and moderation log -----------------------------------------------------------
    virtual core::Status append_audit(int64_t chat_id, const AuditEntry& entry) = 0;
    // The newest `n` entries of the chat, newest first.
    virtual core::Result<std::vector<AuditEntry>> recent_audit(int64_t chat_id, size_t n) = 0;

    // --- moderation strikes -----------------------------------------------------------------
    // Records a strike. With a non-empty `dedupe_key` the same (chat, user, key) is recorded at
    // most once, so a re-handled update does not strike twice. True if a row was added.
    virtual core::Result<bool> add_strike(int64_t chat_id, int64_t user_id, WallTime now,
                                          std::string_view category,
                                          std::string_view dedupe_key = {}) = 0;
    // Strikes with time in (now - decay_window, now], oldest first.
    virtual core::Result<std::vector<Strike>> active_strikes(int64_t chat_id, int64_t user_id,
                                                             WallTime now,
                                                             Seconds decay_window) = 0;
    virtual core::Status clear_strikes(int64_t chat_id, int64_t user_id) = 0;

    // --- admin status cache (saves getChatMember calls) -------------------------------------
    virtual core::Status cache_admin(int64_t chat_id, int64_t user_id, bool is_admin,
                                     WallTime expires_at) = 0;
    // The cached answer, or nullopt if absent or expired at `now`.
    virtual core::Result<std::optional<bool>> cached_admin(int64_t chat_id, int64_t user_id,
                                                           WallTime now) = 0;

    // --- housekeeping -----------------------------------------------------------------------
    // Deletes what is older than `retention` allows and what has expired at `now`.
    virtual core::Result<PruneStats> prune(WallTime now, const Retention& retention) = 0;
};

// Unix milliseconds of a wall time, and back: the stores' time representation.
int64_t to_unix_ms(WallTime t);
WallTime from_unix_ms(int64_t ms);

}  // namespace store
