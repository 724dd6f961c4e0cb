// Replying with the method: MethodReplyApi holds back only calls whose result is not used, makes
// the held one for real as soon as another call follows (order kept), hands the last one to the
// transport, and makes it anyway when nobody takes it. Also the webhook server and the Lambda
// handler in reply mode.
#include "runtime/method_reply.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bot/assistant.h"
#include "bot/bot.h"
#include "bot/fake_chat_model.h"
#include "bot/recording_bot_api.h"
#include "runtime/lambda_handler.h"
#include "runtime/webhook_server.h"

namespace runtime {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// Records the calls that really reached "Telegram", in order.
class RecordingApi final : public telegram::BotApi {
public:
    std::vector<std::string> calls() {
        std::lock_guard<std::mutex> lock(mu_);
        return calls_;
    }
    bool fail_deletes = false;

    core::Result<telegram::User> get_me(core::Deadline) override {
        note("getMe");
        telegram::User u;
        u.id = 1;
        u.is_bot = true;
        return u;
    }
    core::Result<std::vector<telegram::Update>> get_updates(const telegram::GetUpdates&,
                                                            core::Deadline) override {
        note("getUpdates");
        return std::vector<telegram::Update>{};
    }
    core::Result<telegram::Message> send_message(const telegram::SendMessage& req,
                                                 core::Deadline) override {
        note("sendMessage:" + req.text);
        telegram::Message m;
        m.message_id = ++next_id_;
        m.chat.id = req.chat_id;
        m.text = req.text;
        return m;
    }
    core::Result<telegram::Message> edit_message_text(const telegram::EditMessageText& req,
                                                      core::Deadline) override {
        note("editMessageText:" + std::to_string(req.message_id) + ":" + req.text);
        telegram::Message m;
        m.message_id = req.message_id;
        return m;
    }
    core::Status delete_message(int64_t, int64_t message_id, core::Deadline) override {
        note("deleteMessage:" + std::to_string(message_id));
        if (fail_deletes) return core::fail(core::ErrorCode::InvalidArgument, "no rights");
        return core::ok();
    }
    core::Status restrict_chat_member(int64_t, int64_t, const telegram::ChatPermissions&, int64_t,
                                      core::Deadline) override {
        note("restrictChatMember");
        return core::ok();
    }
    core::Status ban_chat_member(int64_t, int64_t, int64_t, bool, core::Deadline) override {
        note("banChatMember");
        return core::ok();
    }
    core::Result<telegram::ChatMember> get_chat_member(int64_t, int64_t, core::Deadline) override {
        note("getChatMember");
        return telegram::ChatMember{};
    }
    core::Status send_chat_action(int64_t, const std::string& action, core::Deadline) override {
        note("sendChatAction:" + action);
        return core::ok();
    }
    core::Status set_webhook(const telegram::SetWebhook&, core::Deadline) override {
        note("setWebhook");
        return core::ok();
    }
    core::Result<telegram::WebhookInfo> get_webhook_info(core::Deadline) override {
        note("getWebhookInfo");
        return telegram::WebhookInfo{};
    }
    core::Status delete_webhook(bool, core::Deadline) override {
        note("deleteWebhook");
        return core::ok();
    }

private:
    void note(std::string call) {
        std::lock_guard<std::mutex> lock(mu_);
        calls_.push_back(std::move(call));
    }
    std::mutex mu_;
    std::vector<std::string> calls_;
    int64_t next_id_ = 100;
};

core::Deadline soon() { return core::Deadline::after(10s); }

telegram::SendMessage text(int64_t chat, std::string t, bool result_unused) {
    telegram::SendMessage m;
    m.chat_id = chat;
    m.text = std::move(t);
    m.result_unused = result_unused;
    return m;
}

TEST(MethodReplyApiTest, WithoutACaptureEveryCallIsMade) {
    RecordingApi inner;
    MethodReplyApi api(inner);
    ASSERT_TRUE(api.send_message(text(7, "hi", true), soon()));
    ASSERT_TRUE(api.delete_message(7, 5, soon()));
    EXPECT_EQ(inner.calls(), (std::vector<std::string>{"sendMessage:hi", "deleteMessage:5"}));
}

TEST(MethodReplyApiTest, OneUnusedSendIsTakenForTheResponse) {
    RecordingApi inner;
    MethodReplyApi api(inner);
    MethodReplyApi::Capture cap(api);
    auto sent = api.send_message(text(7, "hello", true), soon());
    ASSERT_TRUE(sent);
    EXPECT_EQ(sent->message_id, 0);  // a placeholder: the caller said it does not use it
    std::optional<Json> body = cap.take();
    ASSERT_TRUE(body);
    EXPECT_EQ((*body)["method"], "sendMessage");
    EXPECT_EQ((*body)["chat_id"], 7);
    EXPECT_EQ((*body)["text"], "hello");
    EXPECT_TRUE(inner.calls().empty());
    // After take(), calls go straight through.
    ASSERT_TRUE(api.delete_message(7, 9, soon()));
    EXPECT_EQ(inner.calls(), (std::vector<std::string>{"deleteMessage:9"}));
}

// The assistant's streaming reply: the first send's message_id is edited later, so that send is
// made for real, after the held chat action; only the last Status call may ride the response.
TEST(MethodReplyApiTest, ACallWhoseResultIsUsedIsMadeInOrder) {
    RecordingApi inner;
    MethodReplyApi api(inner);
    MethodReplyApi::Capture cap(api);
    ASSERT_TRUE(api.send_chat_action(7, "typing", soon()));
    EXPECT_TRUE(inner.calls().empty());
    auto first = api.send_message(text(7, "par", false), soon());
    ASSERT_TRUE(first);
    EXPECT_EQ(first->message_id, 101);
    telegram::EditMessageText edit;
    edit.chat_id = 7;
    edit.message_id = first->message_id;
    edit.text = "partial answer";
    ASSERT_TRUE(api.edit_message_text(edit, soon()));
    EXPECT_EQ(inner.calls(), (std::vector<std::string>{"sendChatAction:typing", "sendMessage:par",
                                                       "editMessageText:101:partial answer"}));
    EXPECT_FALSE(cap.take());
    EXPECT_EQ(cap.flushed(), 1);
}

TEST(MethodReplyApiTest, ASecondCallFlushesTheFirstAndOnlyTheLastIsTaken) {
    RecordingApi inner;
    MethodReplyApi api(inner);
    MethodReplyApi::Capture cap(api);
    ASSERT_TRUE(api.delete_message(-100, 5, soon()));
    ASSERT_TRUE(api.send_message(text(-100, "warned", true), soon()));
    EXPECT_EQ(inner.calls(), (std::vector<std::string>{"deleteMessage:5"}));
    std::optional<Json> body = cap.take();
    ASSERT_TRUE(body);
    EXPECT_EQ((*body)["method"], "sendMessage");
    EXPECT_EQ((*body)["text"], "warned");
}

TEST(MethodReplyApiTest, AFlushFailureIsCountedAndTheRestGoesOn) {
    RecordingApi inner;
    inner.fail_deletes = true;
    MethodReplyApi api(inner);
    MethodReplyApi::Capture cap(api);
    ASSERT_TRUE(api.delete_message(-100, 5, soon()));  // held: the bot hears ok
    ASSERT_TRUE(api.get_chat_member(-100, 3, soon()));
    EXPECT_EQ(cap.flush_failures(), 1);
    EXPECT_EQ(inner.calls(), (std::vector<std::string>{"deleteMessage:5", "getChatMember"}));
}

TEST(MethodReplyApiTest, ACallNobodyTookIsMadeWhenTheCaptureEnds) {
    RecordingApi inner;
    MethodReplyApi api(inner);
    {
        MethodReplyApi::Capture cap(api);
        telegram::ChatPermissions none;
        ASSERT_TRUE(api.restrict_chat_member(-100, 3, none, 0, soon()));
        EXPECT_TRUE(inner.calls().empty());
    }
    EXPECT_EQ(inner.calls(), (std::vector<std::string>{"restrictChatMember"}));
}

TEST(MethodReplyApiTest, OtherThreadsAreNotCaptured) {
    RecordingApi inner;
    MethodReplyApi api(inner);
    MethodReplyApi::Capture cap(api);
    std::thread([&] { ASSERT_TRUE(api.send_message(text(8, "other", true), soon())); }).join();
    EXPECT_EQ(inner.calls(), (std::vector<std::string>{"sendMessage:other"}));
    EXPECT_FALSE(cap.take());
}

TEST(MethodReplyApiTest, EncodesEveryHeldMethodLikeTheClient) {
    RecordingApi inner;
    MethodReplyApi api(inner);
    {
        MethodReplyApi::Capture cap(api);
        ASSERT_TRUE(api.ban_chat_member(-100, 3, 0, true, soon()));
        Json b = *cap.take();
        EXPECT_EQ(b, (Json{{"method", "banChatMember"},
                           {"chat_id", -100},
                           {"user_id", 3},
                           {"until_date", 0},
                           {"revoke_messages", true}}));
    }
    {
        MethodReplyApi::Capture cap(api);
        telegram::SendMessage m = text(-100, "quoted", true);
        m.reply_to_message_id = 42;
        ASSERT_TRUE(api.send_message(m, soon()));
        Json b = *cap.take();
        EXPECT_EQ(b["reply_parameters"]["message_id"], 42);
        EXPECT_FALSE(b.contains("result_unused"));
    }
    EXPECT_TRUE(inner.calls().empty());
}

// The real bot and assistant through MethodReplyApi: /start (one plain reply) rides the response;
// the assistant's streamed answer, whose message_id is edited later, is sent for real and edited
// by its real id, and the model's tokens reach the observer (what /metrics counts).
TEST(MethodReplyApiTest, TheAssistantsStreamedAnswerIsReallySent) {
    core::FakeClock clock;
    RecordingApi inner;
    MethodReplyApi api(inner);
    tests::FakeChatModel model(clock, {"Hello", " there", ", friend!"});
    model.usage = {80, 30};
    bot::Assistant assistant(model, nullptr, nullptr, {}, clock);
    int64_t tokens = 0;
    assistant.set_token_observer([&](int64_t n) { tokens += n; });
    bot::Bot b(api, {}, clock, &assistant);
    {
        MethodReplyApi::Capture cap(api);
        ASSERT_TRUE(
            b.handle(tests::text_update(1, 7, "/start"), core::Deadline::after(50s, clock)));
        std::optional<Json> body = cap.take();
        ASSERT_TRUE(body);
        EXPECT_EQ((*body)["method"], "sendMessage");
        EXPECT_NE((*body)["text"].get<std::string>().find("/help"), std::string::npos);
    }
    EXPECT_EQ(inner.calls(), (std::vector<std::string>{"getMe"}));
    {
        MethodReplyApi::Capture cap(api);
        ASSERT_TRUE(b.handle(tests::text_update(2, 7, "hi?"), core::Deadline::after(50s, clock)));
        std::optional<Json> body = cap.take();
        EXPECT_FALSE(body && (*body)["method"] == "sendMessage") << body->dump();
    }
    std::vector<std::string> calls = inner.calls();
    ASSERT_GE(calls.size(), 3u);
    EXPECT_EQ(calls[1], "sendChatAction:typing");
    EXPECT_EQ(calls[2].rfind("sendMessage:Hello", 0), 0u) << calls[2];
    for (const std::string& c : calls) {
        if (c.rfind("editMessageText:", 0) == 0) {
            EXPECT_EQ(c.rfind("editMessageText:101:", 0), 0u) << c;
        }
    }
    EXPECT_EQ(tokens, 110);
}

// A bot that answers every text with one unused-result sendMessage, or with two for "two".
class EchoBot final : public bot::UpdateHandler {
public:
    explicit EchoBot(telegram::BotApi& api) : api_(api) {}
    core::Status handle(const telegram::Update& u, core::Deadline deadline) override {
        const telegram::Message& m = *u.message;
        int n = m.text == "two" ? 2 : 1;
        for (int i = 0; i < n; ++i) {
            auto sent = api_.send_message(text(m.chat.id, "echo " + *m.text, true), deadline);
            if (!sent) return core::fail(std::move(sent).error());
        }
        return core::ok();
    }

private:
    telegram::BotApi& api_;
};

std::string update_json(int64_t id, const std::string& t) {
    return Json{{"update_id", id},
                {"message",
                 {{"message_id", id},
                  {"date", 1700000000},
                  {"chat", {{"id", 7}, {"type", "private"}}},
                  {"text", t}}}}
        .dump();
}

TEST(WebhookReplyModeTest, TheOneCallIsTheResponseBody) {
    RecordingApi inner;
    MethodReplyApi api(inner);
    EchoBot bot(api);
    WebhookServerOptions o;
    o.port = 0;
    o.secret = "secret-for-reply-mode";
    o.reply_api = &api;
    WebhookServer srv(bot, o, memory_dedupe());
    ASSERT_TRUE(srv.start());
    httplib::Client c("127.0.0.1", srv.port());
    httplib::Headers h = {{"X-Telegram-Bot-Api-Secret-Token", "secret-for-reply-mode"}};
    auto r = c.Post("/telegram", h, update_json(1, "hi"), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    Json body = Json::parse(r->body);
    EXPECT_EQ(body["method"], "sendMessage");
    EXPECT_EQ(body["text"], "echo hi");
    EXPECT_TRUE(inner.calls().empty());
    // Two calls: the first is made, the second rides the response.
    r = c.Post("/telegram", h, update_json(2, "two"), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(Json::parse(r->body)["text"], "echo two");
    EXPECT_EQ(inner.calls(), (std::vector<std::string>{"sendMessage:echo two"}));
    // A duplicate is acknowledged without a call.
    r = c.Post("/telegram", h, update_json(1, "hi"), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, R"({"ok":true})");
    r = c.Post("/telegram", {}, update_json(3, "hi"), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    srv.stop();
    EXPECT_EQ(srv.metrics().updates_handled.value(), 2u);
    EXPECT_EQ(srv.metrics().updates_duplicate.value(), 1u);
}

TEST(LambdaReplyModeTest, HttpEventsCarryTheCallDirectOnesMakeIt) {
    RecordingApi inner;
    MethodReplyApi api(inner);
    EchoBot bot(api);
    LambdaEventHandler h(bot, {.webhook_secret = "", .reply_api = &api}, memory_dedupe());
    Json event = {{"version", "2.0"},
                  {"requestContext", {{"http", {{"method", "POST"}}}}},
                  {"headers", Json::object()},
                  {"body", update_json(1, "hi")},
                  {"isBase64Encoded", false}};
    LambdaReply r = h.invoke(event.dump(), soon());
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.method, "sendMessage");
    Json out = Json::parse(r.payload);
    EXPECT_EQ(out["statusCode"], 200);
    Json body = Json::parse(out["body"].get<std::string>());
    EXPECT_EQ(body["method"], "sendMessage");
    EXPECT_EQ(body["text"], "echo hi");
    EXPECT_TRUE(inner.calls().empty());

    LambdaReply d = h.invoke(update_json(2, "direct"), soon());  // no Telegram reads this reply
    EXPECT_EQ(d.status, 200);
    EXPECT_TRUE(d.method.empty());
    EXPECT_EQ(inner.calls(), (std::vector<std::string>{"sendMessage:echo direct"}));
}

}  // namespace
}  // namespace runtime
