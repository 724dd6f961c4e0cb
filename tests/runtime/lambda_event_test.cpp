// Lambda event parsing and the per-invocation handler: every event kind, base64, broken bodies,
// header case, forged and missing secrets, duplicates, handler failures and exceptions.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "runtime/lambda_event.h"
#include "runtime/lambda_handler.h"

namespace runtime {
namespace {

using Json = nlohmann::json;

constexpr const char* kSecret = "s3cret-token_for-tests";

std::string update_text(int64_t id, const std::string& text = "hello") {
    Json u = {{"update_id", id},
              {"message",
               {{"message_id", 5},
                {"date", 1700000000},
                {"chat", {{"id", 42}, {"type", "private"}}},
                {"from", {{"id", 42}, {"is_bot", false}, {"first_name", "Ada"}}},
                {"text", text}}}};
    return u.dump();
}

std::string base64(const std::string& in) {
    static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
        out += {a[n >> 18], a[(n >> 12) & 63], a[(n >> 6) & 63], a[n & 63]};
    }
    if (in.size() - i == 1) {
        uint32_t n = uint8_t(in[i]) << 16;
        out += {a[n >> 18], a[(n >> 12) & 63], '=', '='};
    } else if (in.size() - i == 2) {
        uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
        out += {a[n >> 18], a[(n >> 12) & 63], a[(n >> 6) & 63], '='};
    }
    return out;
}

Json v2_event(const Json& body, Json headers, bool b64 = false) {
    return {{"version", "2.0"},
            {"routeKey", "$default"},
            {"rawPath", "/"},
            {"headers", std::move(headers)},
            {"requestContext", {{"http", {{"method", "POST"}, {"path", "/"}}}}},
            {"body", body},
            {"isBase64Encoded", b64}};
}

Json v1_event(const Json& body, Json headers, bool b64 = false) {
    return {{"resource", "/telegram"},
            {"path", "/telegram"},
            {"httpMethod", "POST"},
            {"headers", std::move(headers)},
            {"multiValueHeaders", Json::object()},
            {"requestContext", {{"stage", "prod"}}},
            {"body", body},
            {"isBase64Encoded", b64}};
}

Json secret_headers(const std::string& name = "x-telegram-bot-api-secret-token",
                    const std::string& value = kSecret) {
    return {{"content-type", "application/json"}, {name, value}};
}

// Records what reached the bot; can fail, time out or throw on demand.
class ScriptedHandler final : public bot::UpdateHandler {
public:
    enum class Mode { Ok, Fail, Timeout, Throw };
    Mode mode = Mode::Ok;
    std::vector<int64_t> seen;
    core::Status handle(const telegram::Update& u, core::Deadline) override {
        seen.push_back(u.update_id);
        switch (mode) {
            case Mode::Ok: return core::ok();
            case Mode::Fail: return core::fail(core::ErrorCode::Network, "sendMessage failed");
            case Mode::Timeout: return core::fail(core::ErrorCode::Timeout, "deadline reached");
            case Mode::Throw: throw std::runtime_error("boom");
        }
        return core::ok();
    }
};

// --- parse_lambda_event -------------------------------------------------------------------------

struct ParseCase {
    const char* name;
    std::string payload;
    bool ok;
    EventKind kind;
    std::optional<std::string> body;
    std::string error_part;  // expected in the error message
};

TEST(LambdaEventTest, ParseTable) {
    std::string u = update_text(1);
    std::vector<ParseCase> cases = {
        {"v2", v2_event(u, secret_headers()).dump(), true, EventKind::HttpV2, u, ""},
        {"v2 base64", v2_event(base64(u), secret_headers(), true).dump(), true, EventKind::HttpV2, u, ""},
        {"v2 no version but http ctx",
         Json{{"requestContext", {{"http", {{"method", "POST"}}}}}, {"body", u}}.dump(), true,
         EventKind::HttpV2, u, ""},
        {"v1", v1_event(u, secret_headers()).dump(), true, EventKind::HttpV1, u, ""},
        {"v1 base64", v1_event(base64(u), secret_headers(), true).dump(), true, EventKind::HttpV1, u, ""},
        {"v1 null headers", v1_event(u, nullptr).dump(), true, EventKind::HttpV1, u, ""},
        {"direct", u, true, EventKind::Direct, u, ""},
        {"missing body", Json{{"version", "2.0"}, {"headers", Json::object()}}.dump(), true,
         EventKind::HttpV2, std::nullopt, ""},
        {"null body", v1_event(nullptr, secret_headers()).dump(), true, EventKind::HttpV1,
         std::nullopt, ""},
        {"bad base64", v2_event("not*base64!", secret_headers(), true).dump(), false,
         EventKind::HttpV2, std::nullopt, "base64"},
        {"base64 bad length", v2_event("abc", secret_headers(), true).dump(), false,
         EventKind::HttpV2, std::nullopt, "base64"},
        {"body not a string", v2_event(Json{{"a", 1}}, secret_headers()).dump(), false,
         EventKind::HttpV2, std::nullopt, "not a string"},
        {"not json", "{oops", false, EventKind::Direct, std::nullopt, "not JSON"},
        {"empty", "", false, EventKind::Direct, std::nullopt, "not JSON"},
        {"array", "[1,2]", false, EventKind::Direct, std::nullopt, "not a JSON object"},
        {"unknown shape", R"({"hello":"world"})", false, EventKind::Direct, std::nullopt,
         "unknown shape"},
    };
    for (const ParseCase& c : cases) {
        SCOPED_TRACE(c.name);
        auto ev = parse_lambda_event(c.payload);
        ASSERT_EQ(ev.has_value(), c.ok) << (ev ? "" : ev.error().message);
        if (!c.ok) {
            EXPECT_EQ(ev.error().code, core::ErrorCode::Parse);
            EXPECT_NE(ev.error().message.find(c.error_part), std::string::npos) << ev.error().message;
            continue;
        }
        EXPECT_EQ(ev->kind, c.kind);
        EXPECT_EQ(ev->body, c.body);
    }
}

TEST(LambdaEventTest, HeaderNamesAreCaseInsensitive) {
    auto ev = parse_lambda_event(
        v1_event("{}", {{"X-Telegram-Bot-Api-Secret-Token", "abc"}, {"Content-Type", "x"}}).dump());
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->header("x-telegram-bot-api-secret-token"), "abc");
    EXPECT_EQ(ev->header(kSecretHeader), "abc");
    EXPECT_EQ(ev->header("CONTENT-TYPE"), "x");
    EXPECT_FALSE(ev->header("missing"));
}

TEST(LambdaEventTest, MultiValueHeadersFillMissingNames) {
    Json e = v1_event("{}", Json::object());
    e["multiValueHeaders"] = {{"X-Telegram-Bot-Api-Secret-Token", {"from-multi"}}};
    auto ev = parse_lambda_event(e.dump());
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->header(kSecretHeader), "from-multi");
}

TEST(LambdaEventTest, Base64DecodesEveryPaddingLength) {
    for (std::string s : {"", "a", "ab", "abc", "abcd", "\xff\x00\x10 binary"}) {
        auto d = decode_base64(base64(s));
        ASSERT_TRUE(d) << s;
        EXPECT_EQ(*d, s);
    }
    EXPECT_FALSE(decode_base64("ab=c"));
    EXPECT_FALSE(decode_base64("a==="));
    EXPECT_FALSE(decode_base64("ab\ncd=="));
}

TEST(LambdaEventTest, SecretMatches) {
    EXPECT_TRUE(secret_matches("", std::nullopt));  // no secret configured
    EXPECT_TRUE(secret_matches("", "anything"));
    EXPECT_TRUE(secret_matches("abc", "abc"));
    EXPECT_FALSE(secret_matches("abc", "abd"));
    EXPECT_FALSE(secret_matches("abc", "ab"));
    EXPECT_FALSE(secret_matches("abc", ""));
    EXPECT_FALSE(secret_matches("abc", std::nullopt));
}

TEST(LambdaEventTest, RenderHttpAndDirect) {
    Json http = Json::parse(render_lambda_response(EventKind::HttpV2, 401, {{"ok", false}}));
    EXPECT_EQ(http["statusCode"], 401);
    EXPECT_EQ(http["headers"]["Content-Type"], "application/json");
    ASSERT_TRUE(http["body"].is_string());
    EXPECT_EQ(Json::parse(http["body"].get<std::string>())["ok"], false);
    Json direct = Json::parse(render_lambda_response(EventKind::Direct, 200, {{"ok", true}}));
    EXPECT_EQ(direct["statusCode"], 200);
    EXPECT_EQ(direct["ok"], true);
}

// --- LambdaEventHandler -------------------------------------------------------------------------

struct Outcome {
    int status;
    std::string result;
};

Outcome run(LambdaEventHandler& h, const std::string& payload) {
    LambdaReply r = h.invoke(payload, core::Deadline::after(std::chrono::seconds(5)));
    Json j = Json::parse(r.payload);
    int status = j["statusCode"].get<int>();
    EXPECT_EQ(status, r.status);
    Json body = j.contains("body") ? Json::parse(j["body"].get<std::string>()) : j;
    return {status, body["result"].get<std::string>()};
}

TEST(LambdaHandlerTest, StatusTable) {
    ScriptedHandler bot;
    LambdaEventHandler h(bot, {.webhook_secret = kSecret}, memory_dedupe());
    struct Case {
        const char* name;
        std::string payload;
        int status;
        const char* result;
    };
    std::vector<Case> cases = {
        {"v2 ok", v2_event(update_text(1), secret_headers()).dump(), 200, "handled"},
        {"v1 ok, mixed-case header",
         v1_event(update_text(2), secret_headers("X-Telegram-Bot-Api-Secret-Token")).dump(), 200,
         "handled"},
        {"base64", v2_event(base64(update_text(3)), secret_headers(), true).dump(), 200, "handled"},
        {"direct (no secret needed)", update_text(4), 200, "handled"},
        {"duplicate", v2_event(update_text(1), secret_headers()).dump(), 200, "duplicate"},
        {"direct duplicate", update_text(3), 200, "duplicate"},
        {"forged", v2_event(update_text(5), secret_headers(kSecretHeader.data(), "wrong")).dump(),
         401, "forbidden"},
        {"missing secret", v2_event(update_text(6), Json::object()).dump(), 401, "forbidden"},
        {"bad base64", v2_event("@@@@", secret_headers(), true).dump(), 400, "malformed"},
        {"missing body", v2_event(nullptr, secret_headers()).dump(), 400, "malformed"},
        {"body not json", v2_event("hello", secret_headers()).dump(), 400, "malformed"},
        {"body json, not an update", v2_event("{\"a\":1}", secret_headers()).dump(), 400,
         "malformed"},
        {"update with wrong types", v2_event(R"({"update_id":"x"})", secret_headers()).dump(), 400,
         "malformed"},
        {"event not json", "garbage", 400, "malformed"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        Outcome o = run(h, c.payload);
        EXPECT_EQ(o.status, c.status);
        EXPECT_EQ(o.result, c.result);
    }
    // Forged and duplicate updates never reached the bot.
    EXPECT_EQ(bot.seen, (std::vector<int64_t>{1, 2, 3, 4}));
    EXPECT_EQ(h.handler_calls(), 4);
}

TEST(LambdaHandlerTest, NoSecretConfiguredAcceptsRequestsWithoutHeader) {
    ScriptedHandler bot;
    LambdaEventHandler h(bot, {}, memory_dedupe());
    EXPECT_EQ(run(h, v2_event(update_text(9), Json::object()).dump()).status, 200);
    EXPECT_EQ(bot.seen.size(), 1u);
}

TEST(LambdaHandlerTest, FailuresAndExceptionsStillAnswer200) {
    ScriptedHandler bot;
    std::vector<std::pair<int64_t, bool>> finished;
    UpdateDedupe dedupe = memory_dedupe();
    dedupe.finish = [&](int64_t id, bool handled) { finished.emplace_back(id, handled); };
    LambdaEventHandler h(bot, {.webhook_secret = kSecret}, dedupe);
    bot.mode = ScriptedHandler::Mode::Fail;
    EXPECT_EQ(run(h, v2_event(update_text(1), secret_headers()).dump()).result, "failed");
    bot.mode = ScriptedHandler::Mode::Timeout;
    Outcome t = run(h, v2_event(update_text(2), secret_headers()).dump());
    EXPECT_EQ(t.status, 200);
    EXPECT_EQ(t.result, "timeout");
    bot.mode = ScriptedHandler::Mode::Throw;
    Outcome x = run(h, v1_event(update_text(3), secret_headers()).dump());
    EXPECT_EQ(x.status, 200);
    EXPECT_EQ(x.result, "failed");
    // A failed update is not retried by Telegram (200), and not handled again on a resend.
    bot.mode = ScriptedHandler::Mode::Ok;
    EXPECT_EQ(run(h, v2_event(update_text(3), secret_headers()).dump()).result, "duplicate");
    EXPECT_EQ(finished, (std::vector<std::pair<int64_t, bool>>{{1, false}, {2, false}, {3, false}}));
}

TEST(LambdaHandlerTest, DedupeStoreErrorHandlesAnyway) {
    ScriptedHandler bot;
    UpdateDedupe broken;
    broken.claim = [](int64_t) -> core::Result<bool> {
        return core::fail(core::ErrorCode::Io, "store: disk full");
    };
    LambdaEventHandler h(bot, {}, broken);
    EXPECT_EQ(run(h, update_text(7)).result, "handled");
    EXPECT_EQ(run(h, update_text(7)).result, "handled");  // at-least-once when the store is down
    EXPECT_EQ(bot.seen.size(), 2u);
}

TEST(LambdaHandlerTest, MemoryDedupeForgetsOldestBeyondCapacity) {
    UpdateDedupe d = memory_dedupe(2);
    EXPECT_TRUE(claim_update(d, 1));
    EXPECT_TRUE(claim_update(d, 2));
    EXPECT_FALSE(claim_update(d, 1));
    EXPECT_TRUE(claim_update(d, 3));  // forgets 1
    EXPECT_TRUE(claim_update(d, 1));
    EXPECT_FALSE(claim_update(d, 3));
}

// The sample events of examples/events (docs/lambda.md) stay valid.
TEST(LambdaHandlerTest, ExampleEventsAreHandled) {
    ScriptedHandler bot;
    LambdaEventHandler h(bot, {.webhook_secret = "change-me-to-your-webhook-secret"},
                         memory_dedupe());
    for (const char* name : {"function-url.json", "api-gateway-v1.json", "function-url-base64.json",
                             "direct.json"}) {
        SCOPED_TRACE(name);
        std::ifstream in(std::string(LG_SOURCE_DIR) + "/examples/events/" + name);
        ASSERT_TRUE(in) << "missing examples/events/" << name;
        std::stringstream text;
        text << in.rdbuf();
        Outcome o = run(h, text.str());
        EXPECT_EQ(o.status, 200);
        EXPECT_EQ(o.result, "handled");
    }
    EXPECT_EQ(bot.seen.size(), 4u);
}

}  // namespace
}  // namespace runtime
