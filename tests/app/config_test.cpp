#include "core/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "app/config_loader.h"

namespace {

using Env = std::map<std::string, std::string>;

app::EnvLookup env_of(Env env) {
    return [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    };
}

// Writes `text` to a fresh file in the test's temp dir and returns its path.
std::string write_yaml(const std::string& text) {
    static int n = 0;
    auto path = std::filesystem::path(::testing::TempDir()) /
                ("lambdagram_config_test_" + std::to_string(::getpid()) + "_" +
                 std::to_string(n++) + ".yaml");
    std::ofstream(path) << text;
    return path.string();
}

app::LoadedConfig load(std::optional<std::string> file, Env env = {},
                       std::vector<app::FlagValue> flags = {}) {
    app::ConfigRequest req;
    req.file = std::move(file);
    req.env = env_of(std::move(env));
    req.flags = std::move(flags);
    return app::load_config(req);
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += s + "\n";
    return out;
}

TEST(ConfigKeysTest, DefaultsAreValidAndMatchTheStructs) {
    core::Config fresh;
    core::Config def = core::default_config();
    for (const auto& k : core::config_keys()) {
        core::Config scratch;
        EXPECT_FALSE(k.apply(k.default_value, scratch).has_value()) << k.name;
        EXPECT_EQ(k.get(def), k.default_value) << k.name;
        EXPECT_FALSE(k.help.empty()) << k.name;
    }
    EXPECT_EQ(def.bot.name, "Vecihi");
    EXPECT_EQ(def.bot.location, "Istanbul/Turkey");
    EXPECT_EQ(def.model.max_tokens, 100);
    EXPECT_EQ(def.bot.handler_timeout_s, 50);
    EXPECT_EQ(def.telegram.poll_timeout_s, 30);
    EXPECT_EQ(def.telegram.api_url, "https://api.telegram.org");
    EXPECT_EQ(fresh.bot.name, def.bot.name);
    EXPECT_EQ(fresh.model.temperature, def.model.temperature);
}

TEST(ConfigKeysTest, DefaultPromptIsAMistralTemplateWithEveryPlaceholder) {
    std::string p = core::default_config().bot.prompt_template;
    EXPECT_NE(p.find("[INST]"), std::string::npos);
    EXPECT_NE(p.find("[/INST]"), std::string::npos);
    for (const char* ph :
         {"{bot_name}", "{date}", "{time}", "{location}", "{context}", "{question}"}) {
        EXPECT_NE(p.find(ph), std::string::npos) << ph;
    }
    EXPECT_NE(p.find("You respect anyone and expect to be respected."), std::string::npos);
    EXPECT_NE(p.find("You do not like vulgar language"), std::string::npos);
    EXPECT_NE(p.find("realtime data"), std::string::npos);
}

TEST(ConfigKeysTest, EnvNamesFollowTheKeyNames) {
    EXPECT_EQ(core::find_config_key("model.path")->env_name(), "LAMBDAGRAM_MODEL_PATH");
    EXPECT_EQ(core::find_config_key("bot.handler_timeout_s")->env_name(),
              "LAMBDAGRAM_BOT_HANDLER_TIMEOUT_S");
    std::map<std::string, std::string> legacy = {
        {"TELEGRAM_TOKEN", "telegram.token"},
        {"BOT_NAME", "bot.name"},
        {"BOT_LOCATION", "bot.location"},
        {"CTX_FILE_URL", "bot.context_file_url"},
        {"ECHO_ENABLED", "bot.echo"},
        {"OPENAI_API_KEY", "openai.api_key"},
        {"OPENAI_BASE_URL", "openai.base_url"},
        {"TELEGRAM_API_URL", "telegram.api_url"},
        {"TELEGRAM_WEBHOOK_SECRET", "telegram.webhook_secret"},
    };
    for (const auto& [env, key] : legacy) {
        auto names = core::find_config_key(key)->env_names();
        EXPECT_NE(std::find(names.begin(), names.end(), env), names.end()) << env;
        EXPECT_EQ(names.front(), core::find_config_key(key)->env_name()) << key;
    }
    // Every key is settable through LAMBDAGRAM_*.
    for (const auto& k : core::config_keys()) {
        auto lc =
            load(std::nullopt, {{k.env_name(), k.default_value.empty() ? "" : k.default_value}});
        EXPECT_TRUE(lc.ok()) << k.name << ": " << joined(lc.errors);
    }
}

TEST(ConfigKeysTest, SecretsAreMarked) {
    for (const char* k : {"telegram.token", "openai.api_key", "telegram.webhook_secret"}) {
        EXPECT_TRUE(core::find_config_key(k)->secret) << k;
    }
    EXPECT_FALSE(core::find_config_key("bot.name")->secret);
}

TEST(ConfigLoadTest, LayersFileThenEnvThenFlags) {
    std::string file = write_yaml("bot:\n  name: FromFile\n  location: Ankara\n");
    auto only_file = load(file);
    ASSERT_TRUE(only_file.ok()) << joined(only_file.errors);
    EXPECT_EQ(only_file.config.bot.name, "FromFile");
    EXPECT_EQ(only_file.origins["bot.name"].describe(), "file " + file + " line 2");
    EXPECT_EQ(only_file.origins["bot.echo"].describe(), "default");

    auto with_env = load(file, {{"BOT_NAME", "FromEnv"}});
    EXPECT_EQ(with_env.config.bot.name, "FromEnv");
    EXPECT_EQ(with_env.config.bot.location, "Ankara");  // untouched keys keep the file's value
    EXPECT_EQ(with_env.origins["bot.name"].describe(), "env BOT_NAME");

    auto with_flag = load(file, {{"BOT_NAME", "FromEnv"}}, {{"bot.name", "FromFlag", "--set"}});
    EXPECT_EQ(with_flag.config.bot.name, "FromFlag");
    EXPECT_EQ(with_flag.origins["bot.name"].describe(), "flag --set");
}

TEST(ConfigLoadTest, LambdagramNameBeatsThePythonBotsName) {
    auto lc = load(std::nullopt, {{"BOT_NAME", "Old"}, {"LAMBDAGRAM_BOT_NAME", "New"}});
    EXPECT_EQ(lc.config.bot.name, "New");
    EXPECT_EQ(lc.origins["bot.name"].describe(), "env LAMBDAGRAM_BOT_NAME");
}

TEST(ConfigLoadTest, EmptyEnvironmentVariableCountsAsUnset) {
    std::string file = write_yaml("bot:\n  name: FromFile\n");
    auto lc = load(file, {{"BOT_NAME", ""}});
    EXPECT_EQ(lc.config.bot.name, "FromFile");
}

TEST(ConfigLoadTest, ParsesEveryType) {
    auto lc = load(std::nullopt, {{"ECHO_ENABLED", "True"},
                                  {"LAMBDAGRAM_MODEL_TEMPERATURE", "1.5"},
                                  {"LAMBDAGRAM_MODEL_MAX_TOKENS", "256"},
                                  {"LAMBDAGRAM_MODEL_BACKEND", "local"},
                                  {"LAMBDAGRAM_MODEL_PATH", "/models/m.gguf"},
                                  {"TELEGRAM_TOKEN", "123456:ABC-def_ghi"},
                                  {"LAMBDAGRAM_LOG_FORMAT", "json"}});
    ASSERT_TRUE(lc.ok()) << joined(lc.errors);
    EXPECT_TRUE(lc.config.bot.echo);
    EXPECT_DOUBLE_EQ(lc.config.model.temperature, 1.5);
    EXPECT_EQ(lc.config.model.max_tokens, 256);
    EXPECT_EQ(lc.config.model.backend, core::ModelBackend::Local);
    EXPECT_EQ(lc.config.telegram.token, "123456:ABC-def_ghi");
    EXPECT_EQ(lc.config.log.format, "json");
}

struct BadValue {
    const char* key;
    const char* value;
    const char* reason;
};

TEST(ConfigLoadTest, EveryValidatorNamesKeyValueOriginAndFix) {
    const BadValue cases[] = {
        {"bot.name", " ", "is empty"},
        {"bot.prompt_template", "no question here", "has no {question} placeholder"},
        {"bot.prompt_template", "{question} {weather}", "has an unknown placeholder {weather}"},
        {"bot.echo", "maybe", "is not true or false"},
        {"bot.handler_timeout_s", "0", "is not a whole number between 1 and 900"},
        {"bot.handler_timeout_s", "5s", "is not a whole number between 1 and 900"},
        {"bot.context_file_url", "ftp://x", "is not a URL"},
        {"model.backend", "gpu", "is not one of local, openai, none"},
        {"model.temperature", "hot", "is not a number between 0 and 2"},
        {"model.temperature", "2.5", "is not a number between 0 and 2"},
        {"model.top_p", "0", "is not a number above 0 and 1"},
        {"model.max_tokens", "-1", "is not a whole number between 1 and 32768"},
        {"openai.base_url", "localhost:8080", "is not a URL"},
        {"telegram.api_url", "", "is not a URL"},
        {"telegram.poll_timeout_s", "10", "is not a whole number between 25 and 50"},
        {"telegram.poll_timeout_s", "51", "is not a whole number between 25 and 50"},
        {"log.level", "verbose", "is not one of debug, info, warn, error, off"},
        {"log.format", "xml", "is not one of text, json"},
    };
    for (const auto& c : cases) {
        // Through a flag (an empty value cannot come from the environment).
        auto lc = load(std::nullopt, {}, {{c.key, c.value, "--set"}});
        ASSERT_EQ(lc.errors.size(), 1u) << c.key << "=" << c.value << ": " << joined(lc.errors);
        std::string want = std::string("config: ") + c.key + " = \"" + c.value +
                           "\" (from flag --set) " + c.reason;
        EXPECT_EQ(lc.errors[0].rfind(want, 0), 0u) << lc.errors[0] << "\nwant: " << want;
        EXPECT_EQ(lc.invalid.count(c.key), 1u);
    }
    auto env = load(std::nullopt, {{"LAMBDAGRAM_MODEL_TEMPERATURE", "hot"}});
    ASSERT_EQ(env.errors.size(), 1u);
    EXPECT_EQ(env.errors[0],
              "config: model.temperature = \"hot\" (from env LAMBDAGRAM_MODEL_TEMPERATURE) is not "
              "a number between 0 and 2");
    std::string file = write_yaml("model:\n  max_tokens: lots\n");
    auto from_file = load(file);
    ASSERT_EQ(from_file.errors.size(), 1u);
    EXPECT_NE(from_file.errors[0].find("(from file " + file + " line 2)"), std::string::npos)
        << from_file.errors[0];
}

TEST(ConfigLoadTest, InvalidSecretsAreNeverEchoed) {
    auto lc = load(std::nullopt, {{"TELEGRAM_TOKEN", "my secret token"},
                                  {"TELEGRAM_WEBHOOK_SECRET", "has spaces and !"}});
    ASSERT_EQ(lc.errors.size(), 2u) << joined(lc.errors);
    EXPECT_NE(lc.errors[0].find("config: telegram.token = *** (from env TELEGRAM_TOKEN) is not a "
                                "bot token"),
              std::string::npos)
        << lc.errors[0];
    EXPECT_EQ(joined(lc.errors).find("my secret"), std::string::npos);
    EXPECT_EQ(joined(lc.errors).find("has spaces"), std::string::npos);
    std::string shown = app::format_effective_config(lc);
    EXPECT_EQ(shown.find("my secret"), std::string::npos);
    EXPECT_NE(shown.find("*** (invalid)"), std::string::npos) << shown;
}

TEST(ConfigLoadTest, UnknownKeysSuggestTheClosestOne) {
    std::string file =
        write_yaml("bot:\n  nmae: X\nmodle:\n  temperature: 1\ntoken: x\nzzz:\n  qqq: 1\n");
    auto lc = load(file);
    std::string all = joined(lc.errors);
    EXPECT_NE(all.find("config: unknown key bot.nmae (in file " + file +
                       " line 2): did you mean bot.name?"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("unknown key modle.temperature (in file " + file +
                       " line 4): did you mean model.temperature?"),
              std::string::npos)
        << all;
    EXPECT_NE(
        all.find("unknown key token (in file " + file + " line 5): did you mean telegram.token?"),
        std::string::npos)
        << all;
    EXPECT_NE(all.find("unknown key zzz.qqq (in file " + file +
                       " line 7): `lambdagram config keys` lists every key"),
              std::string::npos)
        << all;

    auto flag = load(std::nullopt, {}, {{"model.temprature", "1", "--set"}});
    ASSERT_EQ(flag.errors.size(), 1u);
    EXPECT_EQ(flag.errors[0],
              "config: unknown key model.temprature (in flag --set): did you mean "
              "model.temperature?");
}

TEST(ConfigLoadTest, DottedKeysAtTheTopLevelWork) {
    std::string file = write_yaml("bot.name: Dotted\n");
    auto lc = load(file);
    ASSERT_TRUE(lc.ok()) << joined(lc.errors);
    EXPECT_EQ(lc.config.bot.name, "Dotted");
}

TEST(ConfigLoadTest, BrokenFilesAreExplained) {
    auto bad_yaml = load(write_yaml("bot:\n  name: [unclosed\n"));
    ASSERT_FALSE(bad_yaml.ok());
    EXPECT_NE(bad_yaml.errors[0].find("is not valid YAML"), std::string::npos);

    auto list_root = load(write_yaml("- a\n- b\n"));
    ASSERT_FALSE(list_root.ok());
    EXPECT_NE(list_root.errors[0].find("must be a map of sections"), std::string::npos);

    auto list_value = load(write_yaml("bot:\n  name:\n    - a\n"));
    ASSERT_FALSE(list_value.ok());
    EXPECT_NE(list_value.errors[0].find("bot.name (in file"), std::string::npos);
    EXPECT_NE(list_value.errors[0].find("is a list, not a single value"), std::string::npos);

    EXPECT_TRUE(load(write_yaml("")).ok());
}

TEST(ConfigLoadTest, MissingFileIsAnErrorOnlyWhenAskedFor) {
    std::string missing = ::testing::TempDir() + "/surely_missing_lambdagram.yaml";
    EXPECT_TRUE(load(missing).ok());
    app::ConfigRequest req;
    req.file = missing;
    req.file_required = true;
    auto lc = app::load_config(req);
    ASSERT_EQ(lc.errors.size(), 1u);
    EXPECT_NE(lc.errors[0].find("does not exist"), std::string::npos);
}

TEST(ConfigLoadTest, CrossKeyChecks) {
    auto local = load(std::nullopt, {{"LAMBDAGRAM_MODEL_BACKEND", "local"}});
    ASSERT_EQ(local.errors.size(), 1u);
    EXPECT_NE(local.errors[0].find("model.path"), std::string::npos);
    auto openai = load(std::nullopt, {{"LAMBDAGRAM_MODEL_BACKEND", "openai"}});
    EXPECT_EQ(openai.errors.size(), 2u) << joined(openai.errors);
    auto fine = load(std::nullopt, {{"LAMBDAGRAM_MODEL_BACKEND", "openai"},
                                    {"OPENAI_API_KEY", "sk-test-123456"},
                                    {"LAMBDAGRAM_MODEL_NAME", "gpt-4o-mini"}});
    EXPECT_TRUE(fine.ok()) << joined(fine.errors);
}

TEST(ConfigLoadTest, SetFlagsParse) {
    std::vector<std::string> errors;
    auto flags = app::parse_set_flags({"bot.echo=true", "bot.name = A=B", "oops", "=x"}, &errors);
    ASSERT_EQ(flags.size(), 2u);
    EXPECT_EQ(flags[0].key, "bot.echo");
    EXPECT_EQ(flags[0].value, "true");
    EXPECT_EQ(flags[1].key, "bot.name");
    EXPECT_EQ(flags[1].value, " A=B");
    EXPECT_EQ(errors.size(), 2u);
    EXPECT_EQ(joined(errors).find("oops"), std::string::npos);  // could be a misplaced secret
}

TEST(ConfigCheckTest, ShowsEveryKeyWithSourceAndMasksSecrets) {
    auto lc =
        load(std::nullopt, {{"TELEGRAM_TOKEN", "123456789:AAverysecretvalue_12345678901234567"},
                            {"OPENAI_API_KEY", "sk-supersecret"},
                            {"BOT_NAME", "Ada"}});
    ASSERT_TRUE(lc.ok()) << joined(lc.errors);
    std::string shown = app::format_effective_config(lc);
    for (const auto& k : core::config_keys()) {
        EXPECT_NE(shown.find(k.name), std::string::npos) << k.name;
    }
    EXPECT_EQ(shown.find("verysecret"), std::string::npos);
    EXPECT_EQ(shown.find("supersecret"), std::string::npos);
    EXPECT_NE(shown.find("***  [env TELEGRAM_TOKEN]"), std::string::npos) << shown;
    EXPECT_NE(shown.find("***  [env OPENAI_API_KEY]"), std::string::npos) << shown;
    EXPECT_NE(shown.find("Ada  [env BOT_NAME]"), std::string::npos) << shown;
    EXPECT_NE(shown.find("(empty)  [default]"), std::string::npos) << shown;
}

TEST(ConfigKeysTest, SuggestionsNeedToBeClose) {
    EXPECT_EQ(core::suggest_config_key("bot.nam"), std::optional<std::string>("bot.name"));
    EXPECT_EQ(core::suggest_config_key("telegram.tokn"),
              std::optional<std::string>("telegram.token"));
    EXPECT_FALSE(core::suggest_config_key("completely.different"));
}

}  // namespace

namespace {

TEST(ConfigDocsTest, ExampleFileHoldsEveryDefault) {
    auto lc = load(std::string(LG_SOURCE_DIR) + "/examples/lambdagram.yaml");
    ASSERT_TRUE(lc.ok()) << joined(lc.errors);
    core::Config def = core::default_config();
    for (const auto& k : core::config_keys()) {
        EXPECT_EQ(k.get(lc.config), k.get(def)) << k.name;
        // Secrets belong in the environment; every other key is spelled out in the example.
        if (k.secret) continue;
        auto origin = lc.origins.find(k.name);
        ASSERT_NE(origin, lc.origins.end()) << k.name;
        EXPECT_EQ(origin->second.source, app::ConfigSource::File)
            << k.name << " is missing from examples/lambdagram.yaml";
    }
}

}  // namespace

namespace {

TEST(ConfigLoadTest, UnknownLambdagramVariablesWarn) {
    app::ConfigRequest req;
    req.lambdagram_env_names = {"LAMBDAGRAM_MODEL_TEMPRATURE", "LAMBDAGRAM_BOT_NAME",
                                "LAMBDAGRAM_ZZZ"};
    auto lc = app::load_config(req);
    EXPECT_TRUE(lc.ok());
    ASSERT_EQ(lc.warnings.size(), 2u) << joined(lc.warnings);
    EXPECT_EQ(lc.warnings[0],
              "config: the environment variable LAMBDAGRAM_MODEL_TEMPRATURE sets no key "
              "(ignored): did you mean LAMBDAGRAM_MODEL_TEMPERATURE?");
    EXPECT_EQ(lc.warnings[1],
              "config: the environment variable LAMBDAGRAM_ZZZ sets no key (ignored)");
}

}  // namespace
