// Loads the configuration in layers — defaults < YAML file < environment < flags — through the one
// key table of core/config.h, validates every value once, and remembers where each came from, so
// errors and `lambdagram config check` can say "(from env LAMBDAGRAM_MODEL_TEMPERATURE)".
//   app::LoadedConfig lc = app::load_config({.file = "lambdagram.yaml", .env =
//   app::process_env()}); if (!lc.ok()) for (auto& e : lc.errors) std::cerr << e << "\n";
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace app {

// Looks up an environment variable; nothing when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();

enum class ConfigSource { Default, File, Env, Flag };

struct ValueOrigin {
    ConfigSource source = ConfigSource::Default;
    std::string detail;  // the file and line, the variable, or the flag
    // "default", "file lambdagram.yaml line 3", "env TELEGRAM_TOKEN", "flag --set"
    std::string describe() const;
};

struct FlagValue {
    std::string key;  // "log.level"
    std::string value;
    std::string flag;  // "--log-level", shown as the origin
};

struct ConfigRequest {
    // The YAML file. When `file_required` is false a missing file is fine (the default
    // lambdagram.yaml in the current directory is optional; an explicit --config is not).
    std::optional<std::string> file;
    bool file_required = false;
    EnvLookup env;
    // Names of the LAMBDAGRAM_* variables set, to warn about ones that match no key (typos).
    std::vector<std::string> lambdagram_env_names;
    std::vector<FlagValue> flags;
};

// The names of the process's environment variables that start with LAMBDAGRAM_.
std::vector<std::string> process_lambdagram_env_names();

struct LoadedConfig {
    core::Config config;
    std::map<std::string, ValueOrigin> origins;  // by key name
    std::vector<std::string> errors;             // one line each, secrets masked
    std::map<std::string, std::string> invalid;  // key -> the rejected text (default kept)
    std::vector<std::string> warnings;           // e.g. a LAMBDAGRAM_* variable of no key
    std::string file_used;                       // empty when no file was read
    bool ok() const { return errors.empty(); }
};

LoadedConfig load_config(const ConfigRequest& request);

// Parses `--set KEY=VALUE` arguments into flag values; malformed ones become errors.
std::vector<FlagValue> parse_set_flags(const std::vector<std::string>& sets,
                                       std::vector<std::string>* errors);

// What `lambdagram config check` prints: one line per key with its value (secrets as ***) and
// where it came from.
std::string format_effective_config(const LoadedConfig& loaded);

// Registers every non-empty secret of the config for redaction in logs and errors.
void register_config_secrets(const core::Config& config);

}  // namespace app
