// OpenAiChatModel::chat against the fake OpenAI server over real loopback HTTP: request shape,
// streaming through awkward chunk splits, retries, deadlines, broken streams and error texts.
#include "llm/openai_chat_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "core/strings.h"
#include "openai_test_util.h"

namespace {

using namespace std::chrono_literals;
using lg_test::FakeOpenAi;
using lg_test::FakeResponse;
using llm_test::hello;
using llm_test::in;
using llm_test::kApiKey;
using llm_test::OpenAiTest;

using Clock = std::chrono::steady_clock;

long ms_since(Clock::time_point t0) {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

class OpenAiChat : public OpenAiTest {};

TEST_F(OpenAiChat, StreamSplitMidUtf8AndMidLine) {
    const std::vector<std::string> deltas = {"Merhaba ", "d\xC3\xBCnya ", "\xF0\x9F\x8C\x8D", "!"};
    std::string body = FakeOpenAi::stream_body(deltas, "stop", lg_test::FakeUsage{12, 5});
    // Pieces of 13 bytes (cutting lines and JSON), and cuts inside the 2- and 4-byte characters.
    std::vector<size_t> cuts;
    for (size_t i = 13; i < body.size(); i += 13) cuts.push_back(i);
    cuts.push_back(body.find("\xC3\xBC") + 1);
    cuts.push_back(body.find("\xF0\x9F") + 2);
    std::sort(cuts.begin(), cuts.end());
    std::vector<std::string> pieces;
    size_t from = 0;
    for (size_t c : cuts) {
        pieces.push_back(body.substr(from, c - from));
        from = c;
    }
    pieces.push_back(body.substr(from));
    auto r = FakeOpenAi::streamed(pieces);
    r.piece_delay = 1ms;  // separate writes, so the client reads them apart
    srv_.push(r);

    std::vector<std::string> got;
    llm::ChatParams params;
    params.max_tokens = 42;
    params.temperature = 0.3;
    params.top_p = 0.9;
    params.stop = {"\nUser:"};
    params.seed = 7;
    auto reply =
        model()->chat(hello(), params, in(10s), [&](std::string_view d) { got.emplace_back(d); });
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->text, "Merhaba d\xC3\xBCnya \xF0\x9F\x8C\x8D!");
    EXPECT_EQ(got, deltas);
    for (const auto& d : got) EXPECT_TRUE(core::is_valid_utf8(d));
    EXPECT_EQ(reply->finish_reason, llm::FinishReason::Stop);
    EXPECT_EQ(reply->usage.prompt_tokens, 12);
    EXPECT_EQ(reply->usage.completion_tokens, 5);
    EXPECT_LE(reply->timings.ttft, reply->timings.total);

    ASSERT_EQ(srv_.request_count(), 1u);
    const auto req = srv_.requests()[0];
    EXPECT_EQ(req.path, "/v1/chat/completions");
    EXPECT_EQ(req.header("Authorization"), std::string("Bearer ") + kApiKey);
    EXPECT_EQ(req.header("Content-Type"), "application/json");
    const auto& j = req.json;
    EXPECT_EQ(j["model"], "gpt-test");
    EXPECT_EQ(j["messages"], nlohmann::json::parse(
                                 R"([{"role":"system","content":"You are terse."},
                                     {"role":"user","content":"Say hello"}])"));
    EXPECT_EQ(j["max_tokens"], 42);
    EXPECT_FALSE(j.contains("max_completion_tokens"));
    EXPECT_DOUBLE_EQ(j["temperature"].get<double>(), 0.3);
    EXPECT_DOUBLE_EQ(j["top_p"].get<double>(), 0.9);
    EXPECT_EQ(j["stop"], nlohmann::json::array({"\nUser:"}));
    EXPECT_EQ(j["seed"], 7);
    EXPECT_EQ(j["stream"], true);
    EXPECT_EQ(j["stream_options"], nlohmann::json::parse(R"({"include_usage":true})"));
}

TEST_F(OpenAiChat, NoAuthorizationHeaderWithoutKeyAndNoSeedOrStopWhenUnset) {
    auto reply = model("")->chat(hello(), {}, in(10s), [](std::string_view) {});
    ASSERT_TRUE(reply) << reply.error().message;
    ASSERT_EQ(srv_.request_count(), 1u);
    const auto req = srv_.requests()[0];
    EXPECT_FALSE(req.has_header("Authorization"));
    EXPECT_FALSE(req.json.contains("seed"));
    EXPECT_FALSE(req.json.contains("stop"));
}

TEST_F(OpenAiChat, NonStreamingWhenNoDeltaCallback) {
    srv_.push(FakeOpenAi::completion("Whole answer.", "length", {9, 3}));
    auto reply = model()->chat(hello(), {}, in(10s), nullptr);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->text, "Whole answer.");
    EXPECT_EQ(reply->finish_reason, llm::FinishReason::Length);
    EXPECT_EQ(reply->usage.prompt_tokens, 9);
    EXPECT_EQ(reply->usage.completion_tokens, 3);
    const auto req = srv_.requests().at(0);
    EXPECT_FALSE(req.json.contains("stream"));
    EXPECT_FALSE(req.json.contains("stream_options"));
}

TEST_F(OpenAiChat, NonStreamingFlagStillDeliversOneDelta) {
    auto opts = options();
    opts.stream = false;
    llm::OpenAiChatModel m(opts, http_);
    srv_.push(FakeOpenAi::completion("All at once."));
    std::string got;
    auto reply = m.chat(hello(), {}, in(10s), [&](std::string_view d) { got += d; });
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(got, "All at once.");
    EXPECT_FALSE(srv_.requests().at(0).json.contains("stream"));
}

TEST_F(OpenAiChat, RateLimitedWithRetryAfterThenSuccess) {
    auto limited = FakeOpenAi::error(429, "Rate limit reached for requests", "requests");
    limited.headers = {{"Retry-After", "1"}};
    srv_.push(limited);
    srv_.push(FakeOpenAi::streamed({FakeOpenAi::stream_body({"ok"})}));
    const auto t0 = Clock::now();
    auto reply = model()->chat(hello(), {}, in(10s), [](std::string_view) {});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->text, "ok");
    EXPECT_EQ(srv_.request_count(), 2u);
    EXPECT_GE(ms_since(t0), 1000);
    bool logged = false;
    for (const auto& l : logs()) logged = logged || l.find("openai: 429 rate limited") != l.npos;
    EXPECT_TRUE(logged);
}

TEST_F(OpenAiChat, RetryAfterMsIsHonoured) {
    auto limited = FakeOpenAi::error(429, "slow down");
    limited.headers = {{"retry-after-ms", "300"}};
    srv_.push(limited);
    const auto t0 = Clock::now();
    auto reply = model()->chat(hello(), {}, in(10s), [](std::string_view) {});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(srv_.request_count(), 2u);
    EXPECT_GE(ms_since(t0), 300);
}

TEST_F(OpenAiChat, RetryAfterPastTheDeadlineFailsAtOnce) {
    auto limited = FakeOpenAi::error(429, "slow down");
    limited.headers = {{"Retry-After", "5"}};
    srv_.push(limited);
    const auto t0 = Clock::now();
    auto reply = model()->chat(hello(), {}, in(1s), [](std::string_view) {});
    ASSERT_FALSE(reply);
    EXPECT_LT(ms_since(t0), 1000);
    EXPECT_EQ(reply.error().code, core::ErrorCode::RateLimited);
    EXPECT_EQ(reply.error().message, "openai: 429 rate limited: slow down");
    EXPECT_EQ(reply.error().retry_after, std::chrono::milliseconds(5000));
    EXPECT_EQ(srv_.request_count(), 1u);
}

TEST_F(OpenAiChat, ServerErrorTwiceThenSuccess) {
    srv_.push(FakeOpenAi::error(500, "The server had an error", "server_error"));
    srv_.push(FakeOpenAi::error(503, "overloaded", "server_error"));
    auto reply = model()->chat(hello(), {}, in(10s), [](std::string_view) {});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->text, "Hello from the fake model. It answers every question the same way.");
    EXPECT_EQ(srv_.request_count(), 3u);
}

TEST_F(OpenAiChat, RequestTimeoutAndConflictAreRetried) {
    srv_.push(FakeOpenAi::error(408, "timeout"));
    srv_.push(FakeOpenAi::error(409, "conflict"));
    auto reply = model()->chat(hello(), {}, in(10s), nullptr);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(srv_.request_count(), 3u);
}

TEST_F(OpenAiChat, ServerErrorsUntilAttemptsRunOut) {
    for (int i = 0; i < 4; ++i) srv_.push(FakeOpenAi::error(502, "bad gateway"));
    auto reply = model()->chat(hello(), {}, in(10s), nullptr);
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().message, "openai: 502 server error: bad gateway");
    EXPECT_EQ(reply.error().http_status, 502);
    EXPECT_EQ(srv_.request_count(), 4u);  // RetryPolicy::max_attempts
}

TEST_F(OpenAiChat, StallPastTheDeadlineGivesThePartialText) {
    std::string body = FakeOpenAi::stream_body({"Partial ", "answer"}, "stop", std::nullopt, false);
    body = body.substr(0, body.rfind("data: "));  // drop the finish chunk: the model "thinks"
    auto r = FakeOpenAi::streamed({body});
    r.stall_at_end = true;
    srv_.push(r);
    std::string got;
    const auto t0 = Clock::now();
    auto reply = model()->chat(hello(), {}, in(600ms), [&](std::string_view d) { got += d; });
    const long elapsed = ms_since(t0);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->text, "Partial answer");
    EXPECT_EQ(got, "Partial answer");
    EXPECT_EQ(reply->finish_reason, llm::FinishReason::Deadline);
    EXPECT_GE(elapsed, 550);
    EXPECT_LT(elapsed, 2000);
    EXPECT_EQ(srv_.request_count(), 1u);
}

TEST_F(OpenAiChat, StallBeforeAnyTextIsATimeout) {
    auto r = FakeOpenAi::streamed({": waiting\n\n"});
    r.stall_at_end = true;
    srv_.push(r);
    auto reply = model()->chat(hello(), {}, in(400ms), [](std::string_view) {});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, core::ErrorCode::Timeout);
    EXPECT_EQ(srv_.request_count(), 1u);  // no time left for another try
}

TEST_F(OpenAiChat, MalformedJsonFirstIsAParseError) {
    srv_.push(FakeOpenAi::streamed({"data: {\"choices\": [\n\n", "data: [DONE]\n\n"}));
    auto reply = model()->chat(hello(), {}, in(10s), [](std::string_view) {});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, core::ErrorCode::Parse);
    EXPECT_EQ(reply.error().message, "openai: malformed JSON in the stream: {\"choices\": [");
    EXPECT_EQ(srv_.request_count(), 1u);
}

TEST_F(OpenAiChat, MalformedJsonAfterTextKeepsTheText) {
    std::string good = FakeOpenAi::sse_event(nlohmann::json::parse(FakeOpenAi::chunk_json("Hi")));
    srv_.push(FakeOpenAi::streamed({good, "data: not json\n\n", "data: [DONE]\n\n"}));
    auto reply = model()->chat(hello(), {}, in(10s), [](std::string_view) {});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->text, "Hi");
    EXPECT_EQ(reply->finish_reason, llm::FinishReason::Error);
    EXPECT_EQ(reply->error, "openai: malformed JSON in the stream: not json");
}

TEST_F(OpenAiChat, NonJsonErrorBodyOnSuccessStatusIsNotAStream) {
    FakeResponse r;
    r.body = "<html>proxy</html>";
    r.content_type = "text/html";
    srv_.push(r);
    auto reply = model()->chat(hello(), {}, in(10s), [](std::string_view) {});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, core::ErrorCode::Parse);
    EXPECT_NE(reply.error().message.find("not an event stream"), std::string::npos);
}

TEST_F(OpenAiChat, ErrorObjectMidStream) {
    std::string body = FakeOpenAi::stream_body({"Half ", "an "}, "stop", std::nullopt, false);
    body = body.substr(0, body.rfind("data: "));
    body += "data: {\"error\":{\"message\":\"The model crashed\",\"type\":\"server_error\"}}\n\n";
    srv_.push(FakeOpenAi::streamed(FakeOpenAi::split_every(body, 7)));
    auto reply = model()->chat(hello(), {}, in(10s), [](std::string_view) {});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->text, "Half an ");
    EXPECT_EQ(reply->finish_reason, llm::FinishReason::Error);
    EXPECT_EQ(reply->error, "openai: error in the stream: The model crashed");
    EXPECT_EQ(srv_.request_count(), 1u);  // text was shown: never repeated
}

TEST_F(OpenAiChat, StreamEndingWithoutDoneIsAnError) {
    std::string body = FakeOpenAi::stream_body({"cut"}, "stop", std::nullopt, false);
    body = body.substr(0, body.rfind("data: "));
    srv_.push(FakeOpenAi::streamed({body}));
    auto reply = model()->chat(hello(), {}, in(10s), [](std::string_view) {});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->text, "cut");
    EXPECT_EQ(reply->finish_reason, llm::FinishReason::Error);
    EXPECT_EQ(reply->error, "openai: the stream ended before [DONE]");
}

TEST_F(OpenAiChat, UnauthorizedIsNotRetriedAndHidesTheKey) {
    srv_.push(FakeOpenAi::error(
        401, std::string("Incorrect API key provided: ") + kApiKey + ". You can find your key.",
        "invalid_request_error"));
    auto reply = model()->chat(hello(), {}, in(10s), [](std::string_view) {});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, core::ErrorCode::Unauthorized);
    EXPECT_EQ(reply.error().message,
              "openai: 401 invalid API key (check OPENAI_API_KEY): Incorrect API key provided: "
              "***. You can find your key.");
    EXPECT_EQ(reply.error().message.find(kApiKey), std::string::npos);
    EXPECT_EQ(srv_.request_count(), 1u);
}

TEST_F(OpenAiChat, MaskedKeyFragmentsAreHiddenToo) {
    srv_.push(FakeOpenAi::error(401, "Incorrect API key provided: sk-abc12***************wxyz."));
    auto reply = model()->chat(hello(), {}, in(10s), nullptr);
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().message,
              "openai: 401 invalid API key (check OPENAI_API_KEY): Incorrect API key provided: "
              "***.");
}

TEST_F(OpenAiChat, ClientErrorsAreNotRetried) {
    struct Case {
        int status;
        std::string message;
        core::ErrorCode code;
    };
    const std::vector<Case> cases = {
        {400, "openai: 400 bad request: 'messages' is too short", core::ErrorCode::InvalidArgument},
        {403,
         "openai: 403 forbidden (the API key has no access to this model or endpoint): "
         "'messages' is too short",
         core::ErrorCode::Unauthorized},
        {404,
         "openai: 404 model \"gpt-test\" not found (check model.name): "
         "'messages' is too short",
         core::ErrorCode::NotFound},
    };
    size_t before = 0;
    for (const auto& c : cases) {
        srv_.push(FakeOpenAi::error(c.status, "'messages' is too short"));
        auto reply = model()->chat(hello(), {}, in(10s), [](std::string_view) {});
        ASSERT_FALSE(reply) << c.status;
        EXPECT_EQ(reply.error().message, c.message);
        EXPECT_EQ(reply.error().code, c.code);
        EXPECT_EQ(reply.error().http_status, c.status);
        EXPECT_EQ(srv_.request_count(), before + 1) << c.status;
        before = srv_.request_count();
    }
}

TEST_F(OpenAiChat, SwitchesToMaxCompletionTokensWhenAsked) {
    srv_.push(FakeOpenAi::error(400,
                                "Unsupported parameter: 'max_tokens' is not supported with this "
                                "model. Use 'max_completion_tokens' instead."));
    auto m = model();
    llm::ChatParams params;
    params.max_tokens = 5;
    auto reply = m->chat(hello(), params, in(10s), [](std::string_view) {});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->finish_reason, llm::FinishReason::Length);
    auto again = m->chat(hello(), params, in(10s), nullptr);
    ASSERT_TRUE(again) << again.error().message;
    const auto reqs = srv_.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_TRUE(reqs[0].json.contains("max_tokens"));
    for (size_t i = 1; i < reqs.size(); ++i) {
        EXPECT_FALSE(reqs[i].json.contains("max_tokens"));
        EXPECT_EQ(reqs[i].json["max_completion_tokens"], 5);
    }
}

TEST_F(OpenAiChat, ConnectionRefusedIsRetriedThenANetworkError) {
    std::string dead_url;
    {
        lg_test::FakeOpenAi gone;
        dead_url = gone.base_url();
    }
    auto opts = options();
    opts.base_url = dead_url;
    opts.retry.max_attempts = 3;
    llm::OpenAiChatModel m(opts, http_);
    auto reply = m.chat(hello(), {}, in(10s), [](std::string_view) {});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, core::ErrorCode::Network);
    EXPECT_TRUE(core::starts_with(reply.error().message, "openai: http: POST http://127.0.0.1:"))
        << reply.error().message;
    size_t retries = 0;
    for (const auto& l : logs()) retries += l.find("retrying in") != l.npos ? 1 : 0;
    EXPECT_EQ(retries, 2u);
}

}  // namespace

namespace {

TEST_F(OpenAiChat, KeyEchoedByTheServerIsHiddenInEveryErrorText) {
    const std::string echo = std::string("your key ") + kApiKey + " failed";
    auto opts = options();
    opts.retry.max_attempts = 1;
    llm::OpenAiChatModel m(opts, http_);
    for (int status : {400, 401, 403, 404, 408, 409, 422, 429, 500, 503}) {
        srv_.push(FakeOpenAi::error(status, echo));
        auto reply = m.chat(hello(), {}, in(10s), nullptr);
        ASSERT_FALSE(reply) << status;
        EXPECT_EQ(reply.error().message.find(kApiKey), std::string::npos) << reply.error().message;
        EXPECT_NE(reply.error().message.find("your key *** failed"), std::string::npos)
            << reply.error().message;
    }
    // And in the stream.
    std::string body = FakeOpenAi::stream_body({"x"}, "stop", std::nullopt, false);
    body = body.substr(0, body.rfind("data: "));
    body += "data: {\"error\":{\"message\":\"" + echo + "\"}}\n\n";
    srv_.push(FakeOpenAi::streamed({body}));
    auto reply = m.chat(hello(), {}, in(10s), [](std::string_view) {});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->error, "openai: error in the stream: your key *** failed");
}

}  // namespace
