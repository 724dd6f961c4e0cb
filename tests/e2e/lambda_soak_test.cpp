// The real `lambdagram lambda` binary under the Lambda emulator (runtime::LambdaEmulator, the same
// code as tools/lambda-emulator), answering through the fake Bot API: 1,000 invocations mixing
// Function URL, API Gateway v1, base64 and direct events, forged and malformed events, a chat
// whose sendMessage fails (500), a chat so slow the bot's deadline passes, and resent update
// ids. No crash, the right status codes, no duplicate effects, RSS stable. And the init error
// path: a missing model file is posted to /runtime/init/error with a clear message.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/log.h"
#include "e2e/binary_test.h"
#include "e2e/subprocess.h"
#include "runtime/lambda_emulator.h"
#include "support/fake_bot_api.h"

namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kSecret = "soak-test-webhook-secret-0123456789";
constexpr int64_t kSlowChat = 666;
constexpr int64_t kFailingChat = 500;

Json update(int64_t id, int64_t chat) {
    return {{"update_id", id},
            {"message",
             {{"message_id", id},
              {"date", 1700000000},
              {"from", {{"id", chat}, {"is_bot", false}, {"first_name", "Soak"}}},
              {"chat", {{"id", chat}, {"type", "private"}}},
              {"text", "s" + std::to_string(id)}}}};
}

std::string base64(const std::string& in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out += t[(n >> s) & 63];
    }
    if (i + 1 == in.size()) {
        uint32_t n = uint8_t(in[i]) << 16;
        out += {t[(n >> 18) & 63], t[(n >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
        out += {t[(n >> 18) & 63], t[(n >> 12) & 63], t[(n >> 6) & 63], '='};
    }
    return out;
}

Json function_url(const std::string& body, const char* secret, bool encode = false) {
    Json headers = {{"content-type", "application/json"}};
    if (secret) headers["x-telegram-bot-api-secret-token"] = secret;
    return {{"version", "2.0"},
            {"routeKey", "$default"},
            {"headers", headers},
            {"requestContext", {{"http", {{"method", "POST"}, {"path", "/"}}}}},
            {"body", encode ? base64(body) : body},
            {"isBase64Encoded", encode}};
}

Json api_gateway_v1(const std::string& body, const char* secret) {
    Json headers = {{"Content-Type", "application/json"}};
    if (secret) headers["X-Telegram-Bot-Api-Secret-Token"] = secret;
    return {{"resource", "/telegram"}, {"path", "/telegram"}, {"httpMethod", "POST"},
            {"headers", headers},      {"body", body},        {"isBase64Encoded", false}};
}

// The status code and the "result" of the function's answer, whatever the event's shape.
std::pair<int, std::string> outcome(const runtime::EmulatedResult& r) {
    Json j = Json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return {-1, r.body};
    int status = j.value("statusCode", -1);
    Json body = j;
    if (j.contains("body") && j["body"].is_string())
        body = Json::parse(j["body"].get<std::string>(), nullptr, false);
    std::string result = body.is_object() ? body.value("result", "") : "";
    return {status, result};
}

class LambdaSoakTest : public e2e::BinaryTest {
protected:
    LambdaSoakTest() : BinaryTest("lg_e2e_lambda") {}

    std::unique_ptr<e2e::Subprocess> start_function(runtime::LambdaEmulator& emu,
                                                    const std::string& yaml) {
        std::ofstream(path("lambdagram.yaml")) << yaml;
        return e2e::Subprocess::start(
            {e2e::lambdagram_binary(), "--config", path("lambdagram.yaml"), "lambda"},
            {{"AWS_LAMBDA_RUNTIME_API", emu.runtime_api()},
             {"TELEGRAM_TOKEN", tg_.token()},
             {"TELEGRAM_API_URL", tg_.url()},
             {"TELEGRAM_WEBHOOK_SECRET", kSecret},
             {"LAMBDAGRAM_LOG_LEVEL", "error"},
             {"ASAN_OPTIONS", e2e::small_quarantine_asan_options()}},
            path("lambda.out"), path("lambda.err"));
    }

    test_support::FakeBotApi tg_;
};

TEST_F(LambdaSoakTest, AThousandMixedInvocations) {
    core::log::set_level(core::log::Level::Warn);  // not a line per invocation from the emulator
    // The function has 3 s; the bot stops 2 s before that, so a 2.5 s sendMessage runs past it.
    runtime::LambdaEmulator emu({.timeout = 3000ms});
    ASSERT_TRUE(emu.start());
    std::atomic<int> timeouts{0};
    emu.set_on_timeout([&] { ++timeouts; });
    auto fn = start_function(emu,
                             "bot:\n  echo: true\nstore:\n  path: \":memory:\"\n"
                             "lambda:\n  deadline_margin_ms: 2000\n");
    ASSERT_TRUE(fn);
    test_support::Fault slow;
    slow.kind = test_support::FaultKind::Slow;
    slow.delay = 2500ms;
    tg_.fail_chat(kSlowChat, slow);
    test_support::Fault failing;
    failing.kind = test_support::FaultKind::ServerError;
    tg_.fail_chat(kFailingChat, failing);

    constexpr int kInvocations = 1000;
    constexpr int64_t kFirstId = 7'000'000;
    const char* malformed[] = {
        "this is not an event", R"({"version":"2.0","isBase64Encoded":true,"body":"%%%"})",
        R"({"version":"2.0","headers":{"x-telegram-bot-api-secret-token":"soak-test-webhook-secret-0123456789"}})",
        R"({"what":"unknown shape"})"};
    std::set<int64_t> handled;    // updates that must have exactly one answer
    std::set<int64_t> not_twice;  // slow or failing: at most one answer
    std::map<std::string, int> results;
    int wrong = 0;
    long rss_warm = 0;
    auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < kInvocations; ++i) {
        if (i == 100) rss_warm = fn->rss_kib();
        int64_t id = kFirstId + i;
        int expected_status = 200;
        std::set<std::string> expected_results = {"handled"};
        std::string payload;
        switch (i % 10) {
            case 3:
                payload = api_gateway_v1(update(id, 7).dump(), kSecret).dump();
                break;
            case 4:
                payload = function_url(update(id, 7).dump(), kSecret, true).dump();
                break;
            case 5:
                payload = update(id, 7).dump();
                break;  // direct: no secret needed
            case 6:
                payload = i % 20 == 6
                              ? function_url(update(id, 7).dump(), "forged-0123456789").dump()
                              : api_gateway_v1(update(id, 7).dump(), nullptr).dump();
                expected_status = 401;
                expected_results = {"forbidden"};
                break;
            case 7:
                payload = malformed[(i / 10) % 4];
                expected_status = 400;
                expected_results = {"malformed"};
                break;
            case 8:  // Telegram resends update i-8 (a handled one)
                id = kFirstId + i - 8;
                payload = function_url(update(id, 7).dump(), kSecret).dump();
                expected_results = {"duplicate"};
                break;
            default: {
                int64_t chat = 7;
                if (i % 200 == 19) chat = kSlowChat;
                if (i % 200 == 59) chat = kFailingChat;
                payload = function_url(update(id, chat).dump(), kSecret).dump();
                if (chat != 7) expected_results = {"timeout", "failed"};
                break;
            }
        }
        runtime::EmulatedResult r = emu.invoke(payload);
        auto [status, result] = outcome(r);
        ++results[result];
        if (r.outcome != runtime::EmulatedOutcome::Response || status != expected_status ||
            !expected_results.count(result)) {
            ++wrong;
            ADD_FAILURE() << "invocation " << i << ": " << runtime::emulated_outcome_name(r.outcome)
                          << " " << r.body << "\n"
                          << e2e::read_file(path("lambda.err"));
            if (wrong > 5) break;
        }
        if (expected_results.count("handled")) handled.insert(id);
        if (expected_results.count("timeout")) not_twice.insert(id);
    }
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    long rss_end = fn->rss_kib();
    ASSERT_TRUE(fn->running()) << e2e::read_file(path("lambda.err"));
    EXPECT_EQ(timeouts.load(), 0);
    EXPECT_EQ(wrong, 0);

    std::this_thread::sleep_for(3s);  // the slow chat's last answers arrive
    std::map<int64_t, int> answers;
    for (const auto& c : tg_.calls("sendMessage")) {
        if (c.status != 200) continue;
        std::string text = c.params.value("text", "");
        ASSERT_EQ(text.rfind("Echoed: s", 0), 0u) << text;
        ++answers[std::stoll(text.substr(9))];
    }
    for (int64_t id : handled) EXPECT_EQ(answers[id], 1) << "update " << id;
    for (int64_t id : not_twice) EXPECT_LE(answers[id], 1) << "update " << id;
    for (const auto& [id, n] : answers) {
        EXPECT_TRUE(handled.count(id) || not_twice.count(id)) << "unexpected answer to " << id;
    }
    EXPECT_GT(rss_warm, 0);
    EXPECT_LT(rss_end - rss_warm, e2e::kRssGrowthLimitKib)
        << "RSS " << rss_warm << " -> " << rss_end << " KiB";
    std::string summary;
    for (const auto& [k, v] : results) summary += " " + k + "=" + std::to_string(v);
    std::printf(
        "lambda soak: %d invocations in %.2f s (%.0f/s);%s; function RSS %ld KiB after 100, "
        "%ld KiB at the end\n",
        kInvocations, took.count(), kInvocations / took.count(), summary.c_str(), rss_warm,
        rss_end);
    emu.exit_runtime();  // invocation/next answers 500: the function exits 0
    EXPECT_EQ(fn->wait_for_exit(15s), std::optional<int>(0)) << e2e::read_file(path("lambda.err"));
}

TEST_F(LambdaSoakTest, MissingModelFileIsPostedToInitError) {
    runtime::LambdaEmulator emu({.timeout = 5000ms});
    ASSERT_TRUE(emu.start());
    auto fn = start_function(
        emu, "model:\n  backend: local\n  path: " + path("no-such-model.gguf") + "\n");
    ASSERT_TRUE(fn);
    auto code = fn->wait_for_exit(20s);
    ASSERT_TRUE(code);
    EXPECT_NE(*code, 0);
    ASSERT_TRUE(emu.init_error()) << e2e::read_file(path("lambda.err"));
    std::string err = emu.init_error().value_or("");
    EXPECT_NE(err.find("Runtime.ConfigError"), std::string::npos) << err;
    EXPECT_NE(err.find("model.path"), std::string::npos) << err;
    EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
    EXPECT_EQ(err.find(tg_.token()), std::string::npos) << "the token leaked: " << err;
    // Lambda answers the pending invoke with the init error, as AWS does.
    runtime::EmulatedResult r = emu.invoke(update(1, 7).dump());
    EXPECT_EQ(r.outcome, runtime::EmulatedOutcome::InitError) << r.body;
    EXPECT_NE(r.body.find("model.path"), std::string::npos) << r.body;
}

}  // namespace

namespace {

// --reply-with-method: a Function URL update's one call is the response body; a direct
// invocation's call is made (nobody reads its answer but the invoker).
TEST_F(LambdaSoakTest, ReplyWithMethodAnswersAnHttpEventInItsResponse) {
    runtime::LambdaEmulator emu({.timeout = 5000ms});
    ASSERT_TRUE(emu.start());
    std::ofstream(path("lambdagram.yaml")) << "bot:\n  echo: true\nstore:\n  path: \":memory:\"\n";
    auto fn = e2e::Subprocess::start({e2e::lambdagram_binary(), "--config", path("lambdagram.yaml"),
                                      "lambda", "--reply-with-method"},
                                     {{"AWS_LAMBDA_RUNTIME_API", emu.runtime_api()},
                                      {"TELEGRAM_TOKEN", tg_.token()},
                                      {"TELEGRAM_API_URL", tg_.url()},
                                      {"TELEGRAM_WEBHOOK_SECRET", kSecret}},
                                     path("lambda.out"), path("lambda.err"));
    ASSERT_TRUE(fn);
    runtime::EmulatedResult r = emu.invoke(function_url(update(11, 7).dump(), kSecret).dump());
    ASSERT_EQ(r.outcome, runtime::EmulatedOutcome::Response) << r.body;
    Json out = Json::parse(r.body);
    EXPECT_EQ(out["statusCode"], 200);
    Json body = Json::parse(out["body"].get<std::string>());
    EXPECT_EQ(body["method"], "sendMessage") << r.body;
    EXPECT_EQ(body["text"], "Echoed: s11") << r.body;
    EXPECT_EQ(tg_.call_count("sendMessage"), 0u);
    r = emu.invoke(update(12, 7).dump());
    EXPECT_EQ(outcome(r), std::make_pair(200, std::string("handled"))) << r.body;
    EXPECT_EQ(tg_.sent_texts(), (std::vector<std::string>{"Echoed: s12"}));
    emu.exit_runtime();
    EXPECT_EQ(fn->wait_for_exit(15s), std::optional<int>(0)) << e2e::read_file(path("lambda.err"));
}

}  // namespace
