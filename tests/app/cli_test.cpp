// The lambdagram command line: the built binary for --help/--version/config check, and run_cli
// in-process (string streams, fake environment) for the webhook commands against the fake Bot API.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/context.h"
#include "app/webhook_text.h"
#include "support/fake_bot_api.h"

namespace {

struct BinaryRun {
    int code = -1;
    std::string output;  // stdout and stderr together
};

// Runs the built binary through the shell in an empty temporary directory (so no
// lambdagram.yaml is picked up), with `env` prefixed as VAR=value assignments.
BinaryRun run_binary(const std::string& args, const std::string& env = "") {
    auto dir = std::filesystem::path(::testing::TempDir()) / "lambdagram_cli_test";
    std::filesystem::create_directories(dir);
    std::string cmd = "cd '" + dir.string() + "' && env -u TELEGRAM_TOKEN -u BOT_NAME " + env +
                      " '" + LG_BINARY_DIR "/lambdagram' " + args + " 2>&1";
    BinaryRun r;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
    int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

TEST(BinaryTest, HelpDescribesEverySubcommand) {
    BinaryRun r = run_binary("--help");
    EXPECT_EQ(r.code, 0) << r.output;
    for (const char* s : {"poll", "console", "config", "webhook", "--config", "--set", "--version",
                          "long polling", "Bot API call"}) {
        EXPECT_NE(r.output.find(s), std::string::npos) << s << "\n" << r.output;
    }
    BinaryRun webhook = run_binary("webhook --help");
    EXPECT_EQ(webhook.code, 0);
    for (const char* s : {"set", "info", "delete", "last error"}) {
        EXPECT_NE(webhook.output.find(s), std::string::npos) << s << "\n" << webhook.output;
    }
    BinaryRun set = run_binary("webhook set --help");
    for (const char* s : {"--url", "--secret", "--drop-pending", "--max-connections"}) {
        EXPECT_NE(set.output.find(s), std::string::npos) << s << "\n" << set.output;
    }
    BinaryRun config = run_binary("config --help");
    EXPECT_NE(config.output.find("check"), std::string::npos);
}

TEST(BinaryTest, VersionPrintsTheProjectVersion) {
    BinaryRun r = run_binary("--version");
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.output.rfind("lambdagram 0.", 0), 0u) << r.output;
}

TEST(BinaryTest, NoSubcommandIsAUsageError) {
    BinaryRun r = run_binary("");
    EXPECT_EQ(r.code, 2);
    BinaryRun bad = run_binary("frobnicate");
    EXPECT_EQ(bad.code, 2);
}

TEST(BinaryTest, ConfigCheckPrintsEffectiveConfigWithSecretsMasked) {
    BinaryRun r = run_binary("config check --set bot.echo=true",
                             "TELEGRAM_TOKEN=123456789:AAsecretsecretsecretsecretsecret12345 "
                             "LAMBDAGRAM_MODEL_MAX_TOKENS=64");
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_EQ(r.output.find("secretsecret"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("***  [env TELEGRAM_TOKEN]"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("64  [env LAMBDAGRAM_MODEL_MAX_TOKENS]"), std::string::npos);
    EXPECT_NE(r.output.find("true  [flag --set]"), std::string::npos);
    EXPECT_NE(r.output.find("config: ok"), std::string::npos);
}

TEST(BinaryTest, ConfigCheckFailsWithTheErrors) {
    BinaryRun r = run_binary("config check", "LAMBDAGRAM_MODEL_TEMPERATURE=hot");
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("config: model.temperature = \"hot\" (from env "
                            "LAMBDAGRAM_MODEL_TEMPERATURE) is not a number between 0 and 2"),
              std::string::npos)
        << r.output;
    BinaryRun missing = run_binary("config check --config nowhere.yaml");
    EXPECT_EQ(missing.code, 2);
    EXPECT_NE(missing.output.find("nowhere.yaml does not exist"), std::string::npos);
}

TEST(BinaryTest, ConfigKeysListsTheTable) {
    BinaryRun r = run_binary("config keys --markdown");
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.output.find("| `model.path` | string |"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("LAMBDAGRAM_MODEL_PATH"), std::string::npos);
    EXPECT_NE(r.output.find("TELEGRAM_TOKEN"), std::string::npos);
}

TEST(BinaryTest, PollWithoutTokenExplainsWhatToSet) {
    BinaryRun r = run_binary("poll");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.output.find("TELEGRAM_TOKEN"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("lambdagram console"), std::string::npos) << r.output;
}

TEST(BinaryTest, ConsoleReadsAPipe) {
    BinaryRun r = run_binary("console < /dev/null");
    EXPECT_EQ(r.code, 0) << r.output;
    BinaryRun hello = run_binary("console <<'EOF'\n/start\nhello\nEOF\n", "ECHO_ENABLED=true");
    EXPECT_EQ(hello.code, 0) << hello.output;
    EXPECT_NE(hello.output.find("| Echoed: hello"), std::string::npos) << hello.output;
}

// The engine and cost subcommands, through the real binary. Reference files are optional
// outside CI (README of ../shared/reference): say so in one line and skip; under CI=true fail.
bool have_reference(const std::string& sub) {
    if (std::filesystem::exists(std::string(LG_SHARED_DIR) + "/reference/" + sub)) return true;
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") {
        ADD_FAILURE() << "CI=true but " << LG_SHARED_DIR << "/reference/" << sub << " is missing";
    } else {
        std::printf("SKIPPED: %s/reference/%s is missing\n", LG_SHARED_DIR, sub.c_str());
    }
    return false;
}

TEST(BinaryTest, CostPrintsThePublishedScenarioAsJson) {
    BinaryRun r = run_binary("cost --messages 5000 --memory-mb 5632 --duration-s 60 --json");
    ASSERT_EQ(r.code, 0) << r.output;
    auto j = nlohmann::json::parse(r.output, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << r.output;
    EXPECT_EQ(j["lambda"]["free_tier_messages"], 1212);
    EXPECT_NEAR(j["lambda"]["gb_seconds"].get<double>(), 5000 * 5.5 * 60, 1e-6);
    EXPECT_NEAR(j["lambda"]["monthly_cost_usd"].get<double>(), 20.83, 0.01);
    EXPECT_TRUE(j["api"].contains("tokens"));
    EXPECT_TRUE(j["api"].contains("monthly_cost_usd"));
}

TEST(BinaryTest, TokenizeReadsStdinLikeTheReferenceFiles) {
    if (!have_reference("vocab")) GTEST_SKIP();
    std::string vocab = std::string(LG_SHARED_DIR) + "/reference/vocab/ggml-vocab-qwen2.gguf";
    auto input = [](const std::string& name, const std::string& text) {
        auto path = std::filesystem::path(::testing::TempDir()) / name;
        std::ofstream(path, std::ios::binary) << text;  // no trailing newline: bytes as given
        return " < '" + path.string() + "'";
    };
    BinaryRun r = run_binary("tokenize --model '" + vocab + "'" + input("hello.txt", "Hello world"));
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_EQ(r.output, "9707 1879\n");
    BinaryRun special =
        run_binary("tokenize --json --model '" + vocab + "'" + input("eot.txt", "<|im_end|>"));
    EXPECT_EQ(special.code, 0) << special.output;
    EXPECT_EQ(special.output.find("151645"), std::string::npos) << special.output;
}

TEST(BinaryTest, ModelInfoDescribesAReferenceModel) {
    if (!have_reference("models")) GTEST_SKIP();
    std::string model = std::string(LG_SHARED_DIR) + "/reference/models/tiny-spm-q4_k_m.gguf";
    BinaryRun r = run_binary("model info '" + model + "'");
    EXPECT_EQ(r.code, 0) << r.output;
    for (const char* s : {"llama", "Q4_K", "Q6_K"}) {
        EXPECT_NE(r.output.find(s), std::string::npos) << s << "\n" << r.output;
    }
    BinaryRun missing = run_binary("model info /nonexistent.gguf");
    EXPECT_NE(missing.code, 0);
    EXPECT_NE(missing.output.find("/nonexistent.gguf"), std::string::npos) << missing.output;
}

TEST(BinaryTest, AskAndClassifyWithTheLocalEngine) {
    if (!have_reference("models")) GTEST_SKIP();
    std::string model = std::string(LG_SHARED_DIR) + "/reference/models/tiny-qwen2-q8_0.gguf";
    BinaryRun ask = run_binary("--set model.max_tokens=5 --set model.temperature=0 ask --backend "
                               "local --model '" + model + "' 'Who are you?'");
    EXPECT_EQ(ask.code, 0) << ask.output;
    EXPECT_NE(ask.output.find("5 completion tokens"), std::string::npos) << ask.output;
    EXPECT_NE(ask.output.find("finish length"), std::string::npos) << ask.output;

    BinaryRun cls = run_binary("classify --backend local --model '" + model +
                               "' --labels safe,unsafe 'hello there' 2>/dev/null");
    ASSERT_EQ(cls.code, 0) << cls.output;
    auto j = nlohmann::json::parse(cls.output, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << cls.output;
    double sum = j["labels"]["safe"].get<double>() + j["labels"]["unsafe"].get<double>();
    EXPECT_NEAR(sum, 1.0, 1e-6);
    EXPECT_TRUE(j["top"] == "safe" || j["top"] == "unsafe");

    BinaryRun none = run_binary("ask 'hi'");
    EXPECT_EQ(none.code, 2) << none.output;
    EXPECT_NE(none.output.find("no model configured"), std::string::npos) << none.output;
}

// --- webhook, in-process, against the fake Bot API -----------------------------------------

class WebhookTest : public ::testing::Test {
protected:
    int run(std::vector<std::string> args) {
        out_.str("");
        err_.str("");
        app::AppContext ctx;
        ctx.out = &out_;
        ctx.err = &err_;
        std::map<std::string, std::string> env = {{"TELEGRAM_TOKEN", tg_.token()},
                                                  {"TELEGRAM_API_URL", tg_.url()}};
        ctx.env = [env](const std::string& n) -> std::optional<std::string> {
            auto it = env.find(n);
            if (it == env.end()) return std::nullopt;
            return it->second;
        };
        ctx.global.config_path = ::testing::TempDir() + "/no_such_lambdagram.yaml";
        args.insert(args.begin(), "lambdagram");
        std::vector<const char*> argv;
        for (const auto& a : args) argv.push_back(a.c_str());
        return app::run_cli(static_cast<int>(argv.size()), argv.data(), ctx);
    }

    test_support::FakeBotApi tg_;
    std::ostringstream out_;
    std::ostringstream err_;
};

TEST_F(WebhookTest, SetWithAutoSecretPrintsItOnceForTheFunction) {
    ASSERT_EQ(run({"webhook", "set", "--url", "https://example.org/hook", "--secret", "auto",
                   "--drop-pending", "--max-connections", "5"}),
              0)
        << err_.str();
    auto calls = tg_.calls("setWebhook");
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].params["url"], "https://example.org/hook");
    EXPECT_EQ(calls[0].params["drop_pending_updates"], true);
    EXPECT_EQ(calls[0].params["max_connections"], 5);
    std::string secret = calls[0].params["secret_token"].get<std::string>();
    EXPECT_EQ(secret.size(), 43u);
    EXPECT_NE(out_.str().find("TELEGRAM_WEBHOOK_SECRET=" + secret + "\n"), std::string::npos)
        << out_.str();
    EXPECT_EQ(tg_.webhook_url(), "https://example.org/hook");
}

TEST_F(WebhookTest, SetRejectsPlainHttpAndBadSecrets) {
    EXPECT_EQ(run({"webhook", "set", "--url", "http://example.org/hook"}), 2);
    EXPECT_NE(err_.str().find("https://"), std::string::npos);
    EXPECT_EQ(run({"webhook", "set", "--url", "https://example.org/hook", "--secret", "a b"}), 2);
    EXPECT_NE(err_.str().find("not a valid webhook secret"), std::string::npos) << err_.str();
    EXPECT_EQ(run({"webhook", "set"}), 2);  // --url is required
    EXPECT_EQ(tg_.call_count("setWebhook"), 0u);
}

TEST_F(WebhookTest, SetWithGivenSecretDoesNotPrintIt) {
    ASSERT_EQ(run({"webhook", "set", "--url", "https://example.org/h", "--secret", "s3cr3t_value"}),
              0);
    EXPECT_EQ(out_.str().find("s3cr3t_value"), std::string::npos);
    EXPECT_EQ(tg_.calls("setWebhook")[0].params["secret_token"], "s3cr3t_value");
}

TEST_F(WebhookTest, InfoAndDelete) {
    ASSERT_EQ(run({"webhook", "info"}), 0) << err_.str();
    EXPECT_NE(out_.str().find("url: (none"), std::string::npos) << out_.str();
    EXPECT_NE(out_.str().find("pending updates: 0"), std::string::npos);
    ASSERT_EQ(run({"webhook", "set", "--url", "https://example.org/x"}), 0);
    ASSERT_EQ(run({"webhook", "info"}), 0);
    EXPECT_NE(out_.str().find("url: https://example.org/x"), std::string::npos);
    ASSERT_EQ(run({"webhook", "delete", "--drop-pending"}), 0);
    EXPECT_EQ(tg_.webhook_url(), "");
    EXPECT_EQ(tg_.calls("deleteWebhook")[0].params["drop_pending_updates"], true);
}

TEST_F(WebhookTest, TelegramErrorsAreReportedWithoutTheToken) {
    test_support::Fault fault;
    fault.kind = test_support::FaultKind::Unauthorized;
    tg_.fail_next("getWebhookInfo", fault, 1);
    EXPECT_EQ(run({"webhook", "info"}), 1);
    EXPECT_NE(err_.str().find("getWebhookInfo failed"), std::string::npos) << err_.str();
    EXPECT_EQ(err_.str().find(tg_.token()), std::string::npos);
}

TEST(WebhookTextTest, SecretsAreRandomAndUrlSafe) {
    auto a = app::generate_webhook_secret();
    auto b = app::generate_webhook_secret();
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
    EXPECT_EQ(a->size(), 43u);
    for (char c : *a) {
        EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
    }
}

TEST(WebhookTextTest, LastErrorInPlainWords) {
    telegram::WebhookInfo info;
    info.url = "https://example.org/hook";
    info.pending_update_count = 3;
    info.last_error_date = 1000;
    info.last_error_message = "Connection refused";
    std::string s = app::describe_webhook_info(info, 1000 + 300);
    EXPECT_NE(s.find("pending updates: 3"), std::string::npos);
    EXPECT_NE(s.find("last error: 5 minutes ago: \"Connection refused\" (nothing accepts "
                     "connections"),
              std::string::npos)
        << s;
    EXPECT_EQ(app::time_ago(0, 30), "just now");
    EXPECT_EQ(app::time_ago(0, 3600), "1 hour ago");
    EXPECT_EQ(app::time_ago(0, 2 * 86400), "2 days ago");
    EXPECT_NE(app::explain_webhook_error("Wrong response from the webhook: 502 Bad Gateway")
                  .find("answered with an error"),
              std::string::npos);
}

}  // namespace

namespace {

TEST(DocsTest, ConfigurationDocHasTheGeneratedKeyTable) {
    std::ostringstream out, err;
    app::AppContext ctx;
    ctx.out = &out;
    ctx.err = &err;
    const char* argv[] = {"lambdagram", "config", "keys", "--markdown"};
    ASSERT_EQ(app::run_cli(4, argv, ctx), 0);
    std::ifstream doc(std::string(LG_SOURCE_DIR) + "/docs/configuration.md");
    std::stringstream text;
    text << doc.rdbuf();
    EXPECT_NE(text.str().find(out.str()), std::string::npos)
        << "docs/configuration.md is out of date: paste in the output of "
           "`lambdagram config keys --markdown`:\n"
        << out.str();
}

}  // namespace
