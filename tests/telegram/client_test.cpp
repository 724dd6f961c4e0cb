// telegram::Client against the fake Bot API (tests/support) over a real CurlHttpClient.
#include "telegram/client.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "core/log.h"
#include "core/redact.h"
#include "net/curl_http_client.h"
#include "support/fake_bot_api.h"

namespace {

using namespace std::chrono_literals;
using core::ErrorCode;
using test_support::FakeBotApi;

core::Deadline in(std::chrono::milliseconds d) { return core::Deadline::after(d); }

// Captures log lines for the life of the test.
class LogCapture {
public:
    LogCapture() {
        core::log::set_sink_for_testing([this](core::log::Level, std::string_view line) {
            std::lock_guard<std::mutex> lock(mu_);
            lines_.emplace_back(line);
        });
    }
    ~LogCapture() { core::log::set_sink_for_testing(nullptr); }
    std::vector<std::string> lines() {
        std::lock_guard<std::mutex> lock(mu_);
        return lines_;
    }

private:
    std::mutex mu_;
    std::vector<std::string> lines_;
};

class ClientTest : public ::testing::Test {
protected:
    telegram::ClientOptions options() {
        telegram::ClientOptions o;
        o.api_url = tg_.url();
        o.token = tg_.token();
        o.retry.base_delay = 20ms;
        o.retry.max_delay = 100ms;
        o.retry.seed = 1;
        return o;
    }
    FakeBotApi tg_;
    net::CurlHttpClient http_;
    telegram::Client api_{http_, options()};
};

TEST_F(ClientTest, GetMe) {
    auto me = api_.get_me(in(5s));
    ASSERT_TRUE(me) << me.error().message;
    EXPECT_EQ(me->id, 4242);
    EXPECT_TRUE(me->is_bot);
    EXPECT_EQ(me->username, "fake_bot");
    EXPECT_EQ(tg_.call_count("getMe"), 1u);
}

TEST_F(ClientTest, SendMessageRequestShape) {
    telegram::SendMessage s;
    s.chat_id = -100123;
    s.text = "привет 👋";
    s.reply_to_message_id = 55;
    s.parse_mode = "HTML";
    s.message_thread_id = 9;
    auto sent = api_.send_message(s, in(5s));
    ASSERT_TRUE(sent) << sent.error().message;
    EXPECT_EQ(sent->message_id, 1000);
    EXPECT_EQ(sent->text, "привет 👋");
    EXPECT_EQ(sent->chat.id, -100123);
    auto second = api_.send_message(s, in(5s));
    ASSERT_TRUE(second);
    EXPECT_EQ(second->message_id, 1001);

    auto calls = tg_.calls("sendMessage");
    ASSERT_EQ(calls.size(), 2u);
    const auto& p = calls[0].params;
    EXPECT_EQ(p["chat_id"], -100123);
    EXPECT_EQ(p["text"], "привет 👋");
    EXPECT_EQ(p["parse_mode"], "HTML");
    EXPECT_EQ(p["message_thread_id"], 9);
    EXPECT_EQ(p["reply_parameters"],
              (nlohmann::json{{"message_id", 55}, {"allow_sending_without_reply", true}}));
    EXPECT_EQ(p["link_preview_options"], (nlohmann::json{{"is_disabled", true}}));
}

TEST_F(ClientTest, OtherMethodsRequestShapes) {
    telegram::EditMessageText e;
    e.chat_id = 5;
    e.message_id = 7;
    e.text = "edited";
    auto edited = api_.edit_message_text(e, in(5s));
    ASSERT_TRUE(edited) << edited.error().message;
    EXPECT_EQ(edited->message_id, 7);
    ASSERT_TRUE(api_.delete_message(-100, 77, in(5s)));
    ASSERT_TRUE(
        api_.restrict_chat_member(-100, 8, telegram::ChatPermissions::none(), 1700000000, in(5s)));
    ASSERT_TRUE(api_.ban_chat_member(-100, 9, 0, true, in(5s)));
    ASSERT_TRUE(api_.send_chat_action(-100, "typing", in(5s)));
    telegram::SetWebhook w;
    w.url = "https://example.org/hook";
    w.secret_token = "s3cr3t-webhook";
    w.allowed_updates = {"message", "chat_member"};
    ASSERT_TRUE(api_.set_webhook(w, in(5s)));
    auto info = api_.get_webhook_info(in(5s));
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->url, "https://example.org/hook");
    ASSERT_TRUE(api_.delete_webhook(true, in(5s)));
    EXPECT_EQ(tg_.webhook_url(), "");

    auto p = [&](const char* m) { return tg_.calls(m).at(0).params; };
    EXPECT_EQ(p("editMessageText"),
              (nlohmann::json{{"chat_id", 5}, {"message_id", 7}, {"text", "edited"}}));
    EXPECT_EQ(p("deleteMessage"), (nlohmann::json{{"chat_id", -100}, {"message_id", 77}}));
    auto r = p("restrictChatMember");
    EXPECT_EQ(r["user_id"], 8);
    EXPECT_EQ(r["until_date"], 1700000000);
    EXPECT_EQ(r["permissions"]["can_send_messages"], false);
    EXPECT_EQ(r["permissions"].size(), 14u);
    EXPECT_EQ(
        p("banChatMember"),
        (nlohmann::json{
            {"chat_id", -100}, {"user_id", 9}, {"until_date", 0}, {"revoke_messages", true}}));
    EXPECT_EQ(p("sendChatAction"), (nlohmann::json{{"chat_id", -100}, {"action", "typing"}}));
    auto sw = p("setWebhook");
    EXPECT_EQ(sw["secret_token"], "s3cr3t-webhook");
    EXPECT_EQ(sw["allowed_updates"], (nlohmann::json{"message", "chat_member"}));
    EXPECT_EQ(p("deleteWebhook"), (nlohmann::json{{"drop_pending_updates", true}}));
}

TEST_F(ClientTest, GetChatMemberPerUser) {
    tg_.set_chat_member_status(10, "administrator");
    auto admin = api_.get_chat_member(-100, 10, in(5s));
    ASSERT_TRUE(admin) << admin.error().message;
    EXPECT_TRUE(admin->is_admin());
    EXPECT_EQ(admin->can_restrict_members, true);
    auto member = api_.get_chat_member(-100, 11, in(5s));
    ASSERT_TRUE(member);
    EXPECT_EQ(member->status, "member");
    EXPECT_EQ(member->user.id, 11);
}

TEST_F(ClientTest, GetUpdatesHonoursOffsetAndLongPoll) {
    int64_t id1 = tg_.push_update(FakeBotApi::text_update(5, 5, "one"));
    int64_t id2 = tg_.push_update(FakeBotApi::text_update(5, 5, "two"));
    telegram::GetUpdates g;
    g.timeout_s = 0;
    auto first = api_.get_updates(g, in(5s));
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_EQ(first->size(), 2u);
    EXPECT_EQ((*first)[0].update_id, id1);
    EXPECT_EQ((*first)[1].message->text, "two");

    g.offset = id2 + 1;
    g.timeout_s = 5;
    std::thread pusher([&] {
        std::this_thread::sleep_for(200ms);
        tg_.push_update(FakeBotApi::text_update(5, 5, "three"));
    });
    auto start = std::chrono::steady_clock::now();
    auto next = api_.get_updates(g, in(10s));
    auto took = std::chrono::steady_clock::now() - start;
    pusher.join();
    ASSERT_TRUE(next) << next.error().message;
    ASSERT_EQ(next->size(), 1u);  // the confirmed two are gone
    EXPECT_EQ((*next)[0].message->text, "three");
    EXPECT_LT(took, 4s);  // returned when the update came, not at the poll's end
    EXPECT_EQ(tg_.calls("getUpdates").back().params["timeout"], 5);
    EXPECT_EQ(tg_.calls("getUpdates").back().params["offset"], id2 + 1);
}

TEST_F(ClientTest, RateLimitWaitsRetryAfter) {
    tg_.rate_limit_next("sendMessage", 1);
    telegram::SendMessage s;
    s.chat_id = 1;
    s.text = "x";
    auto start = std::chrono::steady_clock::now();
    auto r = api_.send_message(s, in(10s));
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_GE(took, 1s);
    EXPECT_EQ(tg_.call_count("sendMessage"), 2u);
}

TEST_F(ClientTest, RateLimitPastDeadlineReturnsRetryAfter) {
    tg_.rate_limit_next("sendMessage", 30);
    telegram::SendMessage s;
    s.chat_id = 1;
    s.text = "x";
    auto start = std::chrono::steady_clock::now();
    auto r = api_.send_message(s, in(3s));
    ASSERT_FALSE(r);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_EQ(r.error().code, ErrorCode::RateLimited);
    ASSERT_TRUE(r.error().retry_after);
    EXPECT_EQ(*r.error().retry_after, 30s);
    EXPECT_EQ(r.error().http_status, 429);
    EXPECT_EQ(tg_.call_count("sendMessage"), 1u);
}

TEST_F(ClientTest, ServerErrorsAreRetried) {
    tg_.server_error_next("getMe", 2);
    auto me = api_.get_me(in(10s));
    ASSERT_TRUE(me) << me.error().message;
    EXPECT_EQ(tg_.call_count("getMe"), 3u);
}

TEST_F(ClientTest, AnyMethodFault) {
    test_support::Fault f;
    f.kind = test_support::FaultKind::NotOk;
    tg_.fail_next("*", f);
    auto r = api_.send_chat_action(1, "typing", in(5s));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code,
              ErrorCode::InvalidArgument);  // {"ok":false,"error_code":400} in a 200
    EXPECT_TRUE(api_.send_chat_action(1, "typing", in(5s)));
}

TEST_F(ClientTest, ServerErrorsGiveUpAfterMaxAttempts) {
    tg_.server_error_next("getMe", 10);
    auto me = api_.get_me(in(10s));
    ASSERT_FALSE(me);
    EXPECT_EQ(me.error().code, ErrorCode::Http);
    EXPECT_EQ(me.error().http_status, 500);
    EXPECT_EQ(tg_.call_count("getMe"), 4u);  // the default max_attempts
}

TEST_F(ClientTest, MalformedJsonIsParseError) {
    tg_.malformed_next("sendMessage");
    telegram::SendMessage s;
    s.chat_id = 1;
    s.text = "x";
    auto r = api_.send_message(s, in(5s));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Parse);
    EXPECT_EQ(tg_.call_count("sendMessage"), 1u);
}

TEST_F(ClientTest, ForbiddenIsNotRetried) {
    test_support::Fault f;
    f.kind = test_support::FaultKind::Forbidden;
    tg_.fail_next("sendMessage", f, 3);
    telegram::SendMessage s;
    s.chat_id = 1;
    s.text = "x";
    auto r = api_.send_message(s, in(5s));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Unauthorized);
    EXPECT_EQ(r.error().http_status, 403);
    EXPECT_NE(r.error().message.find("bot was blocked"), std::string::npos);
    EXPECT_EQ(tg_.call_count("sendMessage"), 1u);
}

TEST_F(ClientTest, BadRequestIsNotRetried) {
    test_support::Fault f;
    f.kind = test_support::FaultKind::BadRequest;
    tg_.fail_next("deleteMessage", f, 3);
    auto r = api_.delete_message(1, 2, in(5s));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(r.error().message, "telegram: deleteMessage: 400 Bad Request: chat not found");
    EXPECT_EQ(tg_.call_count("deleteMessage"), 1u);
}

TEST_F(ClientTest, DeadlineRespected) {
    tg_.delay_next("getMe", 3s);
    auto start = std::chrono::steady_clock::now();
    auto r = api_.get_me(in(300ms));
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Timeout);
    EXPECT_LT(took, 1500ms);
}

TEST_F(ClientTest, ExpiredDeadlineMakesNoCall) {
    auto r = api_.get_me(core::Deadline::after(-1ms));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Timeout);
    EXPECT_EQ(tg_.call_count("getMe"), 0u);
}

TEST(ClientNoServer, ConnectionRefusedIsRetriedThenNetworkError) {
    std::string url;
    {
        FakeBotApi gone;  // a port that was just free
        url = gone.url();
    }
    net::CurlHttpClient http;
    telegram::ClientOptions o;
    o.api_url = url;
    o.token = std::string(test_support::kFakeToken);
    o.retry.base_delay = 10ms;
    o.retry.max_attempts = 3;
    telegram::Client api(http, o);
    auto r = api.get_me(in(5s));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Network);
    EXPECT_EQ(r.error().message.find(test_support::kFakeToken), std::string::npos);
}

TEST(ClientSecrets, TokenNeverInErrorsOrLogs) {
    LogCapture logs;
    FakeBotApi tg;
    net::CurlHttpClient http;
    telegram::ClientOptions o;
    o.api_url = tg.url();
    o.token = tg.token();
    o.retry.base_delay = 10ms;
    telegram::Client api(http, o);

    std::vector<core::Error> errors;
    tg.server_error_next("getMe", 10);
    auto a = api.get_me(in(5s));
    if (!a) errors.push_back(a.error());
    tg.malformed_next("getMe");
    auto b = api.get_me(in(5s));
    if (!b) errors.push_back(b.error());
    tg.delay_next("getMe", 2s);
    auto c = api.get_me(in(200ms));
    if (!c) errors.push_back(c.error());
    telegram::Client wrong(http, [&] {
        auto w = o;
        w.token = "555555555:AAwrongwrongwrongwrongwrongwrongwro";
        return w;
    }());
    auto d = wrong.get_me(in(5s));
    if (!d) errors.push_back(d.error());
    ASSERT_EQ(errors.size(), 4u);
    EXPECT_EQ(errors[3].code, ErrorCode::Unauthorized);
    EXPECT_NE(errors[3].message.find("TELEGRAM_TOKEN"), std::string::npos);
    const std::string secret_part = tg.token().substr(tg.token().find(':') + 1);
    for (const auto& e : errors) {
        EXPECT_EQ(e.message.find(secret_part), std::string::npos) << e.message;
        EXPECT_EQ(e.message.find("AAwrongwrong"), std::string::npos) << e.message;
    }
    auto lines = logs.lines();
    EXPECT_FALSE(lines.empty());  // the retries were logged
    for (const auto& line : lines) EXPECT_EQ(line.find(secret_part), std::string::npos) << line;
    EXPECT_EQ(core::redact("x" + tg.token() + "y").find(secret_part), std::string::npos);
}

TEST(FakeBotApi, ServesAnotherClientAndRecordsBadTokens) {
    FakeBotApi tg;
    net::CurlHttpClient http;
    net::HttpRequest req;
    req.method = "POST";
    req.url = tg.url() + "/bot" + tg.token() + "/sendMessage";
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    req.body = "chat_id=42&text=hello";
    auto r = http.send(req, in(5s));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    auto call = tg.calls("sendMessage").at(0);
    EXPECT_EQ(call.params["chat_id"], 42);
    EXPECT_EQ(call.params["text"], "hello");
    EXPECT_EQ(tg.sent_texts(), std::vector<std::string>{"hello"});
    EXPECT_TRUE(tg.sent_texts(7).empty());
    req.url = tg.url() + "/botWRONG/getMe";
    auto bad = http.send(req, in(5s));
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 401);
    EXPECT_TRUE(tg.wait_for_calls("getMe", 1, 1s));
}

TEST(FakeBotApi, WaitUntilConfirmed) {
    FakeBotApi tg;
    net::CurlHttpClient http;
    telegram::ClientOptions o;
    o.api_url = tg.url();
    o.token = tg.token();
    telegram::Client api(http, o);
    int64_t id = tg.push_update(FakeBotApi::text_update(-100, 3, "/start"));
    EXPECT_FALSE(tg.wait_until_confirmed(50ms));
    telegram::GetUpdates g;
    g.timeout_s = 0;
    auto u = api.get_updates(g, in(5s));
    ASSERT_TRUE(u);
    ASSERT_EQ(u->size(), 1u);
    ASSERT_EQ((*u)[0].message->entities.size(), 1u);
    EXPECT_EQ((*u)[0].message->entities[0].type, "bot_command");
    g.offset = id + 1;
    ASSERT_TRUE(api.get_updates(g, in(5s)));
    EXPECT_TRUE(tg.wait_until_confirmed(1s));
    EXPECT_EQ(tg.pending_updates(), 0u);
}

}  // namespace

namespace {

// Records each request's per-try timeout before passing it on.
class RecordingHttp final : public net::HttpClient {
public:
    explicit RecordingHttp(net::HttpClient& inner) : inner_(inner) {}
    core::Result<net::HttpResponse> send(const net::HttpRequest& req,
                                         core::Deadline deadline) override {
        timeouts.push_back(req.timeout);
        urls.push_back(req.url);
        return inner_.send(req, deadline);
    }
    std::vector<std::chrono::milliseconds> timeouts;
    std::vector<std::string> urls;

private:
    net::HttpClient& inner_;
};

TEST(ClientLongPoll, HttpTimeoutIsPollTimeoutPlusMargin) {
    FakeBotApi tg;
    net::CurlHttpClient curl;
    RecordingHttp http(curl);
    telegram::ClientOptions o;
    o.api_url = tg.url() + "/";  // a trailing slash is tolerated
    o.token = tg.token();
    o.long_poll_margin = 7s;
    telegram::Client api(http, o);
    tg.push_update(FakeBotApi::text_update(1, 1, "x"));
    telegram::GetUpdates g;
    g.timeout_s = 25;
    ASSERT_TRUE(api.get_updates(g, in(5s)));
    ASSERT_TRUE(api.get_me(in(5s)));
    ASSERT_EQ(http.timeouts.size(), 2u);
    EXPECT_EQ(http.timeouts[0], 32s);
    EXPECT_EQ(http.timeouts[1], 0ms);
    EXPECT_EQ(http.urls[0], tg.url() + "/bot" + tg.token() + "/getUpdates");
}

TEST(FakeBotApi, StopsQuicklyWithPendingLongPollAndOpenConnections) {
    net::CurlHttpClient http;  // outlives the fake, keeping its connections open
    std::thread poller;
    auto start = std::chrono::steady_clock::now();
    {
        FakeBotApi tg;
        telegram::ClientOptions o;
        o.api_url = tg.url();
        o.token = tg.token();
        o.retry.max_attempts = 1;
        ASSERT_TRUE(telegram::Client(http, o).get_me(in(5s)));
        poller = std::thread([&http, o] {
            telegram::Client api(http, o);
            telegram::GetUpdates g;
            g.timeout_s = 30;
            (void)api.get_updates(g, in(40s));
        });
        ASSERT_TRUE(tg.wait_for_calls("getMe", 1, 1s));
        std::this_thread::sleep_for(100ms);  // let the long poll start
    }
    poller.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);
}

}  // namespace
