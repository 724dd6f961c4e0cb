// SseParser: a table of streams, each fed whole, byte by byte, and split at every point.
#include "net/sse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

struct Ev {
    std::string event;
    std::string data;
    std::string id;
    int retry = -1;
    bool operator==(const Ev&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Ev& e) {
    return os << "{event=" << e.event << " data=" << e.data << " id=" << e.id
              << " retry=" << e.retry << "}";
}

std::vector<Ev> feed_pieces(const std::vector<std::string>& pieces) {
    net::SseParser p;
    std::vector<Ev> out;
    for (const auto& piece : pieces) {
        auto st = p.feed(piece, [&](const net::SseEvent& e) {
            out.push_back({e.event, e.data, e.id, e.retry_ms.value_or(-1)});
        });
        EXPECT_TRUE(st) << st.error().message;
    }
    return out;
}

struct Case {
    const char* name;
    std::string stream;
    std::vector<Ev> want;
};

const std::vector<Case>& cases() {
    static const std::vector<Case> kCases = {
        {"openai_chunks",
         "data: {\"a\":1}\n\ndata: {\"b\":\"\xC3\xBC\xF0\x9F\x8C\x8D\"}\n\ndata: [DONE]\n\n",
         {{"", "{\"a\":1}", "", -1},
          {"", "{\"b\":\"\xC3\xBC\xF0\x9F\x8C\x8D\"}", "", -1},
          {"", "[DONE]", "", -1}}},
        {"crlf", "data: one\r\n\r\ndata: two\r\n\r\n", {{"", "one", "", -1}, {"", "two", "", -1}}},
        {"crlf_multi_line", "data: a\r\ndata: b\r\n\r\n", {{"", "a\nb", "", -1}}},
        {"bare_cr", "data: one\r\rdata: two\r\r", {{"", "one", "", -1}, {"", "two", "", -1}}},
        {"multi_line_data", "data: line1\ndata: line2\ndata\n\n", {{"", "line1\nline2\n", "", -1}}},
        {"comments_and_fields",
         ": keep-alive\nevent: delta\nid: 7\nretry: 1500\ndata: x\n\n: again\n\ndata: y\n\n",
         {{"delta", "x", "7", 1500}, {"", "y", "7", -1}}},
        {"no_space_after_colon",
         "data:tight\n\ndata:  two spaces\n\n",
         {{"", "tight", "", -1}, {"", " two spaces", "", -1}}},
        {"unknown_field_and_bad_retry", "foo: bar\nretry: 12x\ndata: z\n\n", {{"", "z", "", -1}}},
        {"event_without_data_is_dropped",
         "event: ping\n\ndata: after\n\n",
         {{"", "after", "", -1}}},
        {"bom_then_data",
         "\xEF\xBB\xBF"
         "data: bom\n\n",
         {{"", "bom", "", -1}}},
        {"unterminated_event_is_not_dispatched",
         "data: done\n\ndata: partial",
         {{"", "done", "", -1}}},
        {"mixed_endings", "data: a\r\n\ndata: b\n\r\n", {{"", "a", "", -1}, {"", "b", "", -1}}},
    };
    return kCases;
}

TEST(SseParser, WholeStreams) {
    for (const auto& c : cases()) EXPECT_EQ(feed_pieces({c.stream}), c.want) << c.name;
}

TEST(SseParser, ByteByByte) {
    for (const auto& c : cases()) {
        std::vector<std::string> bytes;
        for (char ch : c.stream) bytes.emplace_back(1, ch);
        EXPECT_EQ(feed_pieces(bytes), c.want) << c.name;
    }
}

TEST(SseParser, EverySplitPointGivesTheSameEvents) {
    for (const auto& c : cases()) {
        for (size_t i = 0; i <= c.stream.size(); ++i) {
            EXPECT_EQ(feed_pieces({c.stream.substr(0, i), c.stream.substr(i)}), c.want)
                << c.name << " split at " << i;
        }
    }
}

TEST(SseParser, EveryPairOfSplitPoints) {
    const auto& c = cases()[0];  // the OpenAI-shaped one, with a 4-byte UTF-8 character
    for (size_t i = 0; i <= c.stream.size(); ++i) {
        for (size_t j = i; j <= c.stream.size(); ++j) {
            ASSERT_EQ(
                feed_pieces({c.stream.substr(0, i), c.stream.substr(i, j - i), c.stream.substr(j)}),
                c.want)
                << "splits at " << i << " and " << j;
        }
    }
}

TEST(SseParser, PartialEventIsVisible) {
    net::SseParser p;
    int n = 0;
    ASSERT_TRUE(p.feed("data: x\n", [&](const net::SseEvent&) { ++n; }));
    EXPECT_EQ(n, 0);
    EXPECT_TRUE(p.has_partial_event());
    ASSERT_TRUE(p.feed("\n", [&](const net::SseEvent&) { ++n; }));
    EXPECT_EQ(n, 1);
    EXPECT_FALSE(p.has_partial_event());
}

TEST(SseParser, LineTooLongFails) {
    net::SseParser p(16);
    auto st = p.feed("data: 0123456789abcdef", nullptr);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, core::ErrorCode::Parse);
    EXPECT_NE(st.error().message.find("longer than 16 bytes"), std::string::npos);
    p.reset();
    int n = 0;
    ASSERT_TRUE(p.feed("data: ok\n\n", [&](const net::SseEvent& e) {
        ++n;
        EXPECT_EQ(e.data, "ok");
    }));
    EXPECT_EQ(n, 1);
}

TEST(SseParser, LongLineAcrossManyChunksIsFineUnderTheLimit) {
    net::SseParser p;
    std::string data(100000, 'x');
    std::string stream = "data: " + data + "\n\n";
    std::string got;
    for (size_t i = 0; i < stream.size(); i += 777) {
        ASSERT_TRUE(p.feed(stream.substr(i, 777), [&](const net::SseEvent& e) { got = e.data; }));
    }
    EXPECT_EQ(got, data);
}

}  // namespace
