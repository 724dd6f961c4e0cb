#include "net/sse.h"

#include <charconv>

namespace net {

core::Status SseParser::feed(std::string_view chunk, const OnEvent& on_event) {
    size_t i = 0;
    if (after_cr_ && !chunk.empty()) {
        after_cr_ = false;
        if (chunk[0] == '\n') i = 1;  // the second half of a \r\n split across chunks
    }
    while (i < chunk.size()) {
        size_t end = chunk.find_first_of("\r\n", i);
        if (end == std::string_view::npos) {
            line_.append(chunk.substr(i));
            break;
        }
        line_.append(chunk.substr(i, end - i));
        if (line_.size() > max_line_bytes_) break;
        process_line(line_, on_event);
        line_.clear();
        if (chunk[end] == '\r') {
            if (end + 1 == chunk.size()) {
                after_cr_ = true;
                i = end + 1;
            } else {
                i = end + (chunk[end + 1] == '\n' ? 2 : 1);
            }
        } else {
            i = end + 1;
        }
    }
    if (line_.size() > max_line_bytes_) {
        return core::fail(core::ErrorCode::Parse,
                          "sse: a line is longer than " + std::to_string(max_line_bytes_) +
                              " bytes: the stream is not text/event-stream");
    }
    return core::ok();
}

void SseParser::process_line(std::string_view line, const OnEvent& on_event) {
    if (first_line_) {
        first_line_ = false;
        if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    }
    if (line.empty()) {
        dispatch(on_event);
        return;
    }
    if (line[0] == ':') return;  // a comment (keep-alive)
    std::string_view field = line;
    std::string_view value;
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
        if (has_data_) pending_.data.push_back('\n');
        pending_.data.append(value);
        has_data_ = true;
    } else if (field == "event") {
        pending_.event.assign(value);
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
    } else if (field == "retry") {
        int ms = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
        if (ec == std::errc() && p == value.data() + value.size() && ms >= 0)
            pending_.retry_ms = ms;
    }
    // Any other field is ignored, as the spec says.
}

void SseParser::dispatch(const OnEvent& on_event) {
    if (has_data_) {
        pending_.id = last_id_;
        if (on_event) on_event(pending_);
    }
    pending_ = SseEvent{};
    has_data_ = false;
}

void SseParser::reset() {
    line_.clear();
    after_cr_ = false;
    first_line_ = true;
    has_data_ = false;
    pending_ = SseEvent{};
    last_id_.clear();
}

}  // namespace net
