#include "runtime/poll_loop.h"

#include <algorithm>
#include <exception>

#include "core/log.h"

namespace runtime {

bool is_retryable(const core::Error& error) {
    switch (error.code) {
        case core::ErrorCode::Network:
        case core::ErrorCode::Timeout:
        case core::ErrorCode::RateLimited:
            return true;
        case core::ErrorCode::Http:
            return error.http_status >= 500;
        default:
            return false;
    }
}

PollLoop::PollLoop(telegram::BotApi& api, bot::UpdateHandler& handler,
                   const std::atomic<bool>& stop, core::Clock& clock, PollOptions options)
    : api_(api), handler_(handler), stop_(stop), clock_(clock), options_(std::move(options)) {}

std::optional<int64_t> PollLoop::next_offset() const {
    std::lock_guard<std::mutex> lock(mu_);
    return next_offset_;
}

PollStats PollLoop::stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
}

core::Status PollLoop::run() {
    core::log::info("poll: long polling with a {} s timeout", options_.timeout_s);
    while (!stop_.load()) {
        core::Status st = poll_once();
        if (st) {
            backoff_ = core::Millis(0);
            continue;
        }
        const core::Error& e = st.error();
        if (e.code == core::ErrorCode::Unauthorized || e.http_status == 401 ||
            e.http_status == 404) {
            // 401: the token was revoked or mistyped; 404: Telegram's answer to a malformed one.
            phase_ = Phase::Done;
            return core::fail(core::ErrorCode::Unauthorized,
                              "poll: Telegram rejected the bot token (" + e.message +
                                  "): check TELEGRAM_TOKEN (telegram.token)");
        }
        core::Millis wait = next_backoff(e);
        std::string hint;
        if (e.http_status == 409) {
            hint =
                " (another poller uses this token, or a webhook is set: "
                "`lambdagram webhook delete` removes it)";
        }
        core::log::warn("poll: {}{}; retrying in {} ms", e.message, hint, wait.count());
        sleep_unless_stopped(wait);
    }
    commit();
    phase_ = Phase::Done;
    PollStats s = stats();
    core::log::info("poll: stopped after {} updates ({} skipped)", s.handled, s.skipped);
    return core::ok();
}

core::Status PollLoop::poll_once() {
    telegram::GetUpdates req;
    req.offset = next_offset();
    req.limit = options_.limit;
    req.timeout_s = options_.timeout_s;
    req.allowed_updates = options_.allowed_updates;
    auto deadline = core::Deadline::after(core::Millis(options_.timeout_s * 1000 + 15'000), clock_);

    phase_ = Phase::Fetching;
    core::SteadyTime started = clock_.now();
    core::Result<std::vector<telegram::Update>> updates =
        core::fail(core::ErrorCode::Internal, "poll: getUpdates was not called");
    try {
        updates = api_.get_updates(req, deadline);
    } catch (const std::exception& ex) {
        updates = core::fail(core::ErrorCode::Internal,
                             std::string("poll: getUpdates threw: ") + ex.what());
    }
    if (!updates) {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.fetch_errors;
        return core::fail(std::move(updates).error());
    }
    {
        std::lock_guard<std::mutex> lock(mu_);
        confirmed_offset_ = req.offset;
    }
    if (updates->empty()) {
        auto waited = clock_.now() - started;
        if (waited < std::chrono::seconds(options_.timeout_s) / 2) {
            phase_ = Phase::Sleeping;
            sleep_unless_stopped(options_.idle_pause);
        }
        phase_ = Phase::Idle;
        return core::ok();
    }
    return handle_batch(*updates);
}

core::Status PollLoop::handle_batch(const std::vector<telegram::Update>& updates) {
    std::lock_guard<std::mutex> batch(batch_mu_);
    phase_ = Phase::Handling;
    for (const auto& u : updates) {
        // Stop between updates: the rest stay unconfirmed and come again after a restart.
        if (stop_.load()) break;
        std::optional<int64_t> next = next_offset();
        if (next && u.update_id < *next) continue;  // already handled
        core::Status st = handle_one(u);
        if (!st) {
            phase_ = Phase::Idle;
            return st;
        }
    }
    phase_ = Phase::Idle;
    return core::ok();
}

// Handles one update; ok when the offset may move past it (handled, or given up on).
core::Status PollLoop::handle_one(const telegram::Update& u) {
    auto deadline = core::Deadline::after(options_.handler_timeout, clock_);
    core::log::debug("poll: handling update {}", u.update_id);
    core::Status st = core::ok();
    try {
        st = handler_.handle(u, deadline);
    } catch (const std::exception& ex) {
        st = core::fail(core::ErrorCode::Internal, std::string("handler threw: ") + ex.what());
    } catch (...) {
        st = core::fail(core::ErrorCode::Internal, "handler threw a non-exception");
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (st) {
        core::log::debug("poll: update {} handled", u.update_id);
        ++stats_.handled;
        attempts_.erase(u.update_id);
        next_offset_ = u.update_id + 1;
        return core::ok();
    }
    ++stats_.handler_errors;
    int tries = ++attempts_[u.update_id];
    if (is_retryable(st.error()) && tries < options_.max_attempts) {
        core::Error e = st.error();
        e.message = "update " + std::to_string(u.update_id) + " failed (attempt " +
                    std::to_string(tries) + " of " + std::to_string(options_.max_attempts) +
                    "): " + e.message;
        return core::fail(std::move(e));
    }
    core::log::error("poll: giving up on update {} after {} attempt(s): {}", u.update_id, tries,
                     st.error().message);
    ++stats_.skipped;
    attempts_.erase(u.update_id);
    next_offset_ = u.update_id + 1;
    return core::ok();
}

core::Millis PollLoop::next_backoff(const core::Error& error) {
    if (backoff_.count() == 0) {
        backoff_ = options_.backoff_initial;
    } else {
        backoff_ = std::min(backoff_ * 2, options_.backoff_max);
    }
    // Telegram's retry_after (429) is a minimum, not a suggestion.
    if (error.retry_after && *error.retry_after > backoff_) return *error.retry_after;
    return backoff_;
}

void PollLoop::sleep_unless_stopped(core::Millis d) {
    auto phase_before = phase_.load();
    phase_ = Phase::Sleeping;
    auto until = clock_.now() + d;
    while (!stop_.load()) {
        auto now = clock_.now();
        if (now >= until) break;
        auto left = std::chrono::duration_cast<core::Millis>(until - now);
        clock_.sleep_for(std::min(left, core::Millis(100)));
    }
    phase_ = phase_before;
}

// Tells Telegram which updates were handled, so a restart starts after them. Telegram learns an
// offset from the next getUpdates; a short one with limit 1 and timeout 0 does it now.
void PollLoop::commit() {
    std::optional<int64_t> next;
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (!next_offset_ || next_offset_ == confirmed_offset_) return;
        next = next_offset_;
    }
    phase_ = Phase::Committing;
    telegram::GetUpdates req;
    req.offset = next;
    req.limit = 1;
    req.timeout_s = 0;
    req.allowed_updates = options_.allowed_updates;
    auto r = api_.get_updates(req, core::Deadline::after(core::Millis(10'000), clock_));
    if (!r) {
        core::log::warn(
            "poll: could not confirm offset {} to Telegram ({}); updates before it "
            "may come again after a restart",
            *next, r.error().message);
        return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    confirmed_offset_ = next;
}

}  // namespace runtime
