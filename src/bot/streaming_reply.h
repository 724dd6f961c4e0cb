// StreamingReply: shows an answer while the model writes it. The first visible text is sent as a
// message, later text edits it in place (at most one edit per interval per chat, never the same
// text twice, pausing after a 429), and finish() ends with the full text, split over more
// messages past 4096 characters. Also sends the "typing" chat action while the model works.
//   bot::StreamingReply r(api, msg, throttle, {}, clock);
//   r.typing(d); ... r.update(text_so_far, d); ... r.finish(full_text, d);
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "telegram/bot_api.h"

namespace bot {

// When each chat was last edited, shared by every reply, so two answers in one chat together
// stay under the edit rate; also remembers a chat's 429 back-off. Thread-safe.
class EditThrottle {
public:
    // The earliest time the chat may be edited again.
    core::SteadyTime next_edit(int64_t chat_id) const;
    void edited(int64_t chat_id, core::SteadyTime next_allowed);

private:
    mutable std::mutex mu_;
    std::map<int64_t, core::SteadyTime> next_;
};

struct StreamOptions {
    core::Millis edit_interval{1500};    // bot.stream_edit_interval_ms
    core::Millis typing_interval{4000};  // Telegram shows "typing" for about 5 s
};

class StreamingReply {
public:
    StreamingReply(telegram::BotApi& api, const telegram::Message& to, EditThrottle& throttle,
                   StreamOptions options, core::Clock& clock);

    // Sends the typing action when it is due (first call, then every typing_interval).
    void typing(core::Deadline deadline);
    // The answer so far: sent or edited in when the chat may be edited and the text changed.
    void update(const std::string& text, core::Deadline deadline);
    // The whole answer: the shown message edited to its first part (waiting out the edit
    // interval when time allows), the other parts sent as new messages.
    core::Status finish(const std::string& text, core::Deadline deadline);

    int edits() const { return edits_; }

private:
    core::Status send(const std::string& text, bool first, core::Deadline deadline);
    // Sleeps until the chat may be edited again, when that comes before the deadline.
    void wait_for_edit_slot(core::Deadline deadline);
    // Edits the shown message; false (and a back-off) when Telegram refused.
    core::Status edit(const std::string& text, core::Deadline deadline);

    telegram::BotApi& api_;
    const telegram::Message& to_;
    EditThrottle& throttle_;
    StreamOptions options_;
    core::Clock& clock_;
    std::optional<int64_t> message_id_;
    std::string shown_;
    std::optional<core::SteadyTime> last_typing_;
    bool edits_broken_ = false;  // an edit failed for good: no more partial edits
    int edits_ = 0;
};

}  // namespace bot
