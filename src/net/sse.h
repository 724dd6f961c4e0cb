// Server-Sent Events parser (the text/event-stream format of the WHATWG HTML spec), incremental:
// feed it the body in whatever chunks the network delivers and it calls back once per event.
// Used for streamed Chat Completions (`data: {...}` lines ending with `data: [DONE]`).
//   net::SseParser sse;
//   auto st = sse.feed(chunk, [&](const net::SseEvent& e) { handle(e.data); });
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace net {

struct SseEvent {
    std::string event;            // the `event:` field; empty means the default type, "message"
    std::string data;             // the `data:` lines joined with '\n'
    std::string id;               // the last `id:` seen on the stream (it persists across events)
    std::optional<int> retry_ms;  // the `retry:` field of this event, when present and numeric
};

class SseParser {
public:
    using OnEvent = std::function<void(const SseEvent&)>;

    // A line longer than this fails the stream (a peer that never sends a newline).
    static constexpr size_t kDefaultMaxLineBytes = 4u << 20;

    explicit SseParser(size_t max_line_bytes = kDefaultMaxLineBytes)
        : max_line_bytes_(max_line_bytes) {}

    // Consumes `chunk` (any split: mid-line, between \r and \n, inside a UTF-8 character) and
    // calls `on_event` for every event completed by it. Fails only when a line is too long;
    // after a failure the parser must be reset() before it is used again.
    core::Status feed(std::string_view chunk, const OnEvent& on_event);

    // Bytes of the current incomplete line (for tests and diagnostics).
    size_t pending_bytes() const { return line_.size(); }
    // True when data lines were read but the blank line that ends the event has not come yet.
    bool has_partial_event() const { return has_data_ || !line_.empty(); }

    void reset();

private:
    void process_line(std::string_view line, const OnEvent& on_event);
    void dispatch(const OnEvent& on_event);

    size_t max_line_bytes_;
    std::string line_;        // bytes of the current line so far
    bool after_cr_ = false;   // the previous chunk ended with '\r': skip a leading '\n'
    bool first_line_ = true;  // a UTF-8 BOM may open the stream
    bool has_data_ = false;
    SseEvent pending_;
    std::string last_id_;
};

}  // namespace net
