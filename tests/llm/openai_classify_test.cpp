// OpenAiChatModel::classify (structured output, the plain-text fallback, logprobs) and
// OpenAiModerationClassifier, against the fake OpenAI server.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "llm/openai_moderation.h"
#include "openai_test_util.h"

namespace {

using namespace std::chrono_literals;
using lg_test::FakeOpenAi;
using lg_test::FakeResponse;
using llm_test::in;
using llm_test::kApiKey;
using llm_test::OpenAiTest;
using nlohmann::json;

const std::vector<std::string> kLabels = {"safe", "unsafe"};

class OpenAiClassify : public OpenAiTest {};

TEST_F(OpenAiClassify, StructuredOutputRequestAndScores) {
    auto s = model()->classify("Message: you are an idiot. Is it unsafe?", kLabels, in(10s));
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_EQ(s->labels.size(), 2u);
    EXPECT_EQ(s->labels[0].label, "safe");
    EXPECT_EQ(s->labels[1].label, "unsafe");
    // The fake gives 0.9 to the first label named in the text ("unsafe" contains "safe": the
    // fake finds "safe" first), 0.1 to the rest.
    EXPECT_NEAR(s->probability("safe"), 0.9, 1e-9);
    EXPECT_NEAR(s->probability("unsafe"), 0.1, 1e-9);
    EXPECT_FALSE(s->categories.has_value());

    ASSERT_EQ(srv_.request_count(), 1u);
    const json j = srv_.requests()[0].json;
    EXPECT_EQ(j["model"], "gpt-test");
    EXPECT_EQ(j["temperature"], 0);
    EXPECT_FALSE(j.contains("stream"));
    EXPECT_EQ(j["messages"][1],
              json({{"role", "user"}, {"content", "Message: you are an idiot. Is it unsafe?"}}));
    const json& rf = j["response_format"];
    EXPECT_EQ(rf["type"], "json_schema");
    EXPECT_EQ(rf["json_schema"]["name"], "label_scores");
    EXPECT_EQ(rf["json_schema"]["strict"], true);
    EXPECT_EQ(rf["json_schema"]["schema"], json::parse(R"({"type":"object",
                              "properties":{"safe":{"type":"number"},"unsafe":{"type":"number"}},
                              "required":["safe","unsafe"],"additionalProperties":false})"));
}

TEST_F(OpenAiClassify, ScoresAreNormalized) {
    srv_.push(FakeOpenAi::completion(R"({"ok": 3, "spam": 1, "abuse": -2})"));
    auto s = model()->classify("x", {"ok", "spam", "abuse"}, in(10s));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_NEAR(s->probability("ok"), 0.5, 1e-9);  // 3 clamps to 1, -2 to 0
    EXPECT_NEAR(s->probability("spam"), 0.5, 1e-9);
    EXPECT_NEAR(s->probability("abuse"), 0.0, 1e-9);
}

TEST_F(OpenAiClassify, AllZeroIsAnError) {
    srv_.push(FakeOpenAi::completion(R"({"safe": 0, "unsafe": 0})"));
    auto s = model()->classify("x", kLabels, in(10s));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "openai: the classifier gave every label 0");
}

TEST_F(OpenAiClassify, FallsBackToPlainTextOnceRefusedAndRemembers) {
    srv_.push(FakeOpenAi::error(400,
                                "Invalid parameter: 'response_format' of type 'json_schema' "
                                "is not supported with this model."));
    srv_.push(FakeOpenAi::completion("Unsafe."));
    srv_.push(FakeOpenAi::completion("safe"));
    auto m = model();
    auto s = m->classify("you idiot", kLabels, in(10s));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_DOUBLE_EQ(s->probability("unsafe"), 1.0);
    EXPECT_DOUBLE_EQ(s->probability("safe"), 0.0);
    EXPECT_TRUE(m->structured_output_refused());

    auto again = m->classify("hello", kLabels, in(10s));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->top(), "safe");

    const auto reqs = srv_.requests();
    ASSERT_EQ(reqs.size(), 3u);  // structured once, then plain text twice
    EXPECT_TRUE(reqs[0].json.contains("response_format"));
    for (size_t i = 1; i < 3; ++i) {
        EXPECT_FALSE(reqs[i].json.contains("response_format"));
        EXPECT_EQ(reqs[i].json["logprobs"], true);
        EXPECT_NE(reqs[i].json["messages"][0]["content"].get<std::string>().find(
                      "exactly one of these labels and nothing else: safe, unsafe."),
                  std::string::npos);
    }
}

TEST_F(OpenAiClassify, PlainTextUsesLogprobsWhenGiven) {
    srv_.push(FakeOpenAi::error(400, "response_format is not supported"));
    FakeResponse with_lp = FakeOpenAi::completion("unsafe");
    json body = json::parse(with_lp.body);
    body["choices"][0]["logprobs"] = json::parse(R"({"content":[{"token":"unsafe","logprob":-0.1,
        "top_logprobs":[{"token":"unsafe","logprob":-0.2231435513},
                        {"token":" Safe","logprob":-1.6094379124},
                        {"token":"maybe","logprob":-3.0}]}]})");
    with_lp.body = body.dump();
    srv_.push(with_lp);
    auto s = model()->classify("x", kLabels, in(10s));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_NEAR(s->probability("unsafe"), 0.8, 1e-6);  // e^-0.223 = 0.8, e^-1.609 = 0.2
    EXPECT_NEAR(s->probability("safe"), 0.2, 1e-6);
}

TEST_F(OpenAiClassify, DropsLogprobsWhenRefused) {
    srv_.push(FakeOpenAi::error(400, "response_format is not supported"));
    srv_.push(FakeOpenAi::error(400, "logprobs is not supported"));
    srv_.push(FakeOpenAi::completion("safe"));
    auto s = model()->classify("x", kLabels, in(10s));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->top(), "safe");
    const auto reqs = srv_.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_TRUE(reqs[1].json.contains("logprobs"));
    EXPECT_FALSE(reqs[2].json.contains("logprobs"));
}

TEST_F(OpenAiClassify, OtherBadRequestsDoNotFallBack) {
    srv_.push(FakeOpenAi::error(400, "'messages' is too short"));
    auto m = model();
    auto s = m->classify("x", kLabels, in(10s));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "openai: 400 bad request: 'messages' is too short");
    EXPECT_FALSE(m->structured_output_refused());
    EXPECT_EQ(srv_.request_count(), 1u);
}

TEST_F(OpenAiClassify, SchemaIgnoredButALabelNamed) {
    srv_.push(FakeOpenAi::completion("I think this is unsafe."));
    auto s = model()->classify("x", kLabels, in(10s));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_DOUBLE_EQ(s->probability("unsafe"), 1.0);
}

class OpenAiModeration : public OpenAiTest {
protected:
    llm::OpenAiModerationClassifier classifier() {
        llm::OpenAiModerationOptions o;
        o.base_url = srv_.base_url() + "/";  // a trailing slash is tolerated
        o.api_key = kApiKey;
        o.retry.base_delay = 20ms;
        return llm::OpenAiModerationClassifier(o, http_);
    }
};

TEST_F(OpenAiModeration, RequestShapeAndLabelScores) {
    auto s = classifier().classify("I will kill you", kLabels, in(10s));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_NEAR(s->probability("unsafe"), 0.92, 1e-9);
    EXPECT_NEAR(s->probability("safe"), 0.08, 1e-9);
    ASSERT_TRUE(s->categories.has_value());
    EXPECT_NEAR(s->categories->at("violence"), 0.92, 1e-9);
    EXPECT_NEAR(s->categories->at("hate"), 0.0001, 1e-9);
    EXPECT_EQ(s->categories->size(), 5u);  // harassment hate sexual violence self_harm
    EXPECT_EQ(s->categories->count("spam"), 0u);

    ASSERT_EQ(srv_.request_count(), 1u);
    const auto req = srv_.requests()[0];
    EXPECT_EQ(req.path, "/v1/moderations");
    EXPECT_EQ(req.header("Authorization"), std::string("Bearer ") + kApiKey);
    EXPECT_EQ(req.json, json({{"model", "omni-moderation-latest"}, {"input", "I will kill you"}}));
}

TEST_F(OpenAiModeration, SubcategoriesFoldIntoOursByMaximum) {
    srv_.push(FakeOpenAi::moderation({{"self-harm/intent", 0.7},
                                      {"self-harm", 0.2},
                                      {"harassment/threatening", 0.4},
                                      {"illicit/violent", 0.55},
                                      {"illicit", 0.99},
                                      {"sexual/minors", 0.3}}),
              FakeOpenAi::kModerationPath);
    auto s = classifier().classify("x", {"ok", "self_harm", "harassment", "flagged"}, in(10s));
    ASSERT_TRUE(s) << s.error().message;
    const auto& c = *s->categories;
    EXPECT_NEAR(c.at("self_harm"), 0.7, 1e-9);
    EXPECT_NEAR(c.at("harassment"), 0.4, 1e-9);
    EXPECT_NEAR(c.at("violence"), 0.55, 1e-9);  // illicit/violent; plain illicit maps nowhere
    EXPECT_NEAR(c.at("sexual"), 0.3, 1e-9);
    // ok = 1 - 0.7, self_harm = 0.7, harassment = 0.4, flagged = 0.7; normalized by 2.1.
    EXPECT_NEAR(s->probability("ok"), 0.3 / 2.1, 1e-9);
    EXPECT_NEAR(s->probability("self_harm"), 0.7 / 2.1, 1e-9);
    EXPECT_NEAR(s->probability("harassment"), 0.4 / 2.1, 1e-9);
    EXPECT_NEAR(s->probability("flagged"), 0.7 / 2.1, 1e-9);
}

TEST_F(OpenAiModeration, ErrorsAreMapped) {
    srv_.push(FakeOpenAi::error(404, "The model `omni-moderation-latest` does not exist"),
              FakeOpenAi::kModerationPath);
    auto s = classifier().classify("x", kLabels, in(10s));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message,
              "openai: 404 model \"omni-moderation-latest\" not found (check model.name): The "
              "model `omni-moderation-latest` does not exist");
}

TEST(ModerationCategory, Mapping) {
    EXPECT_EQ(llm::moderation_category("harassment/threatening"), "harassment");
    EXPECT_EQ(llm::moderation_category("hate/threatening"), "hate");
    EXPECT_EQ(llm::moderation_category("self-harm/instructions"), "self_harm");
    EXPECT_EQ(llm::moderation_category("violence/graphic"), "violence");
    EXPECT_EQ(llm::moderation_category("sexual/minors"), "sexual");
    EXPECT_EQ(llm::moderation_category("illicit/violent"), "violence");
    EXPECT_EQ(llm::moderation_category("illicit"), "");
}

}  // namespace
