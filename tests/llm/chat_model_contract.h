// The contract every ChatModel backend must pass, as a typed GoogleTest suite. A backend joins
// by defining a Backend type (owning whatever the model needs: a fake server, a GGUF file) and
// adding it to the Types<> list in chat_model_contract_test.cpp:
//   struct MyBackend { llm::ChatModel& model(); };   // default-constructible
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "llm/chat_model.h"

namespace llm_test {

// A Backend provides: a default constructor; llm::ChatModel& model(); and a model able to write
// at least 4 tokens, and to keep writing for well over 300 ms when given max_tokens = 2000.
template <class Backend>
class ChatModelContract : public ::testing::Test {
protected:
    llm::ChatModel& model() { return backend_.model(); }
    static std::vector<llm::ChatMessage> question() {
        return {{llm::Role::System, "You are a helpful assistant."},
                {llm::Role::User, "Tell me a long story about a cat."}};
    }
    static llm::ChatParams params(int max_tokens) {
        llm::ChatParams p;
        p.temperature = 0;
        p.max_tokens = max_tokens;
        p.seed = 1;
        return p;
    }

    Backend backend_;
};

TYPED_TEST_SUITE_P(ChatModelContract);

TYPED_TEST_P(ChatModelContract, DeltasConcatenateToTheText) {
    std::string joined;
    int n = 0;
    auto reply = this->model().chat(this->question(), this->params(8),
                                    core::Deadline::after(std::chrono::seconds(30)),
                                    [&](std::string_view d) {
                                        joined += d;
                                        ++n;
                                    });
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_FALSE(reply->text.empty());
    EXPECT_EQ(joined, reply->text);
    EXPECT_GE(n, 2) << "the text must stream in more than one delta";
    EXPECT_TRUE(reply->finish_reason == llm::FinishReason::Stop ||
                reply->finish_reason == llm::FinishReason::Length);
    EXPECT_LE(reply->timings.ttft, reply->timings.total);
    EXPECT_GT(reply->timings.tokens_per_s, 0.0);
}

TYPED_TEST_P(ChatModelContract, LengthWhenMaxTokensIsReached) {
    auto reply = this->model().chat(this->question(), this->params(3),
                                    core::Deadline::after(std::chrono::seconds(30)),
                                    [](std::string_view) {});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->finish_reason, llm::FinishReason::Length);
    EXPECT_FALSE(reply->text.empty());
    if (reply->usage.completion_tokens > 0) {
        EXPECT_LE(reply->usage.completion_tokens, 3);
    }
}

TYPED_TEST_P(ChatModelContract, WithoutDeltaCallbackTheSameContract) {
    auto reply = this->model().chat(this->question(), this->params(3),
                                    core::Deadline::after(std::chrono::seconds(30)), nullptr);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_FALSE(reply->text.empty());
    EXPECT_EQ(reply->finish_reason, llm::FinishReason::Length);
}

TYPED_TEST_P(ChatModelContract, DeadlineIsRespected) {
    const auto deadline_in = std::chrono::milliseconds(300);
    const auto t0 = std::chrono::steady_clock::now();
    std::string joined;
    auto reply =
        this->model().chat(this->question(), this->params(2000), core::Deadline::after(deadline_in),
                           [&](std::string_view d) { joined += d; });
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    // Back within the deadline plus a margin for one token and the unwinding.
    EXPECT_LT(elapsed, deadline_in + std::chrono::milliseconds(700));
    if (reply) {
        EXPECT_EQ(reply->finish_reason, llm::FinishReason::Deadline);
        EXPECT_EQ(joined, reply->text);
    } else {
        EXPECT_EQ(reply.error().code, core::ErrorCode::Timeout) << reply.error().message;
    }
}

TYPED_TEST_P(ChatModelContract, ClassifyGivesProbabilitiesOverTheLabels) {
    const std::vector<std::string> labels = {"safe", "unsafe", "spam"};
    auto s = this->model().classify("Message: \"good morning everyone\". Classify it.", labels,
                                    core::Deadline::after(std::chrono::seconds(30)));
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_EQ(s->labels.size(), labels.size());
    double sum = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
        EXPECT_EQ(s->labels[i].label, labels[i]);
        EXPECT_GE(s->labels[i].probability, 0.0);
        EXPECT_LE(s->labels[i].probability, 1.0);
        sum += s->labels[i].probability;
    }
    EXPECT_NEAR(sum, 1.0, 1e-6);
}

REGISTER_TYPED_TEST_SUITE_P(ChatModelContract, DeltasConcatenateToTheText,
                            LengthWhenMaxTokensIsReached, WithoutDeltaCallbackTheSameContract,
                            DeadlineIsRespected, ClassifyGivesProbabilitiesOverTheLabels);

}  // namespace llm_test
