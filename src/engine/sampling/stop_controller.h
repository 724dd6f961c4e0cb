// The streaming gate between detokenized pieces and the user: stops at end-of-generation tokens,
// stop strings (even split across pieces; never shown), max tokens and the deadline, and holds
// back text that may still begin a stop string or ends inside a UTF-8 character.
//   while (!stop.check_deadline()) { emit(stop.feed(t, piece(t))); if (stop.done()) break; }
//   emit(stop.flush());  auto reason = finish_reason_name(stop.finish_reason());
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace engine {

enum class FinishReason { Stop, Length, Deadline, Error };

// "stop", "length", "deadline", "error" (the OpenAI names).
const char* finish_reason_name(FinishReason r);

struct StopConfig {
    std::vector<std::string> stop_strings;  // empty strings are ignored
    std::vector<int> eog_tokens;            // end-of-generation token ids (EOS, EOT, <|im_end|>...)
    int max_tokens = 0;                     // <= 0: no limit
    core::Deadline deadline = core::Deadline::never();
    const core::Clock* clock = nullptr;  // null: the system clock
};

class StopController {
public:
    explicit StopController(StopConfig config);

    // True (and finish reason Deadline) once the deadline has passed; call before each decode
    // step. Does nothing after generation has finished.
    bool check_deadline();

    // One generated token and its text. Returns the text that is now safe to show (often empty
    // while a possible stop string or a split UTF-8 character is held back). After done(), feed()
    // is not to be called.
    std::string feed(int token, std::string_view piece);

    // Ends generation from outside (e.g. the decoder failed).
    void stop(FinishReason reason);

    // Text still held back, released once generation is over: for Length/Deadline/eog endings a
    // held-back prefix of a stop string is real text. An incomplete UTF-8 tail is dropped.
    // Call once, after done().
    std::string flush();

    bool done() const { return reason_.has_value(); }
    // Meaningful once done().
    FinishReason finish_reason() const { return reason_.value_or(FinishReason::Error); }
    int n_tokens() const { return n_tokens_; }
    // Everything emitted so far (feed and flush results concatenated).
    const std::string& text() const { return emitted_; }

private:
    size_t stop_prefix_holdback() const;
    std::string take(size_t n);

    StopConfig config_;
    std::string pending_;  // fed but not yet emitted
    std::string emitted_;
    int n_tokens_ = 0;
    std::optional<FinishReason> reason_;
};

// Length of the longest prefix of `s` that does not end inside a UTF-8 character (a lead byte
// whose continuation bytes have not all arrived yet).
size_t complete_utf8_prefix(std::string_view s);

}  // namespace engine
