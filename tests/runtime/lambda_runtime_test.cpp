// The Lambda runtime loop against the project's Runtime API emulator, in-process: the loop runs in
// a thread with the emulator's address, over libcurl, as `lambdagram lambda` does.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "net/curl_http_client.h"
#include "runtime/lambda_emulator.h"
#include "runtime/lambda_runtime.h"

namespace runtime {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kSecret = "emulated-secret-0123";

std::string update_text(int64_t id) {
    return Json{{"update_id", id},
                {"message",
                 {{"message_id", id},
                  {"date", 1700000000},
                  {"chat", {{"id", -100}, {"type", "supergroup"}}},
                  {"text", "hi"}}}}
        .dump();
}

std::string v2(const std::string& body, const std::string& secret = kSecret) {
    return Json{{"version", "2.0"},
                {"headers", {{"x-telegram-bot-api-secret-token", secret}}},
                {"requestContext", {{"http", {{"method", "POST"}}}}},
                {"body", body},
                {"isBase64Encoded", false}}
        .dump();
}

std::string v1(const std::string& body) {
    return Json{{"httpMethod", "POST"},
                {"headers", {{"X-Telegram-Bot-Api-Secret-Token", kSecret}}},
                {"body", body},
                {"isBase64Encoded", false}}
        .dump();
}

std::string b64(const std::string& in) {
    static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
        out += {a[n >> 18], a[(n >> 12) & 63], a[(n >> 6) & 63], a[n & 63]};
    }
    size_t rest = in.size() - i;
    if (rest > 0) {
        uint32_t n = uint8_t(in[i]) << 16;
        if (rest == 2) n |= uint8_t(in[i + 1]) << 8;
        out += {a[n >> 18], a[(n >> 12) & 63], rest == 2 ? a[(n >> 6) & 63] : '=', '='};
    }
    return out;
}

std::string v2_base64(const std::string& body) {
    Json e = Json::parse(v2(b64(body)));
    e["isBase64Encoded"] = true;
    return e.dump();
}

// A bot whose behaviour depends on the update id: id % 17 == 0 throws, id % 23 == 0 runs past its
// deadline. Counts effects per update id.
class EffectBot final : public bot::UpdateHandler {
public:
    core::Status handle(const telegram::Update& u, core::Deadline deadline) override {
        {
            std::lock_guard<std::mutex> lock(mu_);
            ++effects_[u.update_id];
            last_deadline_left_ = deadline.remaining();
            const char* trace = std::getenv("_X_AMZN_TRACE_ID");
            last_trace_ = trace ? trace : "";
        }
        if (u.update_id % 17 == 0) throw std::runtime_error("handler exploded");
        if (u.update_id % 23 == 0) {
            std::this_thread::sleep_for(deadline.remaining() + 50ms);  // past the bot's deadline
            return core::fail(core::ErrorCode::Timeout, "generation stopped at the deadline");
        }
        if (sleep_for_.count() > 0) std::this_thread::sleep_for(sleep_for_);
        return core::ok();
    }
    std::map<int64_t, int> effects() {
        std::lock_guard<std::mutex> lock(mu_);
        return effects_;
    }
    core::Millis last_deadline_left() {
        std::lock_guard<std::mutex> lock(mu_);
        return last_deadline_left_;
    }
    std::string last_trace() {
        std::lock_guard<std::mutex> lock(mu_);
        return last_trace_;
    }
    core::Millis sleep_for_{0};

private:
    std::string last_trace_;
    std::mutex mu_;
    std::map<int64_t, int> effects_;
    core::Millis last_deadline_left_{0};
};

// The loop on a thread, talking to an emulator.
struct Harness {
    explicit Harness(core::Millis timeout, core::Millis margin = 1500ms)
        : emu({.timeout = timeout}) {
        EXPECT_TRUE(emu.start());
        options.deadline_margin = margin;
        options.set_trace_env = false;
        api = std::make_unique<RuntimeApiClient>(http, emu.runtime_api());
        handler = std::make_unique<LambdaEventHandler>(bot, LambdaHandlerOptions{kSecret},
                                                       memory_dedupe());
    }
    void start() {
        loop = std::thread([this] { result = run_lambda_loop(*api, *handler, options); });
    }
    // Makes the Runtime API answer 500 and waits for the loop to return.
    void finish() {
        emu.exit_runtime();
        if (loop.joinable()) loop.join();
    }
    ~Harness() {
        finish();
        emu.stop();
    }
    LambdaEmulator emu;
    net::CurlHttpClient http;
    EffectBot bot;
    LambdaLoopOptions options;
    std::unique_ptr<RuntimeApiClient> api;
    std::unique_ptr<LambdaEventHandler> handler;
    std::thread loop;
    core::Status result = core::ok();
};

// statusCode and result of an emulated response.
std::pair<int, std::string> outcome(const EmulatedResult& r) {
    Json j = Json::parse(r.body);
    Json body = j.contains("body") ? Json::parse(j["body"].get<std::string>()) : j;
    return {j["statusCode"].get<int>(), body.value("result", "")};
}

TEST(LambdaRuntimeTest, TwoHundredMixedInvocations) {
    Harness h(5s, 4800ms);  // the bot gets ~200 ms before its deadline
    h.start();
    std::map<int64_t, int> expected_effects;
    int n_ok = 0, n_dup = 0, n_bad = 0, n_forged = 0;
    for (int i = 1; i <= 200; ++i) {
        int64_t id = 1000 + (i % 150);  // ids repeat: duplicates from Telegram's retries
        std::string payload;
        int expected_status = 200;
        switch (i % 8) {
            case 0: payload = v2(update_text(id)); break;
            case 1: payload = v1(update_text(id)); break;
            case 2: payload = v2_base64(update_text(id)); break;
            case 3: payload = update_text(id); break;
            case 4: payload = v2(update_text(id), "forged-secret-9999"); expected_status = 401; break;
            case 5: payload = v2("not json at all"); expected_status = 400; break;
            case 6: payload = R"({"what":"is this"})"; expected_status = 400; break;
            default: payload = v2(update_text(id)); break;
        }
        EmulatedResult r = h.emu.invoke(payload);
        ASSERT_EQ(r.outcome, EmulatedOutcome::Response) << i << " " << r.body;
        auto [status, result] = outcome(r);
        EXPECT_EQ(status, expected_status) << "invocation " << i << ": " << r.body;
        if (expected_status == 200) {
            bool first = expected_effects.emplace(id, 1).second;
            EXPECT_EQ(result == "duplicate", !first) << "invocation " << i;
            (first ? n_ok : n_dup)++;
        } else {
            (expected_status == 401 ? n_forged : n_bad)++;
        }
    }
    EXPECT_EQ(h.bot.effects(), expected_effects);  // every genuine update acted on exactly once
    EXPECT_GT(n_dup, 0);
    EXPECT_GT(n_forged, 0);
    EXPECT_GT(n_bad, 0);
    EXPECT_EQ(h.emu.stats().responses, 200);
    h.finish();
    ASSERT_FALSE(h.result);
    EXPECT_EQ(h.result.error().http_status, 500);
}

TEST(LambdaRuntimeTest, DeadlineAndTraceIdFlowIntoTheBot) {
    Harness h(10s, 1500ms);
    h.options.set_trace_env = true;
    h.start();
    EmulatedResult r = h.emu.invoke(update_text(5));
    ASSERT_EQ(r.outcome, EmulatedOutcome::Response);
    core::Millis left = h.bot.last_deadline_left();
    EXPECT_LE(left, 8500ms);
    EXPECT_GT(left, 7000ms);
    EXPECT_EQ(h.bot.last_trace().rfind("Root=1-", 0), 0u) << h.bot.last_trace();
}

TEST(LambdaRuntimeTest, EmulatorTimeoutThenTheLoopGoesOn) {
    Harness h(700ms, 100ms);
    h.bot.sleep_for_ = 1200ms;  // longer than the function timeout
    h.start();
    EmulatedResult slow = h.emu.invoke(update_text(1));
    EXPECT_EQ(slow.outcome, EmulatedOutcome::Timeout);
    EXPECT_EQ(slow.error_type, "Sandbox.Timedout");
    h.bot.sleep_for_ = 0ms;
    // The late response is refused (400) without stopping the loop; the next invocation works.
    EmulatedResult next = h.emu.invoke(update_text(2));
    EXPECT_EQ(next.outcome, EmulatedOutcome::Response) << next.body;
    EXPECT_EQ(h.emu.stats().rejected_posts, 1);
    EXPECT_EQ(h.bot.effects().size(), 2u);
}

TEST(LambdaRuntimeTest, StopWhileWaitingForAnInvocationReturnsPromptly) {
    Harness h(5s);
    h.start();
    std::this_thread::sleep_for(100ms);  // the loop waits in invocation/next
    auto t0 = std::chrono::steady_clock::now();
    h.finish();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
    ASSERT_FALSE(h.result);
    EXPECT_EQ(h.result.error().http_status, 500);
}

TEST(LambdaRuntimeTest, InitErrorIsPostedAndReported) {
    LambdaEmulator emu({.timeout = 2s});
    ASSERT_TRUE(emu.start());
    net::CurlHttpClient http;
    RuntimeApiClient api(http, emu.runtime_api());
    ASSERT_TRUE(api.report_init_error("Runtime.ConfigError",
                                      "config: telegram.token is empty (set TELEGRAM_TOKEN)"));
    ASSERT_TRUE(emu.init_error());
    EXPECT_NE(emu.init_error()->find("telegram.token is empty"), std::string::npos);
    EmulatedResult r = emu.invoke(update_text(1));
    EXPECT_EQ(r.outcome, EmulatedOutcome::InitError);
    EXPECT_NE(r.body.find("Runtime.ConfigError"), std::string::npos);
}

TEST(LambdaRuntimeTest, FunctionErrorAndPublicInvokeUrl) {
    LambdaEmulator emu({.timeout = 5s});
    ASSERT_TRUE(emu.start());
    net::CurlHttpClient http;
    RuntimeApiClient api(http, emu.runtime_api());
    // A runtime that fails the invocation with /error.
    std::thread runtime([&] {
        auto inv = api.next();
        ASSERT_TRUE(inv);
        EXPECT_FALSE(inv->request_id.empty());
        EXPECT_TRUE(inv->deadline_ms.has_value());
        EXPECT_FALSE(inv->trace_id.empty());
        EXPECT_TRUE(api.report_error(inv->request_id, "Runtime.UnhandledException", "it broke"));
    });
    auto resp = http.send({.method = "POST", .url = emu.invoke_url(), .body = update_text(1)},
                          core::Deadline::after(10s));
    runtime.join();
    ASSERT_TRUE(resp);
    EXPECT_EQ(resp->status, 200);
    EXPECT_EQ(resp->header("X-Amz-Function-Error"), "Unhandled");
    Json body = Json::parse(resp->body);
    EXPECT_EQ(body["errorType"], "Runtime.UnhandledException");
    EXPECT_EQ(body["errorMessage"], "it broke");
    EXPECT_EQ(emu.stats().function_errors, 1);
}

TEST(LambdaRuntimeTest, UnreachableRuntimeApiIsAnErrorNotAHang) {
    net::CurlHttpClient http;
    // A port nothing listens on: bind an emulator, note its port, stop it.
    std::string addr;
    {
        LambdaEmulator emu;
        ASSERT_TRUE(emu.start());
        addr = emu.runtime_api();
    }
    RuntimeApiClient api(http, addr);
    EffectBot bot;
    LambdaEventHandler handler(bot, {}, memory_dedupe());
    LambdaLoopOptions options;
    options.set_trace_env = false;
    core::Status st = run_lambda_loop(api, handler, options);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("Runtime API"), std::string::npos);
}

TEST(LambdaRuntimeTest, InvocationDeadlineFromHeader) {
    core::FakeClock clock;
    LambdaLoopOptions o;
    o.clock = &clock;
    o.deadline_margin = 1500ms;
    Invocation inv;
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         clock.wall_now().time_since_epoch())
                         .count();
    inv.deadline_ms = now_ms + 10'000;
    EXPECT_EQ(invocation_deadline(inv, o).remaining(clock), 8500ms);
    inv.deadline_ms.reset();
    EXPECT_EQ(invocation_deadline(inv, o).remaining(clock), o.default_timeout);
}

}  // namespace
}  // namespace runtime
