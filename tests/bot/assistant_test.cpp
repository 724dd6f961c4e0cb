// The chat assistant: streaming edits, splitting, think-stripping, history, limits, deadline
// partials, the context file cache and the allow-list, over a scripted model, a FakeClock, the
// RecordingBotApi and MemoryStore (SqliteStore for persistence).
#include "bot/assistant.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "bot/bot.h"
#include "bot/fake_chat_model.h"
#include "bot/prompt.h"
#include "bot/recording_bot_api.h"
#include "bot/think_filter.h"
#include "core/config.h"
#include "core/strings.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"

namespace {

using namespace std::chrono_literals;
using tests::FakeChatModel;
using tests::RecordingBotApi;
using tests::text_update;

constexpr int64_t kPrivate = 7;
constexpr int64_t kGroup = -100123;

std::vector<std::string> words(int n, const std::string& w = "word") {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(w + std::to_string(i) + " ");
    return out;
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += p;
    return out;
}

class FakeContextSource : public bot::ContextSource {
public:
    int fetches = 0;
    std::optional<core::Error> failure;
    std::string body = "The office opens at 9.";
    core::Result<std::string> fetch(const std::string&, size_t, core::Deadline) override {
        ++fetches;
        if (failure) return core::fail(*failure);
        return body;
    }
};

class AssistantTest : public ::testing::Test {
protected:
    AssistantTest() : model_(clock_, {"Hello", " there", "!"}) {
        opts_.limits.user_rate_per_minute = 0;
    }

    bot::Assistant& assistant() {
        if (!assistant_) {
            assistant_ = std::make_unique<bot::Assistant>(model_, store_, context_, opts_, clock_);
        }
        return *assistant_;
    }
    core::Status handle(const telegram::Update& u, core::Millis budget = 50s) {
        bot::Bot b(api_, {}, clock_, &assistant());
        return b.handle(u, core::Deadline::after(budget, clock_));
    }
    core::Status ask(int64_t chat, const std::string& text, core::Millis budget = 50s) {
        return handle(text_update(++update_id_, chat, text), budget);
    }
    // What the user sees of the first answer: the first message after its last edit.
    std::string shown_first() const {
        if (api_.edits.empty()) return api_.sent.at(0).text;
        return api_.edits.back().text;
    }

    core::FakeClock clock_;
    RecordingBotApi api_;
    FakeChatModel model_;
    store::MemoryStore memory_;
    store::Store* store_ = &memory_;
    bot::ContextCache* context_ = nullptr;
    bot::AssistantOptions opts_;
    std::unique_ptr<bot::Assistant> assistant_;
    int64_t update_id_ = 0;
};

TEST_F(AssistantTest, PrivateQuestionIsAnsweredWithTheModel) {
    ASSERT_TRUE(ask(kPrivate, "hi?"));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(shown_first(), "Hello there!");
    EXPECT_FALSE(api_.sent[0].reply_to_message_id.has_value());
    ASSERT_FALSE(api_.actions.empty());
    EXPECT_EQ(api_.actions[0], std::make_pair(kPrivate, std::string("typing")));
    // system (instructions) + user (the question)
    ASSERT_EQ(model_.calls.size(), 1u);
    ASSERT_EQ(model_.calls[0].size(), 2u);
    EXPECT_EQ(model_.calls[0][0].role, llm::Role::System);
    EXPECT_EQ(model_.calls[0][1].content, "hi?");
    EXPECT_NE(model_.calls[0][0].content.find("You are Vecihi"), std::string::npos);
}

TEST_F(AssistantTest, StreamingEditsAreThrottledNeverRepeatedAndEndWithTheFullText) {
    model_.deltas = words(40);
    model_.step = 100ms;  // 4 s of generation
    ASSERT_TRUE(ask(kPrivate, "tell me a story"));
    ASSERT_EQ(api_.sent.size(), 1u);
    std::string full(core::trim(joined(model_.deltas)));
    ASSERT_FALSE(api_.edits.empty());
    EXPECT_EQ(api_.edits.back().text, full);
    // First send at ~0.1 s, then at most one edit per 1.5 s over 4 s, plus the final one.
    EXPECT_LE(api_.edits.size(), 4u);
    std::string prev = api_.sent[0].text;
    for (const auto& e : api_.edits) {
        EXPECT_NE(e.text, prev) << "an edit repeated the text";
        EXPECT_EQ(e.message_id, 1001);
        prev = e.text;
    }
    // The user saw progress: the first message held only the beginning.
    EXPECT_LT(api_.sent[0].text.size(), full.size());
}

TEST_F(AssistantTest, TypingIsRepeatedWhileTheModelWorks) {
    model_.deltas = words(10);
    model_.step = 1s;
    ASSERT_TRUE(ask(kPrivate, "slow"));
    EXPECT_GE(api_.actions.size(), 2u);
    EXPECT_LE(api_.actions.size(), 4u);
}

TEST_F(AssistantTest, EditBacksOffAfter429) {
    model_.deltas = words(30);
    model_.step = 200ms;  // 6 s
    core::Error e(core::ErrorCode::RateLimited, "Too Many Requests: retry after 5");
    e.retry_after = 5000ms;
    e.http_status = 429;
    api_.edit_failures.push_back(e);
    ASSERT_TRUE(ask(kPrivate, "go"));
    // One refused edit at ~1.7 s; next try not before ~6.7 s: only the final edit remains.
    ASSERT_EQ(api_.edits.size(), 1u);
    EXPECT_EQ(api_.edits.back().text, std::string(core::trim(joined(model_.deltas))));
}

TEST_F(AssistantTest, FailedEditsFallBackToANewMessageWithTheFullText) {
    model_.deltas = words(10);
    model_.step = 1s;
    core::Error gone(core::ErrorCode::Http, "Bad Request: message to edit not found");
    gone.http_status = 400;
    for (int i = 0; i < 5; ++i) api_.edit_failures.push_back(gone);
    ASSERT_TRUE(ask(kPrivate, "q"));
    ASSERT_EQ(api_.sent.size(), 2u);
    EXPECT_EQ(api_.sent.back().text, std::string(core::trim(joined(model_.deltas))));
}

TEST_F(AssistantTest, AnswersOver4096CharactersAreSplit) {
    model_.deltas = words(900, "longword");  // ~10 KB
    model_.step = 10ms;
    ASSERT_TRUE(ask(kPrivate, "long please"));
    ASSERT_GE(api_.sent.size(), 3u);
    for (const auto& m : api_.sent) EXPECT_LE(m.text.size(), telegram::kMaxMessageLength);
    for (const auto& m : api_.edits) EXPECT_LE(m.text.size(), telegram::kMaxMessageLength);
    std::string all = shown_first();
    for (size_t i = 1; i < api_.sent.size(); ++i) all += " " + api_.sent[i].text;
    EXPECT_EQ(all, std::string(core::trim(joined(model_.deltas))));
}

TEST_F(AssistantTest, ThinkBlocksAreNeverShownEvenWhileStreaming) {
    model_.deltas = {"<thi",         "nk>secret plan", " more secret</th",
                     "ink>\n\nThe ", "answer",         " is 42."};
    model_.step = 2s;
    ASSERT_TRUE(ask(kPrivate, "q"));
    EXPECT_EQ(shown_first(), "The answer is 42.");
    for (const auto& m : api_.sent) EXPECT_EQ(m.text.find("secret"), std::string::npos);
    for (const auto& m : api_.edits) {
        EXPECT_EQ(m.text.find("secret"), std::string::npos) << m.text;
        EXPECT_EQ(m.text.find('<'), std::string::npos) << m.text;
    }
}

TEST(ThinkFilterTest, SplitAnywhereGivesTheSameText) {
    std::string text = "<think>a < b</think>  Hi <b>there</b> </think>x";
    std::string whole = bot::strip_think(text);
    EXPECT_EQ(whole, "Hi <b>there</b> x");
    for (size_t cut = 0; cut <= text.size(); ++cut) {
        bot::ThinkFilter f;
        std::string out = f.feed(text.substr(0, cut));
        out += f.feed(text.substr(cut));
        out += f.finish();
        EXPECT_EQ(out, whole) << cut;
    }
    EXPECT_EQ(bot::strip_think("<think>never closed"), "");
    EXPECT_EQ(bot::strip_think("ends with <thi"), "ends with <thi");
}

TEST_F(AssistantTest, DeadlineSendsWhatWasGeneratedWithAnEllipsis) {
    model_.deltas = words(20);
    model_.step = 1s;
    // 10 s budget, 3 s kept for the reply: the model stops at 7 s, after 6 deltas.
    ASSERT_TRUE(ask(kPrivate, "q", 10s));
    std::string shown = shown_first();
    EXPECT_EQ(shown, "word0 word1 word2 word3 word4 word5…");
}

TEST_F(AssistantTest, DeadlineBeforeAnyTextSaysSo) {
    model_.deltas = {"late"};
    model_.step = 20s;
    ASSERT_TRUE(ask(kPrivate, "q", 10s));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].text, bot::kTimeoutText);
}

TEST_F(AssistantTest, ModelFailureGetsAPoliteReply) {
    model_.failure = core::Error(core::ErrorCode::Http, "503 from the API");
    ASSERT_TRUE(ask(kPrivate, "q"));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].text, bot::kModelErrorText);
}

TEST_F(AssistantTest, GroupAnswersOnlyWhenAddressedAndUsesTheRepliedMessage) {
    ASSERT_TRUE(ask(kGroup, "hello everyone"));
    ASSERT_TRUE(ask(kGroup, "/ask@other_bot what?"));
    EXPECT_TRUE(model_.calls.empty());
    EXPECT_TRUE(api_.sent.empty());

    ASSERT_TRUE(ask(kGroup, "@vecihi_bot, what is 2+2?"));
    ASSERT_EQ(model_.calls.size(), 1u);
    EXPECT_EQ(model_.calls[0].back().content, "what is 2+2?");
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].reply_to_message_id, std::optional<int64_t>(100 + update_id_));

    auto u = text_update(++update_id_, kGroup, "/ask is this true?");
    auto replied = std::make_shared<telegram::Message>();
    replied->message_id = 9;
    replied->text = "The moon is made of cheese.";
    u.message->reply_to_message = replied;
    ASSERT_TRUE(handle(u));
    ASSERT_EQ(model_.calls.size(), 2u);
    EXPECT_EQ(model_.calls[1].back().content, "is this true?");
    EXPECT_NE(model_.calls[1][0].content.find("The moon is made of cheese."), std::string::npos);

    api_.sent.clear();
    ASSERT_TRUE(ask(kGroup, "/ask"));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].text, bot::kAskUsageText);
}

TEST_F(AssistantTest, HistoryIsPerChatTrimmedAndReset) {
    opts_.history_turns = 2;
    ASSERT_TRUE(ask(kPrivate, "my name is Alice"));
    ASSERT_TRUE(ask(kGroup, "@vecihi_bot who am I?"));
    EXPECT_EQ(model_.prompt_text(1).find("Alice"), std::string::npos) << "private leaked";
    ASSERT_TRUE(ask(kPrivate, "what is my name?"));
    ASSERT_EQ(model_.calls[2].size(), 4u);  // system, user, assistant, user
    EXPECT_EQ(model_.calls[2][1].content, "my name is Alice");
    EXPECT_EQ(model_.calls[2][2].role, llm::Role::Assistant);
    EXPECT_EQ(model_.calls[2][2].content, "Hello there!");

    ASSERT_TRUE(ask(kPrivate, "/reset"));
    EXPECT_EQ(api_.sent.back().text, bot::kHistoryClearedText);
    ASSERT_TRUE(ask(kPrivate, "and now?"));
    EXPECT_EQ(model_.calls.back().size(), 2u);
}

TEST_F(AssistantTest, HistoryIsLimitedToTheTokenBudget) {
    opts_.history_turns = 10;
    opts_.history_token_budget = 8;  // "Hello there!" is 3 tokens, a 20-byte question 5
    ASSERT_TRUE(ask(kPrivate, "first question here?"));
    ASSERT_TRUE(ask(kPrivate, "second question here"));
    ASSERT_TRUE(ask(kPrivate, "third"));
    // Only the newest pair fits (8 tokens); it starts with the user's turn.
    ASSERT_EQ(model_.calls[2].size(), 4u);
    EXPECT_EQ(model_.calls[2][1].content, "second question here");
}

TEST_F(AssistantTest, ResetWithoutHistorySaysThereIsNone) {
    ASSERT_TRUE(ask(kPrivate, "/reset"));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].text, bot::kHistoryOffText);
}

TEST_F(AssistantTest, HistorySurvivesARestartThroughSqlite) {
    auto path = std::filesystem::path(::testing::TempDir()) /
                ("assistant_history_" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    opts_.history_turns = 3;
    {
        auto db = store::SqliteStore::open({.path = path.string()});
        ASSERT_TRUE(db) << db.error().message;
        store_ = db->get();
        ASSERT_TRUE(ask(kPrivate, "remember the number 31"));
        assistant_.reset();
    }
    auto db = store::SqliteStore::open({.path = path.string()});
    ASSERT_TRUE(db) << db.error().message;
    store_ = db->get();
    ASSERT_TRUE(ask(kPrivate, "which number?"));
    EXPECT_NE(model_.prompt_text(1).find("remember the number 31"), std::string::npos);
    assistant_.reset();
    db->reset();
    std::filesystem::remove(path);
}

TEST_F(AssistantTest, RateLimitRepliesOncePerMinute) {
    opts_.limits.user_rate_per_minute = 2;
    ASSERT_TRUE(ask(kPrivate, "1"));
    ASSERT_TRUE(ask(kPrivate, "2"));
    ASSERT_TRUE(ask(kPrivate, "3"));
    ASSERT_TRUE(ask(kPrivate, "4"));
    EXPECT_EQ(model_.calls.size(), 2u);
    ASSERT_EQ(api_.sent.size(), 3u);
    EXPECT_EQ(api_.sent[2].text, bot::kRateLimitedText);
    clock_.advance(61s);
    ASSERT_TRUE(ask(kPrivate, "5"));
    EXPECT_EQ(model_.calls.size(), 3u);
}

TEST_F(AssistantTest, DailyTokenBudgetStopsTheChatUntilTomorrow) {
    opts_.limits.chat_daily_tokens = 100;
    model_.usage = {80, 30};
    ASSERT_TRUE(ask(kGroup, "/ask one"));
    ASSERT_TRUE(ask(kGroup, "/ask two"));
    EXPECT_EQ(model_.calls.size(), 1u);
    ASSERT_EQ(api_.sent.size(), 2u);
    EXPECT_EQ(api_.sent[1].text, bot::kBudgetText);
    // Another chat has its own budget.
    ASSERT_TRUE(ask(kPrivate, "three"));
    EXPECT_EQ(model_.calls.size(), 2u);
    clock_.advance(std::chrono::hours(24));
    ASSERT_TRUE(ask(kGroup, "/ask four"));
    EXPECT_EQ(model_.calls.size(), 3u);
}

TEST_F(AssistantTest, AllowListAdmitsListedUsersAndChatsOnly) {
    opts_.limits.allowed_users = {99};
    opts_.limits.allowed_chats = {kGroup};
    ASSERT_TRUE(ask(kPrivate, "hi"));  // user 7 in a private chat: not listed
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].text, bot::kNotAllowedText);
    EXPECT_TRUE(model_.calls.empty());
    ASSERT_TRUE(ask(kGroup, "/ask hi"));  // any user in a listed chat
    EXPECT_EQ(model_.calls.size(), 1u);
    auto u = text_update(++update_id_, 99, "hi");
    u.message->from->id = 99;
    ASSERT_TRUE(handle(u));
    EXPECT_EQ(model_.calls.size(), 2u);
}

TEST_F(AssistantTest, ContextFileIsCachedForItsTtlAndFailuresKeepTheLastCopy) {
    FakeContextSource source;
    bot::ContextCache cache(&source, {.url = "http://ctx.example/ctx.txt", .ttl = 600s}, clock_);
    context_ = &cache;
    ASSERT_TRUE(ask(kPrivate, "a"));
    ASSERT_TRUE(ask(kPrivate, "b"));
    EXPECT_EQ(source.fetches, 1);
    EXPECT_NE(model_.prompt_text(1).find("The office opens at 9."), std::string::npos);

    clock_.advance(601s);
    source.failure = core::Error(core::ErrorCode::Network, "connection refused");
    ASSERT_TRUE(ask(kPrivate, "c"));
    EXPECT_EQ(source.fetches, 2);
    EXPECT_NE(model_.prompt_text(2).find("The office opens at 9."), std::string::npos);
    ASSERT_TRUE(ask(kPrivate, "d"));  // no refetch right after a failure
    EXPECT_EQ(source.fetches, 2);
    EXPECT_EQ(api_.sent.size(), 4u);

    clock_.advance(61s);
    source.failure.reset();
    source.body = "The office opens at 10.";
    ASSERT_TRUE(ask(kPrivate, "e"));
    EXPECT_EQ(source.fetches, 3);
    EXPECT_NE(model_.prompt_text(4).find("opens at 10."), std::string::npos);
}

TEST_F(AssistantTest, ContextFileTooLargeIsIgnored) {
    FakeContextSource source;
    source.body = std::string(100, 'x');
    bot::ContextCache cache(&source, {.url = "http://ctx.example/big", .max_bytes = 50}, clock_);
    context_ = &cache;
    ASSERT_TRUE(ask(kPrivate, "a"));
    EXPECT_EQ(model_.prompt_text(0).find("xxxxx"), std::string::npos);
    EXPECT_EQ(api_.sent.size(), 1u);
}

TEST_F(AssistantTest, EchoModeStillEchoes) {
    bot::BotOptions o;
    o.echo = true;
    bot::Bot b(api_, o, clock_, &assistant());
    ASSERT_TRUE(b.handle(text_update(1, kPrivate, "hi"), core::Deadline::after(50s, clock_)));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].text, "Echoed: hi");
    EXPECT_TRUE(model_.calls.empty());
}

TEST(PromptTest, DefaultTemplateSplitsIntoSystemAndUser) {
    bot::PromptVars v{"Vecihi", "2026-11-25", "10:00 UTC", "Istanbul/Turkey", "CTX", "Why?"};
    auto p = bot::render_prompt(core::kDefaultPromptTemplate, v);
    EXPECT_EQ(p.user, "Why?");
    for (const char* gone : {"[INST]", "[/INST]", "<s>", "{", "Question:"}) {
        EXPECT_EQ(p.system.find(gone), std::string::npos) << gone << " in " << p.system;
    }
    EXPECT_EQ(p.system.rfind("You are Vecihi, a friendly chatbot who lives in Istanbul/Turkey.", 0),
              0u);
    EXPECT_NE(p.system.find("Today is 2026-11-25 and the time is 10:00 UTC."), std::string::npos);
    EXPECT_EQ(p.system.substr(p.system.size() - 4), "\nCTX");

    auto custom = bot::render_prompt("Be brief. {question} Answer in French.", v);
    EXPECT_EQ(custom.system, "Be brief.");
    EXPECT_EQ(custom.user, "Why?\n\nAnswer in French.");
    EXPECT_EQ(bot::estimate_tokens("12345"), 2);
}

}  // namespace
