// Where {context} comes from: a text file at a URL (bot.context_file_url, the Python bots'
// CTX_FILE_URL), fetched through a ContextSource (the app's uses HTTP; tests use a fake) and
// cached for a TTL, with a size limit. A failed fetch is logged and the last good copy is used.
//   bot::ContextCache ctx(source, {.url = u}, clock);  std::string text = ctx.get(deadline);
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"

namespace bot {

// Fetches a text document. The bot layer has no sockets: the app implements this over HTTP.
class ContextSource {
public:
    virtual ~ContextSource() = default;
    // The body at `url`; an error when it cannot be fetched or is larger than `max_bytes`.
    virtual core::Result<std::string> fetch(const std::string& url, size_t max_bytes,
                                            core::Deadline deadline) = 0;
};

struct ContextOptions {
    std::string url;                               // empty: no context
    std::chrono::seconds ttl{600};                 // bot.context_ttl_s
    size_t max_bytes = 64 * 1024;                  // bot.context_max_bytes
    std::chrono::seconds retry_after_failure{60};  // at most one failed fetch per minute
    std::chrono::seconds fetch_timeout{5};         // never more of the handler's time than this
};

class ContextCache {
public:
    ContextCache(ContextSource* source, ContextOptions options, core::Clock& clock);

    // The context text: the cached copy while fresh, else a new fetch; after a failure the last
    // good copy (or "" when there never was one). Thread-safe; never fails.
    std::string get(core::Deadline deadline);

private:
    ContextSource* source_;
    ContextOptions options_;
    core::Clock& clock_;
    std::mutex mu_;
    std::string text_;
    std::optional<core::SteadyTime> next_fetch_;  // unset: fetch now
};

}  // namespace bot
