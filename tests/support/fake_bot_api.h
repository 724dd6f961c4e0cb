// FakeBotApi: a Telegram Bot API server for tests, on cpp-httplib at 127.0.0.1 (port 0), serving
// from a background thread, so the client may be this process (telegram::Client) or another one
// (the lambdagram binary with its API URL set to url()). It queues updates for getUpdates (offset
// and long-poll honoured), records every call, and answers scripted faults.
//   test_support::FakeBotApi tg;
//   telegram::ClientOptions o; o.api_url = tg.url(); o.token = tg.token();
//   tg.push_update(test_support::FakeBotApi::text_update(-100, 7, "hi"));
//   tg.wait_for_calls("sendMessage", 1);
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace test_support {

// A token shaped like a real one (so redaction by shape is exercised too).
inline constexpr std::string_view kFakeToken = "123456789:AAFakeTokenForTests0123456789abcdefXYZ";

struct RecordedCall {
    std::string method;
    nlohmann::json params;  // the JSON body, the form fields or the query, as an object
    int status = 0;         // the HTTP status answered
};

enum class FaultKind {
    RateLimited,    // 429 with parameters.retry_after
    ServerError,    // 500 with a Bot API error body
    MalformedJson,  // 200 with a body that is not JSON
    BadRequest,     // {"ok":false,"error_code":400}
    Forbidden,      // {"ok":false,"error_code":403}
    Unauthorized,   // {"ok":false,"error_code":401}
    NotOk,          // 200 with {"ok":false} and error_code 400 (a proxy that keeps the status)
    Slow,           // answers normally after `delay`
};

struct Fault {
    FaultKind kind = FaultKind::ServerError;
    int retry_after_s = 1;               // RateLimited
    std::chrono::milliseconds delay{0};  // Slow
    std::string description;             // overrides the default description
};

class FakeBotApi {
public:
    explicit FakeBotApi(std::string token = std::string(kFakeToken));
    ~FakeBotApi();
    FakeBotApi(const FakeBotApi&) = delete;
    FakeBotApi& operator=(const FakeBotApi&) = delete;

    // The base URL to use as the API URL: "http://127.0.0.1:<port>".
    std::string url() const;
    int port() const { return port_; }
    const std::string& token() const { return token_; }

    // --- updates -------------------------------------------------------------------------
    // Queues an update for getUpdates; sets "update_id" when absent. Returns the update_id.
    int64_t push_update(nlohmann::json update);
    // Updates not yet confirmed by a getUpdates offset.
    size_t pending_updates() const;
    // Highest offset any getUpdates call sent (0 before any).
    int64_t confirmed_offset() const;
    // Waits until every update pushed so far was confirmed (offset past it).
    bool wait_until_confirmed(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    // Realistic update JSON (no update_id) for a text message from user `user_id` in `chat_id`;
    // a negative chat id makes a supergroup, a positive one a private chat.
    static nlohmann::json text_update(int64_t chat_id, int64_t user_id, std::string text,
                                      int64_t message_id = 1);

    // --- calls ---------------------------------------------------------------------------
    std::vector<RecordedCall> calls() const;
    std::vector<RecordedCall> calls(std::string_view method) const;
    size_t call_count(std::string_view method) const;
    // Waits until at least `n` calls of `method` were recorded; false on timeout.
    bool wait_for_calls(std::string_view method, size_t n,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    // Texts of the sendMessage calls answered 200, in order; only to `chat_id` when given.
    std::vector<std::string> sent_texts(std::optional<int64_t> chat_id = std::nullopt) const;
    void clear_calls();

    // --- faults --------------------------------------------------------------------------
    // The next `times` calls of `method` answer with `fault` (queued after earlier faults);
    // method "*" matches any method without a fault of its own.
    void fail_next(const std::string& method, Fault fault, int times = 1);
    void rate_limit_next(const std::string& method, int retry_after_s, int times = 1);
    void server_error_next(const std::string& method, int times = 1);
    void malformed_next(const std::string& method, int times = 1);
    void delay_next(const std::string& method, std::chrono::milliseconds delay, int times = 1);
    // Every call for `chat_id` (its "chat_id" parameter) answers with `fault` (Slow: answers
    // normally after the delay), after any per-method fault; until clear_chat_faults().
    void fail_chat(int64_t chat_id, Fault fault);
    void clear_chat_faults();

    // --- answers -------------------------------------------------------------------------
    // What getMe answers (default: a bot "fake_bot" with id 4242).
    void set_me(nlohmann::json user);
    // What getChatMember answers for this user in any chat (default: status "member").
    void set_chat_member(int64_t user_id, nlohmann::json member);
    void set_chat_member_status(int64_t user_id, const std::string& status);
    // The current webhook URL (setWebhook / deleteWebhook change it).
    std::string webhook_url() const;

private:
    struct Impl;
    struct Answer {
        int status = 200;
        std::string body;
    };
    Answer handle(const std::string& token, const std::string& method, nlohmann::json params);
    Answer answer_method(const std::string& method, const nlohmann::json& params);
    Answer get_updates(const nlohmann::json& params);
    void record(const std::string& method, const nlohmann::json& params, int status);

    std::string token_;
    int port_ = 0;
    std::unique_ptr<Impl> impl_;

    mutable std::mutex mu_;
    mutable std::condition_variable cv_;  // calls recorded, updates pushed or confirmed, stop
    bool stopping_ = false;
    std::deque<nlohmann::json> updates_;
    int64_t next_update_id_ = 1;
    int64_t confirmed_offset_ = 0;
    int64_t next_message_id_ = 1000;
    std::vector<RecordedCall> calls_;
    std::map<std::string, std::deque<Fault>> faults_;
    std::map<int64_t, Fault> chat_faults_;
    nlohmann::json me_;
    std::map<int64_t, nlohmann::json> members_;
    std::string webhook_url_;
};

}  // namespace test_support
