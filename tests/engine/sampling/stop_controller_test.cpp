#include "engine/sampling/stop_controller.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/strings.h"

namespace engine {
namespace {

constexpr int kText = 1;  // an ordinary token id
constexpr int kEos = 2;

StopConfig stops(std::vector<std::string> strings, int max_tokens = 0) {
    StopConfig c;
    c.stop_strings = std::move(strings);
    c.max_tokens = max_tokens;
    return c;
}

StopConfig timed(const core::FakeClock& clock, core::Millis after,
                 std::vector<std::string> strings = {}) {
    StopConfig c;
    c.stop_strings = std::move(strings);
    c.deadline = core::Deadline::after(after, clock);
    c.clock = &clock;
    return c;
}

struct Outcome {
    std::string out;
    FinishReason reason;
    bool ok_utf8 = true;  // every emitted chunk was valid UTF-8 on its own
};

Outcome run_gate(StopConfig cfg, const std::vector<std::string>& pieces) {
    StopController s(std::move(cfg));
    Outcome r{};
    for (const auto& p : pieces) {
        if (s.check_deadline()) break;
        std::string chunk = s.feed(kText, p);
        r.ok_utf8 = r.ok_utf8 && core::is_valid_utf8(chunk);
        r.out += chunk;
        if (s.done()) break;
    }
    std::string tail = s.flush();
    r.ok_utf8 = r.ok_utf8 && core::is_valid_utf8(tail);
    r.out += tail;
    r.reason = s.finish_reason();
    EXPECT_EQ(s.text(), r.out);
    return r;
}

TEST(FinishReason, Names) {
    EXPECT_STREQ(finish_reason_name(FinishReason::Stop), "stop");
    EXPECT_STREQ(finish_reason_name(FinishReason::Length), "length");
    EXPECT_STREQ(finish_reason_name(FinishReason::Deadline), "deadline");
    EXPECT_STREQ(finish_reason_name(FinishReason::Error), "error");
}

TEST(StopController, StopStringInOnePiece) {
    Outcome r = run_gate(stops({"<|im_end|>"}), {"Hello", " world<|im_end|>junk", "more"});
    EXPECT_EQ(r.out, "Hello world");
    EXPECT_EQ(r.reason, FinishReason::Stop);
}

TEST(StopController, StopStringSplitAcrossPiecesAtEveryPoint) {
    const std::string text = "The answer is 42.\nUser: next question";
    const std::string stop = "\nUser:";
    for (size_t a = 0; a <= text.size(); ++a) {
        for (size_t b = a; b <= text.size(); ++b) {
            Outcome r =
                run_gate(stops({stop}), {text.substr(0, a), text.substr(a, b - a), text.substr(b)});
            ASSERT_EQ(r.out, "The answer is 42.") << a << "," << b;
            ASSERT_EQ(r.reason, FinishReason::Stop);
        }
    }
}

TEST(StopController, HoldsBackPossibleStopPrefixWhileStreaming) {
    StopController s(stops({"</answer>"}));
    EXPECT_EQ(s.feed(kText, "abc</ans"), "abc");
    EXPECT_EQ(s.feed(kText, "wer"), "");           // "</answer" still a prefix
    EXPECT_EQ(s.feed(kText, "s!"), "</answers!");  // not the stop string after all
    EXPECT_FALSE(s.done());
}

TEST(StopController, FalseStartThenRealStop) {
    Outcome r = run_gate(stops({"abab"}), {"xab", "a", "bab", "tail"});
    // "xababab": the first occurrence of "abab" starts at 1.
    EXPECT_EQ(r.out, "x");
}

TEST(StopController, EarliestOfSeveralStopStringsWins) {
    Outcome r = run_gate(stops({"END", "STOP"}), {"one STOP two END"});
    EXPECT_EQ(r.out, "one ");
}

TEST(StopController, EogTokenStopsAndItsTextIsHidden) {
    StopConfig c = stops({"</s>"});
    c.eog_tokens = {kEos};
    StopController s(c);
    EXPECT_EQ(s.feed(kText, "Hi <"), "Hi ");
    EXPECT_EQ(s.feed(kEos, "</s>"), "");
    EXPECT_TRUE(s.done());
    EXPECT_EQ(s.finish_reason(), FinishReason::Stop);
    EXPECT_EQ(s.flush(), "<");  // the held-back "<" was real text
    EXPECT_EQ(s.text(), "Hi <");
}

TEST(StopController, MaxTokens) {
    StopController s(stops({}, 3));
    s.feed(kText, "a");
    s.feed(kText, "b");
    EXPECT_FALSE(s.done());
    s.feed(kText, "c");
    EXPECT_TRUE(s.done());
    EXPECT_EQ(s.finish_reason(), FinishReason::Length);
    EXPECT_EQ(s.text(), "abc");
    EXPECT_EQ(s.n_tokens(), 3);
}

TEST(StopController, LengthFlushesHeldBackStopPrefix) {
    Outcome r = run_gate(stops({"<|eot_id|>"}, 2), {"ok", "<|eot"});
    EXPECT_EQ(r.out, "ok<|eot");
    EXPECT_EQ(r.reason, FinishReason::Length);
}

TEST(StopController, DeadlineStopsAndKeepsWhatExists) {
    core::FakeClock clock;
    StopController s(timed(clock, core::Millis(100), {"STOP"}));
    EXPECT_FALSE(s.check_deadline());
    EXPECT_EQ(s.feed(kText, "partial ST"), "partial ");
    clock.advance(core::Millis(100));
    EXPECT_FALSE(s.done());  // nothing has looked at the clock yet
    EXPECT_TRUE(s.check_deadline());
    EXPECT_EQ(s.finish_reason(), FinishReason::Deadline);
    EXPECT_EQ(s.flush(), "ST");  // held back as a possible "STOP", released at the end
    EXPECT_EQ(s.text(), "partial ST");
}

TEST(StopController, FeedNoticesAnExpiredDeadline) {
    core::FakeClock clock;
    StopController s(timed(clock, core::Millis(5)));
    clock.advance(core::Millis(6));
    EXPECT_EQ(s.feed(kText, "x"), "x");
    EXPECT_TRUE(s.done());
    EXPECT_EQ(s.finish_reason(), FinishReason::Deadline);
}

TEST(StopController, DeadlineCheckedBeforeDecode) {
    core::FakeClock clock;
    StopController s(timed(clock, core::Millis(10)));
    EXPECT_EQ(s.feed(kText, "a"), "a");
    clock.advance(core::Millis(20));
    EXPECT_TRUE(s.check_deadline());
    EXPECT_EQ(s.finish_reason(), FinishReason::Deadline);
    EXPECT_EQ(s.text(), "a");
}

TEST(StopController, ExternalStopKeepsFirstReason) {
    StopController s(StopConfig{});
    s.stop(FinishReason::Error);
    s.stop(FinishReason::Length);
    EXPECT_EQ(s.finish_reason(), FinishReason::Error);
}

TEST(StopController, Utf8NeverSplitAtAnyBytePosition) {
    // Byte-fallback tokens deliver single bytes; every split of every character must be held.
    const std::string text = "Привет, 世界! 👋🏽 ok";
    for (size_t a = 0; a <= text.size(); ++a) {
        for (size_t b = a; b <= text.size(); ++b) {
            Outcome r =
                run_gate(StopConfig{}, {text.substr(0, a), text.substr(a, b - a), text.substr(b)});
            ASSERT_TRUE(r.ok_utf8) << a << "," << b;
            ASSERT_EQ(r.out, text);
        }
    }
}

TEST(StopController, ByteByByteUtf8WithStopString) {
    const std::string text = "Да — конец<end>после";
    std::vector<std::string> bytes;
    for (char c : text) bytes.emplace_back(1, c);
    Outcome r = run_gate(stops({"<end>"}), bytes);
    EXPECT_TRUE(r.ok_utf8);
    EXPECT_EQ(r.out, "Да — конец");
}

TEST(StopController, NonAsciiStopString) {
    Outcome r = run_gate(stops({"——"}), {"a—", "b—", "—c"});
    EXPECT_EQ(r.out, "a—b");
}

TEST(StopController, IncompleteUtf8TailIsDroppedAtFlush) {
    StopController s(stops({}, 1));
    EXPECT_EQ(s.feed(kText, "ok\xE4\xB8"), "ok");
    EXPECT_TRUE(s.done());
    EXPECT_EQ(s.flush(), "");
}

TEST(CompleteUtf8Prefix, Cases) {
    EXPECT_EQ(complete_utf8_prefix(""), 0u);
    EXPECT_EQ(complete_utf8_prefix("abc"), 3u);
    EXPECT_EQ(complete_utf8_prefix("a\xD0"), 1u);                 // 2-byte lead alone
    EXPECT_EQ(complete_utf8_prefix("a\xD0\x9F"), 3u);             // П complete
    EXPECT_EQ(complete_utf8_prefix("a\xF0\x9F\x91"), 1u);         // 3 of 4 bytes
    EXPECT_EQ(complete_utf8_prefix("a\xF0\x9F\x91\x8B"), 5u);     // 👋
    EXPECT_EQ(complete_utf8_prefix("\x80\x80\x80\x80\x80"), 5u);  // garbage passes through
}

}  // namespace
}  // namespace engine
