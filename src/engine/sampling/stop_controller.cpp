#include "engine/sampling/stop_controller.h"

#include <algorithm>

#include "core/check.h"

namespace engine {

const char* finish_reason_name(FinishReason r) {
    switch (r) {
        case FinishReason::Stop:
            return "stop";
        case FinishReason::Length:
            return "length";
        case FinishReason::Deadline:
            return "deadline";
        case FinishReason::Error:
            return "error";
    }
    return "error";
}

size_t complete_utf8_prefix(std::string_view s) {
    if (s.empty()) return 0;
    // Find the start of the last character: at most 3 continuation bytes back.
    size_t j = s.size() - 1;
    size_t back = 0;
    while (j > 0 && back < 3 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) {
        --j;
        ++back;
    }
    unsigned char c = static_cast<unsigned char>(s[j]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 1;
    return j + len > s.size() ? j : s.size();
}

StopController::StopController(StopConfig config) : config_(std::move(config)) {
    auto& ss = config_.stop_strings;
    ss.erase(std::remove(ss.begin(), ss.end(), std::string()), ss.end());
}

bool StopController::check_deadline() {
    if (done()) return reason_ == FinishReason::Deadline;
    const core::Clock& clock = config_.clock ? *config_.clock : core::SystemClock::instance();
    if (config_.deadline.expired(clock)) reason_ = FinishReason::Deadline;
    return done();
}

void StopController::stop(FinishReason reason) {
    if (!done()) reason_ = reason;
}

std::string StopController::take(size_t n) {
    std::string out = pending_.substr(0, n);
    pending_.erase(0, n);
    emitted_ += out;
    return out;
}

// The longest tail of pending_ that is a proper prefix of some stop string: it may still grow
// into that stop string, so it must not be shown yet.
size_t StopController::stop_prefix_holdback() const {
    size_t best = 0;
    std::string_view p = pending_;
    for (const std::string& s : config_.stop_strings) {
        for (size_t len = std::min(s.size() - 1, p.size()); len > best; --len) {
            if (p.substr(p.size() - len) == std::string_view(s).substr(0, len)) {
                best = len;
                break;
            }
        }
    }
    return best;
}

std::string StopController::feed(int token, std::string_view piece) {
    LG_CHECK(!done(), "StopController::feed after generation finished");
    ++n_tokens_;
    if (std::find(config_.eog_tokens.begin(), config_.eog_tokens.end(), token) !=
        config_.eog_tokens.end()) {
        reason_ = FinishReason::Stop;  // the end token's own text is never shown
        return {};
    }
    pending_.append(piece);

    // Earliest stop string wins; everything from it on is dropped.
    size_t hit = std::string::npos;
    for (const std::string& s : config_.stop_strings) hit = std::min(hit, pending_.find(s));
    if (hit != std::string::npos) {
        reason_ = FinishReason::Stop;
        std::string out = take(hit);
        pending_.clear();
        return out;
    }

    size_t safe = pending_.size() - stop_prefix_holdback();
    safe = complete_utf8_prefix(std::string_view(pending_).substr(0, safe));
    std::string out = take(safe);

    if (config_.max_tokens > 0 && n_tokens_ >= config_.max_tokens) {
        reason_ = FinishReason::Length;
    } else {
        check_deadline();
    }
    return out;
}

std::string StopController::flush() {
    std::string out = take(complete_utf8_prefix(pending_));
    pending_.clear();
    return out;
}

}  // namespace engine
