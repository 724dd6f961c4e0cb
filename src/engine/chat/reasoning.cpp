#include "engine/chat/reasoning.h"

#include <algorithm>

namespace engine {

namespace {

constexpr std::string_view kOpen = "<think>";
constexpr std::string_view kClose = "</think>";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t skip_space(std::string_view s, size_t i) {
    while (i < s.size() && is_space(s[i])) ++i;
    return i;
}

// Length of the longest suffix of `s` that is a proper prefix of `tag`.
size_t partial_tag_tail(std::string_view s, std::string_view tag) {
    for (size_t len = std::min(s.size(), tag.size() - 1); len > 0; --len)
        if (s.substr(s.size() - len) == tag.substr(0, len)) return len;
    return 0;
}

}  // namespace

std::string strip_think(std::string_view text, bool starts_inside) {
    std::string out;
    size_t i = 0;
    bool inside = starts_inside;
    while (i <= text.size()) {
        if (inside) {
            size_t close = text.find(kClose, i);
            if (close == std::string_view::npos) break;  // unterminated: hidden to the end
            i = skip_space(text, close + kClose.size());
            inside = false;
            continue;
        }
        size_t open = text.find(kOpen, i);
        size_t stray = text.find(kClose, i);
        size_t next = std::min(open, stray);
        out.append(text.substr(i, next == std::string_view::npos ? text.size() - i : next - i));
        if (next == std::string_view::npos) break;
        if (next == open) {
            inside = true;
            i = open + kOpen.size();
        } else {
            i = skip_space(text, stray + kClose.size());
        }
    }
    return out;
}

bool prompt_opens_think(std::string_view prompt) {
    size_t e = prompt.find_last_not_of(" \t\r\n");
    return e != std::string_view::npos && prompt.substr(0, e + 1).ends_with(kOpen);
}

ThinkFilter::ThinkFilter(bool starts_inside)
    : state_(starts_inside ? State::Inside : State::Outside) {}

std::string ThinkFilter::feed(std::string_view piece) {
    std::string buf = std::move(pending_);
    pending_.clear();
    buf.append(piece);
    std::string_view s = buf;
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
        if (state_ == State::SkipSpace) {
            i = skip_space(s, i);
            if (i < s.size()) state_ = State::Outside;
            continue;
        }
        if (state_ == State::Inside) {
            size_t close = s.find(kClose, i);
            if (close == std::string_view::npos) {
                size_t keep = partial_tag_tail(s.substr(i), kClose);
                reasoning_.append(s.substr(i, s.size() - i - keep));
                pending_ = std::string(s.substr(s.size() - keep));
                return out;
            }
            reasoning_.append(s.substr(i, close - i));
            i = close + kClose.size();
            state_ = State::SkipSpace;
            continue;
        }
        size_t lt = s.find('<', i);
        if (lt == std::string_view::npos) {
            out.append(s.substr(i));
            return out;
        }
        out.append(s.substr(i, lt - i));
        std::string_view rest = s.substr(lt);
        if (rest.starts_with(kOpen)) {
            state_ = State::Inside;
            i = lt + kOpen.size();
        } else if (rest.starts_with(kClose)) {
            state_ = State::SkipSpace;  // stray close tag: dropped
            i = lt + kClose.size();
        } else if (kOpen.starts_with(rest) || kClose.starts_with(rest)) {
            pending_ = std::string(rest);  // may still become a tag
            return out;
        } else {
            out.push_back('<');
            i = lt + 1;
        }
    }
    return out;
}

std::string ThinkFilter::finish() {
    std::string out;
    if (state_ == State::Outside) out = std::move(pending_);
    if (state_ == State::Inside) reasoning_.append(pending_);
    pending_.clear();
    return out;
}

}  // namespace engine
