#include "core/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/strings.h"

namespace core {

const char* const kDefaultPromptTemplate =
    "<s>[INST] You are {bot_name}, a friendly chatbot who lives in {location}. "
    "Today is {date} and the time is {time}. "
    "You answer questions politely, briefly and truthfully, in the language of the question. "
    "You respect anyone and expect to be respected. "
    "You do not like vulgar language and you do not use it. "
    "You do not have access to realtime data such as news, weather, prices or sports results: "
    "when asked for them, say so instead of guessing. "
    "When you do not know an answer, say that you do not know.\n\n"
    "This context may help you answer:\n{context}\n\n"
    "Question: {question} [/INST]";

const char* config_type_name(ConfigType type) {
    switch (type) {
        case ConfigType::String:
            return "string";
        case ConfigType::Int:
            return "integer";
        case ConfigType::Number:
            return "number";
        case ConfigType::Bool:
            return "boolean";
        case ConfigType::Choice:
            return "choice";
        case ConfigType::Url:
            return "url";
    }
    return "?";
}

const char* model_backend_name(ModelBackend backend) {
    switch (backend) {
        case ModelBackend::None:
            return "none";
        case ModelBackend::Local:
            return "local";
        case ModelBackend::OpenAi:
            return "openai";
    }
    return "?";
}

std::string ConfigKey::env_name() const {
    std::string out = "LAMBDAGRAM_";
    for (char c : name) {
        if (c == '.') {
            out += '_';
        } else if (c >= 'a' && c <= 'z') {
            out += static_cast<char>(c - 'a' + 'A');
        } else {
            out += c;
        }
    }
    return out;
}

std::vector<std::string> ConfigKey::env_names() const {
    std::vector<std::string> out{env_name()};
    out.insert(out.end(), extra_env.begin(), extra_env.end());
    return out;
}

namespace {

using Why = std::optional<std::string>;

// --- parsers: each returns the value, or nullopt when the text is not of that type ---

std::optional<long long> parse_int(std::string_view text) {
    text = trim(text);
    long long v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
    return v;
}

std::optional<double> parse_number(std::string_view text) {
    text = trim(text);
    double v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
    return v;
}

std::optional<bool> parse_bool(std::string_view text) {
    std::string t = to_lower_ascii(trim(text));
    if (t == "true" || t == "yes" || t == "on" || t == "1") return true;
    if (t == "false" || t == "no" || t == "off" || t == "0") return false;
    return std::nullopt;
}

bool is_http_url(std::string_view text) {
    return (starts_with(text, "http://") && text.size() > 7) ||
           (starts_with(text, "https://") && text.size() > 8);
}

std::string fmt_number(double v) { return fmt::format("{}", v); }

// --- key builders: one per type, so the table below stays one line of intent per key ---

ConfigKey string_key(std::string name, std::string def, std::string help,
                     std::function<std::string&(Config&)> field,
                     std::function<Why(std::string_view)> check = nullptr) {
    ConfigKey k;
    k.name = std::move(name);
    k.type = ConfigType::String;
    k.default_value = std::move(def);
    k.help = std::move(help);
    k.apply = [field, check](std::string_view text, Config& cfg) -> Why {
        if (check) {
            if (auto why = check(text)) return why;
        }
        field(cfg) = std::string(text);
        return std::nullopt;
    };
    k.get = [field](const Config& cfg) { return field(const_cast<Config&>(cfg)); };
    return k;
}

ConfigKey url_key(std::string name, std::string def, bool allow_empty, std::string help,
                  std::function<std::string&(Config&)> field) {
    ConfigKey k = string_key(
        std::move(name), std::move(def), std::move(help), field,
        [allow_empty](std::string_view text) -> Why {
            if (text.empty() && allow_empty) return std::nullopt;
            if (is_http_url(text)) return std::nullopt;
            return std::string("is not a URL: write it with http:// or https:// in front");
        });
    k.type = ConfigType::Url;
    return k;
}

ConfigKey int_key(std::string name, int def, int lo, int hi, std::string help,
                  std::function<int&(Config&)> field) {
    ConfigKey k;
    k.name = std::move(name);
    k.type = ConfigType::Int;
    k.default_value = std::to_string(def);
    k.help = std::move(help);
    k.apply = [field, lo, hi](std::string_view text, Config& cfg) -> Why {
        auto v = parse_int(text);
        if (!v || *v < lo || *v > hi) {
            return fmt::format("is not a whole number between {} and {}", lo, hi);
        }
        field(cfg) = static_cast<int>(*v);
        return std::nullopt;
    };
    k.get = [field](const Config& cfg) { return std::to_string(field(const_cast<Config&>(cfg))); };
    return k;
}

// lo_open: the lower bound itself is not allowed (top_p > 0).
ConfigKey number_key(std::string name, double def, double lo, double hi, bool lo_open,
                     std::string help, std::function<double&(Config&)> field) {
    ConfigKey k;
    k.name = std::move(name);
    k.type = ConfigType::Number;
    k.default_value = fmt_number(def);
    k.help = std::move(help);
    k.apply = [field, lo, hi, lo_open](std::string_view text, Config& cfg) -> Why {
        auto v = parse_number(text);
        bool below = v && (lo_open ? *v <= lo : *v < lo);
        if (!v || below || *v > hi) {
            return fmt::format("is not a number {} {} and {}", lo_open ? "above" : "between",
                               fmt_number(lo), fmt_number(hi));
        }
        field(cfg) = *v;
        return std::nullopt;
    };
    k.get = [field](const Config& cfg) { return fmt_number(field(const_cast<Config&>(cfg))); };
    return k;
}

ConfigKey bool_key(std::string name, bool def, std::string help,
                   std::function<bool&(Config&)> field) {
    ConfigKey k;
    k.name = std::move(name);
    k.type = ConfigType::Bool;
    k.default_value = def ? "true" : "false";
    k.help = std::move(help);
    k.apply = [field](std::string_view text, Config& cfg) -> Why {
        auto v = parse_bool(text);
        if (!v) return std::string("is not true or false (also accepted: yes/no, on/off, 1/0)");
        field(cfg) = *v;
        return std::nullopt;
    };
    k.get = [field](const Config& cfg) {
        return std::string(field(const_cast<Config&>(cfg)) ? "true" : "false");
    };
    return k;
}

ConfigKey choice_key(std::string name, std::string def, std::vector<std::string> choices,
                     std::string help, std::function<std::string&(Config&)> field) {
    ConfigKey k = string_key(std::move(name), std::move(def), std::move(help), field,
                             [choices](std::string_view text) -> Why {
                                 for (const auto& c : choices) {
                                     if (text == c) return std::nullopt;
                                 }
                                 std::string list;
                                 for (const auto& c : choices) {
                                     list += (list.empty() ? "" : ", ") + c;
                                 }
                                 return "is not one of " + list;
                             });
    k.type = ConfigType::Choice;
    return k;
}

ConfigKey secret(ConfigKey k, std::vector<std::string> extra_env = {}) {
    k.secret = true;
    k.extra_env = std::move(extra_env);
    return k;
}

ConfigKey with_env(ConfigKey k, std::vector<std::string> extra_env) {
    k.extra_env = std::move(extra_env);
    return k;
}

Why check_prompt_template(std::string_view text) {
    static const std::vector<std::string_view> kAllowed = {"bot_name", "date",    "time",
                                                           "location", "context", "question"};
    if (text.find("{question}") == std::string_view::npos) {
        return std::string("has no {question} placeholder: the user's question must go somewhere");
    }
    for (size_t open = text.find('{'); open != std::string_view::npos;
         open = text.find('{', open + 1)) {
        size_t close = text.find('}', open);
        if (close == std::string_view::npos) break;
        std::string_view name = text.substr(open + 1, close - open - 1);
        bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || c == '_';
        });
        if (!plain) continue;  // not a placeholder (e.g. JSON in the prompt)
        if (std::find(kAllowed.begin(), kAllowed.end(), name) == kAllowed.end()) {
            return fmt::format(
                "has an unknown placeholder {{{}}}: use {{bot_name}} {{date}} {{time}} "
                "{{location}} {{context}} {{question}}",
                name);
        }
    }
    return std::nullopt;
}

Why check_token(std::string_view text) {
    if (text.empty()) return std::nullopt;
    size_t colon = text.find(':');
    bool digits = colon != std::string_view::npos && colon > 0 &&
                  std::all_of(text.begin(), text.begin() + colon,
                              [](char c) { return c >= '0' && c <= '9'; });
    bool rest = colon != std::string_view::npos && colon + 1 < text.size() &&
                std::all_of(text.begin() + colon + 1, text.end(), [](char c) {
                    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '_' || c == '-';
                });
    if (digits && rest) return std::nullopt;
    return std::string(
        "is not a bot token (the shape is <digits>:<letters>, as @BotFather gives it)");
}

Why check_webhook_secret(std::string_view text) {
    bool ok = text.size() <= 256 && std::all_of(text.begin(), text.end(), [](char c) {
                  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-';
              });
    if (ok) return std::nullopt;
    return std::string(
        "is not a valid webhook secret: use 1-256 characters of A-Z a-z 0-9 _ - "
        "(or `lambdagram webhook set --secret auto`)");
}

Why check_bot_name(std::string_view text) {
    if (trim(text).empty()) return std::string("is empty: give the bot a name");
    if (text.size() > 64) return std::string("is longer than 64 characters");
    return std::nullopt;
}

// bot.*: who the bot is and how it answers.
void add_bot_keys(std::vector<ConfigKey>& keys) {
    keys.push_back(
        with_env(string_key(
                     "bot.name", "Vecihi", "The bot's name, used in its prompt and its greeting.",
                     [](Config& c) -> std::string& { return c.bot.name; }, check_bot_name),
                 {"BOT_NAME"}));
    keys.push_back(with_env(
        string_key("bot.location", "Istanbul/Turkey", "Where the bot says it lives (prompt).",
                   [](Config& c) -> std::string& { return c.bot.location; }),
        {"BOT_LOCATION"}));
    keys.push_back(string_key(
        "bot.prompt_template", kDefaultPromptTemplate,
        "The prompt; placeholders {bot_name} {date} {time} {location} {context} {question}.",
        [](Config& c) -> std::string& { return c.bot.prompt_template; }, check_prompt_template));
    keys.push_back(
        with_env(bool_key("bot.echo", false,
                          "Echo mode: answer every message with \"Echoed: <text>\" (true/false).",
                          [](Config& c) -> bool& { return c.bot.echo; }),
                 {"ECHO_ENABLED"}));
    keys.push_back(int_key("bot.handler_timeout_s", 50, 1, 900,
                           "Seconds one update may take before the bot gives up on it (1-900).",
                           [](Config& c) -> int& { return c.bot.handler_timeout_s; }));
    keys.push_back(
        with_env(url_key("bot.context_file_url", "", true,
                         "URL of a text file whose content fills {context} in the prompt.",
                         [](Config& c) -> std::string& { return c.bot.context_file_url; }),
                 {"CTX_FILE_URL"}));
}

// A comma-separated list of chat or user ids ("" for none).
ConfigKey id_list_key(std::string name, std::string help,
                      std::function<std::vector<long long>&(Config&)> field) {
    ConfigKey k;
    k.name = std::move(name);
    k.type = ConfigType::String;
    k.help = std::move(help);
    k.apply = [field](std::string_view text, Config& cfg) -> Why {
        std::vector<long long> ids;
        for (const std::string& part : split(text, ',')) {
            if (trim(part).empty()) continue;
            auto v = parse_int(part);
            if (!v)
                return fmt::format(
                    "has \"{}\", which is not a numeric id: write ids "
                    "separated by commas, e.g. 12345,-100123",
                    trim(part));
            ids.push_back(*v);
        }
        field(cfg) = std::move(ids);
        return std::nullopt;
    };
    k.get = [field](const Config& cfg) {
        std::string out;
        for (long long id : field(const_cast<Config&>(cfg))) {
            if (!out.empty()) out.push_back(',');
            out.append(std::to_string(id));
        }
        return out;
    };
    return k;
}

// bot.* for the assistant: context file, history, streaming, who may ask.
void add_assistant_keys(std::vector<ConfigKey>& keys) {
    keys.push_back(int_key("bot.context_ttl_s", 600, 0, 86400,
                           "Seconds the context file is reused before it is fetched again.",
                           [](Config& c) -> int& { return c.bot.context_ttl_s; }));
    keys.push_back(int_key("bot.context_max_bytes", 65536, 1, 1048576,
                           "Largest context file accepted, in bytes (a larger one is ignored).",
                           [](Config& c) -> int& { return c.bot.context_max_bytes; }));
    keys.push_back(int_key("bot.history_turns", 0, 0, 100,
                           "Earlier question/answer pairs remembered per chat (0: no history).",
                           [](Config& c) -> int& { return c.bot.history_turns; }));
    keys.push_back(int_key("bot.history_token_budget", 1000, 0, 100000,
                           "Most history in one prompt, in estimated tokens (4 bytes each).",
                           [](Config& c) -> int& { return c.bot.history_token_budget; }));
    keys.push_back(int_key("bot.stream_edit_interval_ms", 1500, 100, 60000,
                           "Least time between two edits of a streamed answer in one chat, ms.",
                           [](Config& c) -> int& { return c.bot.stream_edit_interval_ms; }));
    keys.push_back(
        id_list_key("bot.allowed_users",
                    "User ids allowed to ask, comma-separated (empty with "
                    "bot.allowed_chats: everyone).",
                    [](Config& c) -> std::vector<long long>& { return c.bot.allowed_users; }));
    keys.push_back(
        id_list_key("bot.allowed_chats", "Chat ids where anyone may ask, comma-separated.",
                    [](Config& c) -> std::vector<long long>& { return c.bot.allowed_chats; }));
}

// limits.* and store.*: how much the assistant answers, and where it keeps state.
void add_limit_and_store_keys(std::vector<ConfigKey>& keys) {
    keys.push_back(int_key("limits.user_rate_per_minute", 10, 0, 10000,
                           "Questions one user may ask per minute (0: no limit).",
                           [](Config& c) -> int& { return c.limits.user_rate_per_minute; }));
    keys.push_back(int_key("limits.chat_daily_tokens", 0, 0, 2000000000,
                           "Tokens the model may spend per chat per UTC day (0: no limit).",
                           [](Config& c) -> int& { return c.limits.chat_daily_tokens; }));
    keys.push_back(string_key("store.path", "lambdagram.db",
                              "SQLite file for history and limits (\":memory:\" keeps nothing).",
                              [](Config& c) -> std::string& { return c.store.path; }));
}

// model.*: where answers come from.
void add_model_keys(std::vector<ConfigKey>& keys) {
    {
        ConfigKey k;
        k.name = "model.backend";
        k.type = ConfigType::Choice;
        k.default_value = "none";
        k.help = "Where answers come from: local (GGUF file), openai (compatible API) or none.";
        k.apply = [](std::string_view text, Config& c) -> Why {
            if (text == "none")
                c.model.backend = ModelBackend::None;
            else if (text == "local")
                c.model.backend = ModelBackend::Local;
            else if (text == "openai")
                c.model.backend = ModelBackend::OpenAi;
            else
                return std::string("is not one of local, openai, none");
            return std::nullopt;
        };
        k.get = [](const Config& c) { return std::string(model_backend_name(c.model.backend)); };
        keys.push_back(std::move(k));
    }
    keys.push_back(string_key("model.path", "", "Path of the GGUF model file (backend local).",
                              [](Config& c) -> std::string& { return c.model.path; }));
    keys.push_back(string_key("model.name", "", "Model name sent to the API (backend openai).",
                              [](Config& c) -> std::string& { return c.model.name; }));
    keys.push_back(number_key("model.temperature", 0.7, 0, 2, false,
                              "Sampling temperature, 0-2; 0 is greedy.",
                              [](Config& c) -> double& { return c.model.temperature; }));
    keys.push_back(number_key("model.top_p", 0.95, 0, 1, true,
                              "Nucleus sampling threshold, above 0 and at most 1.",
                              [](Config& c) -> double& { return c.model.top_p; }));
    keys.push_back(int_key("model.max_tokens", 100, 1, 32768,
                           "Most tokens in one answer (1-32768).",
                           [](Config& c) -> int& { return c.model.max_tokens; }));
}

// openai.*: the OpenAI-compatible API.
void add_openai_keys(std::vector<ConfigKey>& keys) {
    keys.push_back(secret(string_key("openai.api_key", "", "API key of the OpenAI-compatible API.",
                                     [](Config& c) -> std::string& { return c.openai.api_key; }),
                          {"OPENAI_API_KEY"}));
    keys.push_back(with_env(
        url_key("openai.base_url", "https://api.openai.com/v1", false,
                "Base URL of the OpenAI-compatible API (llama.cpp server, Ollama, vLLM...).",
                [](Config& c) -> std::string& { return c.openai.base_url; }),
        {"OPENAI_BASE_URL"}));
    keys.push_back(number_key("openai.price_input_per_mtok", 0, 0, 1000, false,
                              "USD per million prompt tokens, for the cost shown by `ask` (0: none).",
                              [](Config& c) -> double& { return c.openai.price_input_per_mtok; }));
    keys.push_back(number_key("openai.price_output_per_mtok", 0, 0, 1000, false,
                              "USD per million completion tokens, for the cost shown by `ask`.",
                              [](Config& c) -> double& { return c.openai.price_output_per_mtok; }));
}

// telegram.*: the Bot API.
void add_telegram_keys(std::vector<ConfigKey>& keys) {
    keys.push_back(
        secret(string_key(
                   "telegram.token", "", "The bot token from @BotFather.",
                   [](Config& c) -> std::string& { return c.telegram.token; }, check_token),
               {"TELEGRAM_TOKEN"}));
    keys.push_back(with_env(url_key("telegram.api_url", "https://api.telegram.org", false,
                                    "Bot API server (tests point it at an emulator).",
                                    [](Config& c) -> std::string& { return c.telegram.api_url; }),
                            {"TELEGRAM_API_URL"}));
    keys.push_back(secret(
        string_key(
            "telegram.webhook_secret", "",
            "Secret Telegram sends with every webhook call (X-Telegram-Bot-Api-Secret-Token).",
            [](Config& c) -> std::string& { return c.telegram.webhook_secret; },
            check_webhook_secret),
        {"TELEGRAM_WEBHOOK_SECRET"}));
    keys.push_back(int_key("telegram.poll_timeout_s", 30, 25, 50,
                           "Long-polling timeout of getUpdates, in seconds (25-50).",
                           [](Config& c) -> int& { return c.telegram.poll_timeout_s; }));
}

// moderation.ladder: "warn,delete,mute:1h,mute:24h,ban" (bot/moderation/policy.h parses it; this
// only checks the shape so `config check` catches typos before a group meets them).
Why check_ladder(std::string_view text) {
    auto steps = split(text, ',');
    if (steps.empty() || steps.size() > 10) return std::string("needs 1 to 10 comma-separated steps");
    for (std::string_view raw : steps) {
        std::string_view step = trim(raw);
        if (step == "warn" || step == "delete" || step == "ban") continue;
        if (step.substr(0, 5) == "mute:" && step.size() > 6) {
            std::string_view n = step.substr(5, step.size() - 6);
            char unit = step.back();
            auto v = parse_int(n);
            if (v && *v > 0 && *v <= 366 * 24 * 60 && (unit == 'm' || unit == 'h' || unit == 'd'))
                continue;
        }
        return fmt::format(
            "has an unknown step \"{}\": use warn, delete, mute:<N>m|h|d or ban, e.g. "
            "warn,delete,mute:1h,mute:24h,ban",
            step);
    }
    return std::nullopt;
}

Why check_language(std::string_view text) {
    bool ok = text.size() >= 2 && text.size() <= 8;
    for (char ch : text) ok = ok && ((ch >= 'a' && ch <= 'z') || ch == '-' || (ch >= 'A' && ch <= 'Z'));
    if (!ok) return std::string("is not a language code such as en or tr");
    return std::nullopt;
}

// moderation.*: the group moderator.
void add_moderation_keys(std::vector<ConfigKey>& keys) {
    keys.push_back(bool_key("moderation.enabled", false,
                            "Moderate groups whose admins never ran /mod on|off.",
                            [](Config& c) -> bool& { return c.moderation.enabled; }));
    keys.push_back(choice_key(
        "moderation.classifier", "auto", {"auto", "none", "local", "openai", "openai-moderation"},
        "Second opinion after the lexicon: none, local, openai, openai-moderation, or auto "
        "(model.backend's model, none without one).",
        [](Config& c) -> std::string& { return c.moderation.classifier; }));
    keys.push_back(number_key("moderation.threshold", 0.8, 0, 1, true,
                              "Classifier score (0-1] at which a message is flagged; /mod threshold.",
                              [](Config& c) -> double& { return c.moderation.threshold; }));
    keys.push_back(string_key(
        "moderation.ladder", "warn,delete,mute:1h,mute:24h,ban",
        "Action for a user's 1st, 2nd, ... active strike: warn, delete, mute:<N>m|h|d, ban.",
        [](Config& c) -> std::string& { return c.moderation.ladder; }, check_ladder));
    keys.push_back(int_key("moderation.strike_decay_h", 168, 1, 8760,
                           "Hours after which a strike stops counting (168: a week).",
                           [](Config& c) -> int& { return c.moderation.strike_decay_h; }));
    keys.push_back(string_key("moderation.language", "en",
                              "Chat language for normalization (tr: Turkish I/i casing); /mod lang.",
                              [](Config& c) -> std::string& { return c.moderation.language; },
                              check_language));
    keys.push_back(bool_key("moderation.builtin_lexicon", true,
                            "Use the starter English and Turkish word lists built into the binary.",
                            [](Config& c) -> bool& { return c.moderation.builtin_lexicon; }));
    keys.push_back(string_key("moderation.lexicon_files", "",
                              "More word lists (docs/moderation.md format), comma-separated paths.",
                              [](Config& c) -> std::string& { return c.moderation.lexicon_files; }));
    keys.push_back(bool_key("moderation.skip_trivial", true,
                            "Skip the classifier for trivially safe messages (saves its cost).",
                            [](Config& c) -> bool& { return c.moderation.skip_trivial; }));
    keys.push_back(bool_key("moderation.dry_run", false,
                            "Log decisions without acting, in groups that did not set /mod dryrun.",
                            [](Config& c) -> bool& { return c.moderation.dry_run; }));
    keys.push_back(bool_key("moderation.moderate_edits", true,
                            "Moderate edited messages like new ones.",
                            [](Config& c) -> bool& { return c.moderation.moderate_edits; }));
    keys.push_back(int_key("moderation.admin_cache_s", 600, 0, 86400,
                           "Seconds a getChatMember answer (who is an admin) is trusted.",
                           [](Config& c) -> int& { return c.moderation.admin_cache_s; }));
}

// server.* and lambda.*: the webhook server and the Lambda runtime.
void add_runtime_keys(std::vector<ConfigKey>& keys) {
    keys.push_back(string_key("server.listen", "127.0.0.1:8080",
                              "Address `serve` listens on, HOST:PORT (put TLS in front).",
                              [](Config& c) -> std::string& { return c.server.listen; }));
    keys.push_back(string_key(
        "server.path", "/telegram", "URL path of the webhook `serve` answers.",
        [](Config& c) -> std::string& { return c.server.path; },
        [](std::string_view t) -> Why {
            if (t.empty() || t[0] != '/') return std::string("must start with / (e.g. /telegram)");
            return std::nullopt;
        }));
    keys.push_back(int_key("server.workers", 2, 1, 256, "Threads handling webhook updates.",
                           [](Config& c) -> int& { return c.server.workers; }));
    keys.push_back(int_key("server.queue", 64, 1, 100000,
                           "Updates waiting for a worker before `serve` answers 503.",
                           [](Config& c) -> int& { return c.server.queue; }));
    keys.push_back(int_key("server.max_body_kib", 1024, 1, 65536,
                           "Largest webhook request body in KiB (413 beyond).",
                           [](Config& c) -> int& { return c.server.max_body_kib; }));
    keys.push_back(bool_key(
        "server.reply_with_method", false,
        "Answer an update that needs exactly one Bot API call in the webhook response body.",
        [](Config& c) -> bool& { return c.server.reply_with_method; }));
    keys.push_back(with_env(
        string_key("http.ca_bundle", "",
                   "CA certificates file for HTTPS (empty: the system's; the Lambda bootstrap sets "
                   "SSL_CERT_FILE).",
                   [](Config& c) -> std::string& { return c.http.ca_bundle; }),
        {"SSL_CERT_FILE"}));
    keys.push_back(int_key("lambda.deadline_margin_ms", 1500, 0, 600000,
                           "Stop handling this long before Lambda's deadline, in ms.",
                           [](Config& c) -> int& { return c.lambda.deadline_margin_ms; }));
}

// log.*: log lines.
void add_log_keys(std::vector<ConfigKey>& keys) {
    keys.push_back(choice_key("log.level", "info", {"debug", "info", "warn", "error", "off"},
                              "Least severe log level written: debug, info, warn, error or off.",
                              [](Config& c) -> std::string& { return c.log.level; }));
    keys.push_back(choice_key("log.format", "text", {"text", "json"},
                              "Log lines as text (terminals) or json (JSON lines for CloudWatch).",
                              [](Config& c) -> std::string& { return c.log.format; }));
}

std::vector<ConfigKey> build_keys() {
    std::vector<ConfigKey> keys;
    add_bot_keys(keys);
    add_assistant_keys(keys);
    add_limit_and_store_keys(keys);
    add_model_keys(keys);
    add_openai_keys(keys);
    add_telegram_keys(keys);
    add_moderation_keys(keys);
    add_runtime_keys(keys);
    add_log_keys(keys);
    return keys;
}

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

}  // namespace

const std::vector<ConfigKey>& config_keys() {
    static const std::vector<ConfigKey> keys = build_keys();
    return keys;
}

const ConfigKey* find_config_key(std::string_view name) {
    for (const auto& k : config_keys()) {
        if (k.name == name) return &k;
    }
    return nullptr;
}

std::optional<std::string> suggest_config_key(std::string_view unknown) {
    std::string lower = to_lower_ascii(unknown);
    const ConfigKey* best = nullptr;
    size_t best_d = SIZE_MAX;
    for (const auto& k : config_keys()) {
        size_t d = edit_distance(lower, k.name);
        // Also compare the last parts alone, so "bot.nmae", "modle.temperature" and a bare
        // "token" find their key.
        size_t dot_u = lower.rfind('.');
        std::string_view leaf_u = dot_u == std::string::npos
                                      ? std::string_view(lower)
                                      : std::string_view(lower).substr(dot_u + 1);
        std::string_view leaf_k = std::string_view(k.name).substr(k.name.rfind('.') + 1);
        d = std::min(d, edit_distance(leaf_u, leaf_k) + 1);
        if (d < best_d) {
            best_d = d;
            best = &k;
        }
    }
    size_t limit = std::max<size_t>(2, unknown.size() / 4);
    if (best && best_d <= limit) return best->name;
    return std::nullopt;
}

Config default_config() {
    Config cfg;
    for (const auto& k : config_keys()) {
        auto why = k.apply(k.default_value, cfg);
        (void)why;  // defaults are valid by construction (tested)
    }
    return cfg;
}

std::vector<std::string> check_config_consistency(const Config& cfg) {
    std::vector<std::string> out;
    if (cfg.model.backend == ModelBackend::Local && cfg.model.path.empty()) {
        out.push_back(
            "config: model.backend is local but model.path is empty: set model.path (or "
            "LAMBDAGRAM_MODEL_PATH) to a GGUF file");
    }
    if (cfg.model.backend == ModelBackend::OpenAi && cfg.openai.api_key.empty()) {
        out.push_back(
            "config: model.backend is openai but openai.api_key is empty: set OPENAI_API_KEY");
    }
    if (cfg.model.backend == ModelBackend::OpenAi && cfg.model.name.empty()) {
        out.push_back(
            "config: model.backend is openai but model.name is empty: set model.name (or "
            "LAMBDAGRAM_MODEL_NAME), e.g. gpt-4o-mini");
    }
    return out;
}

}  // namespace core
