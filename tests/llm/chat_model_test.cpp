// The factory, the cost helper and the small value types of llm/chat_model.h.
#include "llm/chat_model.h"

#include <gtest/gtest.h>

#include "llm/openai_chat_model.h"

namespace {

TEST(MakeChatModel, LocalNamesTheMissingFile) {
    llm::BackendConfig cfg;
    cfg.backend = llm::Backend::Local;
    cfg.model_path = "/models/x.gguf";
    auto m = llm::make_chat_model(cfg);
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("/models/x.gguf"), std::string::npos) << m.error().message;
}

TEST(MakeChatModel, NoneHasNoModel) {
    auto m = llm::make_chat_model({});
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_NE(m.error().message.find("model.backend=none"), std::string::npos);
}

TEST(MakeChatModel, OpenAiNeedsAModelName) {
    llm::BackendConfig cfg;
    cfg.backend = llm::Backend::OpenAi;
    auto m = llm::make_chat_model(cfg);
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("model.name is empty"), std::string::npos);
}

TEST(MakeChatModel, OpenAiBuilds) {
    llm::BackendConfig cfg;
    cfg.backend = llm::Backend::OpenAi;
    cfg.model_name = "gpt-4o-mini";
    auto m = llm::make_chat_model(cfg);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ((*m)->name(), "openai:gpt-4o-mini");
    EXPECT_EQ(cfg.base_url, "https://api.openai.com/v1");
}

TEST(EstimateCost, PricesPerMillionTokens) {
    llm::BackendConfig prices;
    prices.price_input_per_mtok = 0.15;
    prices.price_output_per_mtok = 0.60;
    EXPECT_NEAR(llm::estimate_cost_usd({1000, 500}, prices), 0.00045, 1e-12);
    EXPECT_EQ(llm::estimate_cost_usd({0, 0}, prices), 0.0);
    EXPECT_NEAR(llm::estimate_cost_usd({2'000'000, 1'000'000}, prices), 0.90, 1e-12);
}

TEST(Names, FinishReasonsRolesBackends) {
    EXPECT_STREQ(llm::finish_reason_name(llm::FinishReason::Stop), "stop");
    EXPECT_STREQ(llm::finish_reason_name(llm::FinishReason::Length), "length");
    EXPECT_STREQ(llm::finish_reason_name(llm::FinishReason::Deadline), "deadline");
    EXPECT_STREQ(llm::finish_reason_name(llm::FinishReason::Error), "error");
    EXPECT_STREQ(llm::role_name(llm::Role::System), "system");
    EXPECT_STREQ(llm::role_name(llm::Role::Assistant), "assistant");
    EXPECT_STREQ(llm::backend_name(llm::Backend::OpenAi), "openai");
}

TEST(Scores, TopAndProbability) {
    llm::Scores s;
    s.labels = {{"safe", 0.2}, {"unsafe", 0.8}};
    EXPECT_EQ(s.top(), "unsafe");
    EXPECT_DOUBLE_EQ(s.probability("safe"), 0.2);
    EXPECT_DOUBLE_EQ(s.probability("other"), 0.0);
    EXPECT_EQ(llm::Scores{}.top(), "");
}

TEST(ScoresFromNamedLabel, FirstNamedWinsLongerAtSamePlace) {
    auto s =
        llm::scores_from_named_label("  Unsafe: it insults someone (not safe)", {"safe", "unsafe"});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->top(), "unsafe");
    EXPECT_DOUBLE_EQ(s->probability("unsafe"), 1.0);
    EXPECT_DOUBLE_EQ(s->probability("safe"), 0.0);
    auto none = llm::scores_from_named_label("I cannot tell", {"safe", "unsafe"});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message,
              "openai: the answer \"I cannot tell\" names none of the labels (safe, unsafe)");
}

}  // namespace
