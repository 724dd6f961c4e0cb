// Configuration: the plain structs every layer receives, and the ONE table of keys (name, type,
// default, secret, validator, help, environment names) that the YAML loader, the environment
// loader, `lambdagram config check` and the docs are all driven by. Reading files, the
// environment and flags happens in src/app only; this module parses and validates text values.
//   core::Config cfg = core::default_config();
//   if (auto why = core::find_config_key("model.temperature")->apply("0.7", cfg)) { ...error... }
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

struct BotConfig {
    std::string name = "Vecihi";
    std::string location = "Istanbul/Turkey";
    std::string
        prompt_template;  // placeholders: {bot_name} {date} {time} {location} {context} {question}
    bool echo = false;
    int handler_timeout_s = 50;
    std::string context_file_url;
    int context_ttl_s = 600;               // refetch the context file after this long
    int context_max_bytes = 64 * 1024;     // a larger context file is refused
    int history_turns = 0;                 // question/answer pairs remembered per chat; 0 = off
    int history_token_budget = 1000;       // estimated tokens of history in one prompt
    int stream_edit_interval_ms = 1500;    // at most one streaming edit per chat this often
    std::vector<long long> allowed_users;  // with allowed_chats: empty both = everyone
    std::vector<long long> allowed_chats;
};

struct LimitsConfig {
    int user_rate_per_minute = 10;  // 0 = no limit
    int chat_daily_tokens = 0;      // 0 = no limit
};

struct StoreConfig {
    std::string path = "lambdagram.db";  // SQLite file; ":memory:" keeps nothing
};

enum class ModelBackend { None, Local, OpenAi };

struct ModelConfig {
    ModelBackend backend = ModelBackend::None;
    std::string path;  // GGUF file, for the local backend
    std::string name;  // model name sent to an OpenAI-compatible API
    double temperature = 0.7;
    double top_p = 0.95;
    int max_tokens = 100;
};

struct OpenAiConfig {
    std::string api_key;
    std::string base_url = "https://api.openai.com/v1";
    double price_input_per_mtok = 0;   // USD per million prompt tokens, for cost estimates
    double price_output_per_mtok = 0;  // USD per million completion tokens
};

struct TelegramConfig {
    std::string token;
    std::string api_url = "https://api.telegram.org";
    std::string webhook_secret;
    int poll_timeout_s = 30;
};

// moderation.*: the group moderator's defaults; group admins override most per group with /mod.
struct ModerationConfig {
    bool enabled = false;            // moderate groups whose admins never ran /mod on|off
    std::string classifier = "auto";  // auto|none|local|openai|openai-moderation
    double threshold = 0.8;          // classifier score in [0, 1] at which a message is flagged
    std::string ladder = "warn,delete,mute:1h,mute:24h,ban";  // action for strike 1, 2, ...
    int strike_decay_h = 168;        // a strike stops counting after this many hours
    std::string language = "en";     // chat language for normalization (Turkish casing: tr)
    bool builtin_lexicon = true;     // the starter English and Turkish lists built into the binary
    std::string lexicon_files;       // more lists, comma-separated paths
    bool skip_trivial = true;        // no classifier call for trivially safe messages
    bool dry_run = false;            // log decisions without acting (groups' default)
    bool moderate_edits = true;      // edited messages are moderated like new ones
    int admin_cache_s = 600;         // how long a getChatMember answer is trusted
};

// server.*: `lambdagram serve`, the webhook server.
struct ServerConfig {
    std::string listen = "127.0.0.1:8080";  // HOST:PORT
    std::string path = "/telegram";         // URL path of the webhook
    int workers = 2;                        // threads handling updates
    int queue = 64;                         // updates waiting before answering 503
    int max_body_kib = 1024;                // larger bodies get 413
    bool reply_with_method = false;  // answer a one-call update in the webhook response body
};

// lambda.*: `lambdagram lambda`, the AWS Lambda custom runtime.
struct LambdaConfig {
    int deadline_margin_ms = 1500;  // stop handling this long before Lambda's deadline
};

// http.*: every HTTPS client of the process (Telegram, the model API, the context file).
struct HttpConfig {
    std::string ca_bundle;  // CA certificates file; empty: the system's (SSL_CERT_FILE sets it)
};

struct LogConfig {
    std::string level = "info";   // debug|info|warn|error|off
    std::string format = "text";  // text|json
};

struct Config {
    BotConfig bot;
    LimitsConfig limits;
    StoreConfig store;
    ModelConfig model;
    OpenAiConfig openai;
    TelegramConfig telegram;
    ModerationConfig moderation;
    ServerConfig server;
    LambdaConfig lambda;
    HttpConfig http;
    LogConfig log;
};

// The Mistral [INST] prompt the Python bots shipped, in our placeholder syntax.
extern const char* const kDefaultPromptTemplate;

enum class ConfigType { String, Int, Number, Bool, Choice, Url };
const char* config_type_name(ConfigType type);

// One configuration key. `apply` parses and validates a text value and stores it in a Config;
// it returns nothing on success, or the reason the value is wrong and how to fix it, phrased to
// follow the value ("is not a number between 0 and 2").
struct ConfigKey {
    std::string name;  // "model.temperature"
    ConfigType type = ConfigType::String;
    std::string default_value;           // as text; "" for empty
    bool secret = false;                 // shown as *** everywhere
    std::string help;                    // one sentence for `config check --help`, README and docs
    std::vector<std::string> extra_env;  // older names (the Python bots'), below LAMBDAGRAM_*
    std::function<std::optional<std::string>(std::string_view text, Config& cfg)> apply;
    // The current value in a Config, as text (the inverse of apply).
    std::function<std::string(const Config& cfg)> get;

    // LAMBDAGRAM_<NAME> with dots turned into underscores and upper-cased.
    std::string env_name() const;
    // Every environment variable that sets this key, strongest first.
    std::vector<std::string> env_names() const;
};

// The table, in the order keys are shown. Built once.
const std::vector<ConfigKey>& config_keys();
const ConfigKey* find_config_key(std::string_view name);
// The closest key name to a misspelled one, when close enough to be a useful suggestion.
std::optional<std::string> suggest_config_key(std::string_view unknown);
// A Config with every default of the table applied.
Config default_config();
// Checks that need more than one key (e.g. the local backend needs model.path). Returns one
// message per problem, each naming the keys and the fix.
std::vector<std::string> check_config_consistency(const Config& cfg);

const char* model_backend_name(ModelBackend backend);

}  // namespace core
