// Shared set-up for the OpenAiChatModel tests: a fake server, a real CurlHttpClient, captured
// log lines, and a model built with fast retries.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/log.h"
#include "llm/openai_chat_model.h"
#include "net/curl_http_client.h"
#include "support/fake_openai.h"

namespace llm_test {

inline constexpr const char* kApiKey = "sk-test-Zq81xW0pLm4Hj6aBcDeF";

class OpenAiTest : public ::testing::Test {
protected:
    void SetUp() override {
        core::log::set_sink_for_testing([this](core::log::Level, std::string_view line) {
            std::lock_guard<std::mutex> lock(log_mu_);
            logs_.emplace_back(line);
        });
    }
    void TearDown() override {
        core::log::set_sink_for_testing(nullptr);
        for (const auto& line : logs()) {
            EXPECT_EQ(line.find(kApiKey), std::string::npos) << "the key reached the log: " << line;
        }
    }

    llm::OpenAiOptions options(std::string key = kApiKey) const {
        llm::OpenAiOptions o;
        o.base_url = srv_.base_url();
        o.api_key = std::move(key);
        o.model = "gpt-test";
        o.retry.base_delay = std::chrono::milliseconds(20);
        o.retry.seed = 42;
        return o;
    }
    std::unique_ptr<llm::OpenAiChatModel> model(std::string key = kApiKey) const {
        return std::make_unique<llm::OpenAiChatModel>(options(std::move(key)), http_);
    }
    std::vector<std::string> logs() const {
        std::lock_guard<std::mutex> lock(log_mu_);
        return logs_;
    }

    lg_test::FakeOpenAi srv_;
    std::shared_ptr<net::CurlHttpClient> http_ = std::make_shared<net::CurlHttpClient>();
    mutable std::mutex log_mu_;
    std::vector<std::string> logs_;
};

inline std::vector<llm::ChatMessage> hello() {
    return {{llm::Role::System, "You are terse."}, {llm::Role::User, "Say hello"}};
}

inline core::Deadline in(std::chrono::milliseconds d) { return core::Deadline::after(d); }

}  // namespace llm_test
