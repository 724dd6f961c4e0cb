#include "bot/think_filter.h"

namespace bot {

namespace {

constexpr std::string_view kOpen = "<think>";
constexpr std::string_view kClose = "</think>";

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Length of the longest suffix of `s` that is a proper prefix of `tag`.
size_t partial_suffix(std::string_view s, std::string_view tag) {
    for (size_t n = std::min(s.size(), tag.size() - 1); n > 0; --n) {
        if (s.substr(s.size() - n) == tag.substr(0, n)) return n;
    }
    return 0;
}

}  // namespace

std::string ThinkFilter::feed(std::string_view piece) {
    pending_.append(piece);
    std::string out;
    std::string_view rest(pending_);
    while (!rest.empty()) {
        if (state_ == State::SkipSpace) {
            while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
            if (rest.empty()) break;
            state_ = State::Outside;
        }
        if (state_ == State::Outside) {
            size_t open = rest.find(kOpen);
            size_t close = rest.find(kClose);
            size_t tag = std::min(open, close);
            if (tag == std::string_view::npos) {
                size_t hold = std::max(partial_suffix(rest, kOpen), partial_suffix(rest, kClose));
                out.append(rest.substr(0, rest.size() - hold));
                rest.remove_prefix(rest.size() - hold);
                break;
            }
            out.append(rest.substr(0, tag));
            bool opening = tag == open;
            rest.remove_prefix(tag + (opening ? kOpen.size() : kClose.size()));
            state_ = opening ? State::Inside : State::SkipSpace;
            continue;
        }
        // Inside a block: look for its end, keeping a possible partial "</think>".
        size_t close = rest.find(kClose);
        if (close == std::string_view::npos) {
            size_t hold = partial_suffix(rest, kClose);
            rest.remove_prefix(rest.size() - hold);
            break;
        }
        rest.remove_prefix(close + kClose.size());
        state_ = State::SkipSpace;
    }
    pending_ = std::string(rest);
    return out;
}

std::string ThinkFilter::finish() {
    std::string out = state_ == State::Outside ? pending_ : std::string();
    pending_.clear();
    return out;
}

std::string strip_think(std::string_view text) {
    ThinkFilter f;
    std::string out = f.feed(text);
    out += f.finish();
    return out;
}

}  // namespace bot
