#include "bot/context_source.h"

#include "core/log.h"

namespace bot {

ContextCache::ContextCache(ContextSource* source, ContextOptions options, core::Clock& clock)
    : source_(source), options_(std::move(options)), clock_(clock) {}

std::string ContextCache::get(core::Deadline deadline) {
    if (options_.url.empty() || source_ == nullptr) return {};
    std::lock_guard lock(mu_);
    core::SteadyTime now = clock_.now();
    if (next_fetch_ && now < *next_fetch_) return text_;

    auto limit = core::Deadline::after(options_.fetch_timeout, clock_).min(deadline);
    auto body = source_->fetch(options_.url, options_.max_bytes, limit);
    if (body && body->size() > options_.max_bytes) {
        body = core::fail(core::ErrorCode::ResourceExhausted,
                          "it is larger than bot.context_max_bytes (" +
                              std::to_string(options_.max_bytes) + " bytes)");
    }
    if (!body) {
        core::log::warn(
            "bot: the context file (bot.context_file_url) could not be fetched: {}; answering "
            "{} (next try in {} s)",
            body.error().message, text_.empty() ? "without context" : "with the last good copy",
            options_.retry_after_failure.count());
        next_fetch_ =
            now + std::min<std::chrono::seconds>(options_.retry_after_failure, options_.ttl);
        return text_;
    }
    text_ = std::move(*body);
    next_fetch_ = now + options_.ttl;
    core::log::debug("bot: context file fetched ({} bytes)", text_.size());
    return text_;
}

}  // namespace bot
