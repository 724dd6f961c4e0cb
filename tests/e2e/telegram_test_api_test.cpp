// End to end: the real `lambdagram poll` binary against telegram-test-api, a Telegram Bot API
// emulator from npm, installed from tests/e2e/package-lock.json into the build tree. Users'
// messages go in through the emulator's client API and the bot's replies are read back from it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/file.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "e2e/subprocess.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kNodeDir = std::string(LG_BINARY_DIR) + "/e2e-node";
const std::string kToken = "5550001:AAEmulatorTokenForLambdagramE2eTests01";

bool ci() {
    const char* v = std::getenv("CI");
    return v && std::string(v) == "true";
}

std::string which(const std::string& tool) {
    for (const auto& dir : {"/usr/local/bin", "/usr/bin", "/bin"}) {
        std::string p = std::string(dir) + "/" + tool;
        if (access(p.c_str(), X_OK) == 0) return p;
    }
    return "";
}

// Installs the emulator into the build tree once (a file lock keeps parallel tests apart).
// Returns an empty string on success, else why it could not.
std::string install_emulator() {
    fs::create_directories(kNodeDir);
    if (fs::exists(kNodeDir + "/node_modules/telegram-test-api/package.json")) return "";
    int lock = ::open((kNodeDir + "/.install.lock").c_str(), O_CREAT | O_RDWR, 0644);
    if (lock < 0) return "cannot create " + kNodeDir + "/.install.lock";
    ::flock(lock, LOCK_EX);
    std::string why;
    if (!fs::exists(kNodeDir + "/node_modules/telegram-test-api/package.json")) {
        for (const char* f : {"package.json", "package-lock.json"}) {
            fs::copy_file(std::string(LG_SOURCE_DIR) + "/tests/e2e/" + f, kNodeDir + "/" + f,
                          fs::copy_options::overwrite_existing);
        }
        std::string cmd = "npm ci --prefix '" + kNodeDir +
                          "' --no-audit --no-fund --loglevel=error > '" + kNodeDir +
                          "/npm-ci.log' 2>&1";
        if (std::system(cmd.c_str()) != 0) {
            why = "`npm ci` failed, see " + kNodeDir + "/npm-ci.log";
        }
    }
    ::flock(lock, LOCK_UN);
    ::close(lock);
    return why;
}

class TelegramTestApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string node = which("node");
        std::string problem;
        if (node.empty() || which("npm").empty()) {
            problem =
                "node and npm are needed for the telegram-test-api tests (apt-get install "
                "nodejs npm, or run scripts/setup)";
        } else {
            problem = install_emulator();
        }
        if (!problem.empty()) {
            if (ci()) FAIL() << problem;
            std::fprintf(stderr, "SKIPPING telegram-test-api e2e test: %s\n", problem.c_str());
            GTEST_SKIP() << problem;
        }
        dir_ = fs::path(::testing::TempDir()) /
               ("lg_e2e_tta_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
        std::ofstream(path("lambdagram.yaml")) << "# empty: defaults and environment only\n";
        emulator_ = e2e::Subprocess::start(
            {node, std::string(LG_SOURCE_DIR) + "/tests/e2e/telegram_emulator.js"},
            {{"NODE_PATH", kNodeDir + "/node_modules"}}, path("emulator.out"),
            path("emulator.err"));
        ASSERT_TRUE(emulator_) << "cannot start node";
        ASSERT_TRUE(e2e::wait_until(
            [&] { return e2e::read_file(path("emulator.out")).find('\n') != std::string::npos; },
            20s))
            << "the emulator did not start: " << e2e::read_file(path("emulator.err"));
        std::string line = e2e::read_file(path("emulator.out"));
        ASSERT_EQ(line.rfind("PORT ", 0), 0u) << line;
        port_ = std::stoi(line.substr(5));
        http_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    }

    void TearDown() override {
        if (bot_) {
            bot_->signal(SIGTERM);
            auto code = bot_->wait_for_exit(15s);
            EXPECT_EQ(code, std::optional<int>(0)) << bot_log();
        }
        if (emulator_) emulator_->signal(SIGTERM);
    }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::string bot_log() const { return e2e::read_file(path("bot.err")); }

    void start_bot(e2e::EnvVars extra = {}) {
        e2e::EnvVars env = {{"TELEGRAM_TOKEN", kToken},
                            {"TELEGRAM_API_URL", "http://127.0.0.1:" + std::to_string(port_)},
                            {"LAMBDAGRAM_LOG_LEVEL", "debug"}};
        env.insert(env.end(), extra.begin(), extra.end());
        bot_ = e2e::Subprocess::start({std::string(LG_BINARY_DIR) + "/lambdagram", "--config",
                                       path("lambdagram.yaml"), "poll"},
                                      env, path("bot.out"), path("bot.err"));
        ASSERT_TRUE(bot_);
    }

    // A user's message through the emulator's client API. chat_id < 0: a group.
    void user_says(int64_t chat_id, int64_t user_id, const std::string& text) {
        json chat = {{"id", chat_id}, {"type", chat_id < 0 ? "group" : "private"}};
        if (chat_id < 0) chat["title"] = "Test group";
        json msg = {
            {"botToken", kToken},
            {"date", std::time(nullptr)},
            {"text", text},
            {"from",
             {{"id", user_id}, {"is_bot", false}, {"first_name", "Ayse"}, {"username", "ayse"}}},
            {"chat", chat}};
        if (!text.empty() && text[0] == '/') {
            size_t end = text.find(' ');
            msg["entities"] =
                json::array({{{"type", "bot_command"},
                              {"offset", 0},
                              {"length", end == std::string::npos ? text.size() : end}}});
        }
        auto r = http_->Post("/sendMessage", msg.dump(), "application/json");
        ASSERT_TRUE(r) << "emulator unreachable";
        ASSERT_EQ(r->status, 200) << r->body;
    }

    // The bot's messages to `chat_id` not read before.
    std::vector<std::string> bot_messages(int64_t chat_id) {
        json req = {{"token", kToken}, {"chatId", chat_id}};
        auto r = http_->Post("/getUpdates", req.dump(), "application/json");
        std::vector<std::string> out;
        if (!r || r->status != 200) return out;
        json body = json::parse(r->body, nullptr, false);
        if (body.is_discarded() || !body.contains("result")) return out;
        for (const auto& item : body["result"]) {
            out.push_back(item["message"].value("text", std::string()));
        }
        return out;
    }

    // Waits for the bot's next message(s) to `chat_id`.
    std::vector<std::string> wait_for_reply(int64_t chat_id) {
        std::vector<std::string> got;
        e2e::wait_until(
            [&] {
                auto more = bot_messages(chat_id);
                got.insert(got.end(), more.begin(), more.end());
                return !got.empty();
            },
            20s);
        return got;
    }

    fs::path dir_;
    int port_ = 0;
    std::unique_ptr<e2e::Subprocess> emulator_;
    std::unique_ptr<e2e::Subprocess> bot_;
    std::unique_ptr<httplib::Client> http_;
};

TEST_F(TelegramTestApiTest, StartAndPrivateMessages) {
    start_bot();
    user_says(1001, 1001, "/start");
    auto start = wait_for_reply(1001);
    ASSERT_EQ(start.size(), 1u) << bot_log();
    EXPECT_NE(start[0].find("/help"), std::string::npos) << start[0];
    EXPECT_NE(start[0].find("Vecihi"), std::string::npos) << start[0];

    user_says(1001, 1001, "what time is it?");
    auto answer = wait_for_reply(1001);
    ASSERT_EQ(answer.size(), 1u) << bot_log();
    EXPECT_NE(answer[0].find("no model configured yet"), std::string::npos) << answer[0];
}

TEST_F(TelegramTestApiTest, EchoMode) {
    start_bot({{"ECHO_ENABLED", "true"}, {"BOT_NAME", "Echoer"}});
    user_says(1002, 1002, "merhaba dunya");
    auto echo = wait_for_reply(1002);
    ASSERT_EQ(echo.size(), 1u) << bot_log();
    EXPECT_EQ(echo[0], "Echoed: merhaba dunya");
}

TEST_F(TelegramTestApiTest, GroupMessageWithoutMentionGetsNoReply) {
    start_bot({{"ECHO_ENABLED", "true"}});
    user_says(-100500, 1003, "hello everyone");
    // The emulator's bot is @TestNameBot; updates are handled in order, so once the mention is
    // answered the plain message before it has been handled (silently) too.
    user_says(-100500, 1003, "@TestNameBot are you there?");
    auto replies = wait_for_reply(-100500);
    std::this_thread::sleep_for(300ms);
    auto late = bot_messages(-100500);
    replies.insert(replies.end(), late.begin(), late.end());
    ASSERT_EQ(replies.size(), 1u) << bot_log();
    EXPECT_EQ(replies[0], "Echoed: @TestNameBot are you there?");
}

// The assistant with the local engine on a tiny real-vocabulary model (random weights, so the
// words are gibberish): a private question gets a model answer, an unaddressed group message none.
TEST_F(TelegramTestApiTest, LocalModelAnswersPrivatelyAndStaysQuietInGroups) {
    std::string model = std::string(LG_SHARED_DIR) + "/reference/models/tiny-qwen2-q8_0.gguf";
    if (!fs::exists(model)) {
        const char* ci = std::getenv("CI");
        if (ci && std::string(ci) == "true") FAIL() << "CI=true but " << model << " is missing";
        std::printf("SKIPPED: %s is missing\n", model.c_str());
        GTEST_SKIP();
    }
    start_bot({{"LAMBDAGRAM_MODEL_BACKEND", "local"},
               {"LAMBDAGRAM_MODEL_PATH", model},
               {"LAMBDAGRAM_MODEL_MAX_TOKENS", "8"},
               {"LAMBDAGRAM_MODEL_TEMPERATURE", "0"},
               {"LAMBDAGRAM_STORE_PATH", path("bot.db")}});
    user_says(1004, 1004, "What is the capital of Turkey?");
    auto answer = wait_for_reply(1004);
    ASSERT_FALSE(answer.empty()) << bot_log();
    for (const auto& text : answer) {
        EXPECT_EQ(text.find("no model configured"), std::string::npos) << text;
        EXPECT_FALSE(text.empty());
    }

    user_says(-100600, 1004, "just chatting among ourselves");
    user_says(-100600, 1004, "/help@TestNameBot");
    auto replies = wait_for_reply(-100600);
    std::this_thread::sleep_for(300ms);
    auto late = bot_messages(-100600);
    replies.insert(replies.end(), late.begin(), late.end());
    ASSERT_EQ(replies.size(), 1u) << bot_log();
    EXPECT_NE(replies[0].find("/help"), std::string::npos) << replies[0];
}

}  // namespace
