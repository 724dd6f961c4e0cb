#include "core/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/redact.h"

namespace core {
namespace {

class Log : public ::testing::Test {
protected:
    void SetUp() override {
        log::set_sink_for_testing([this](log::Level, std::string_view line) { lines_.emplace_back(line); });
    }
    void TearDown() override {
        log::set_sink_for_testing(nullptr);
        log::set_level(log::Level::Info);
        clear_secrets_for_testing();
    }
    std::vector<std::string> lines_;
};

TEST_F(Log, SecretsNeverReachTheSink) {
    register_secret("sk-test-supersecret");
    log::info("calling https://api.telegram.org/bot{}/getMe with key {}",
              "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0", "sk-test-supersecret");
    ASSERT_EQ(lines_.size(), 1u);
    EXPECT_EQ(lines_[0], "calling https://api.telegram.org/bot***/getMe with key ***");
}

TEST_F(Log, LevelFilters) {
    log::set_level(log::Level::Warn);
    log::info("hidden");
    log::warn("shown {}", 1);
    ASSERT_EQ(lines_.size(), 1u);
    EXPECT_EQ(lines_[0], "shown 1");
}

TEST_F(Log, ParseLevel) {
    log::Level l;
    EXPECT_TRUE(log::parse_level("debug", &l));
    EXPECT_EQ(l, log::Level::Debug);
    EXPECT_FALSE(log::parse_level("loud", &l));
}

}  // namespace
}  // namespace core
