#include "core/redact.h"

#include <gtest/gtest.h>

namespace core {
namespace {

constexpr const char* kToken = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";

class Redact : public ::testing::Test {
protected:
    void TearDown() override { clear_secrets_for_testing(); }
};

TEST_F(Redact, HidesBotTokensInsideUrls) {
    std::string url = std::string("https://api.telegram.org/bot") + kToken + "/getUpdates?offset=5";
    EXPECT_EQ(redact(url), "https://api.telegram.org/bot***/getUpdates?offset=5");
}

TEST_F(Redact, HidesBareTokensAndKeepsOrdinaryColons) {
    EXPECT_EQ(redact(std::string("token=") + kToken + " end"), "token=*** end");
    EXPECT_EQ(redact("time 12:30:45, ratio 3:1"), "time 12:30:45, ratio 3:1");
    EXPECT_EQ(redact("id 123456:short"), "id 123456:short");
}

TEST_F(Redact, HidesRegisteredSecretsLongestFirst) {
    register_secret("sk-live-abcdef");
    register_secret("sk-live-abcdef-extended");
    register_secret("ab");  // too short to register
    EXPECT_EQ(redact("key sk-live-abcdef-extended and sk-live-abcdef, ab"), "key *** and ***, ab");
}

TEST_F(Redact, LooksLikeBotToken) {
    EXPECT_TRUE(looks_like_bot_token(kToken));
    EXPECT_FALSE(looks_like_bot_token("123:abc"));
    EXPECT_FALSE(looks_like_bot_token("not a token"));
    EXPECT_FALSE(looks_like_bot_token("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0 space"));
}

}  // namespace
}  // namespace core
