#include "app/config_loader.h"

#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/redact.h"
#include "core/strings.h"

namespace app {

EnvLookup process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

std::vector<std::string> process_lambdagram_env_names() {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        if (!core::starts_with(entry, "LAMBDAGRAM_")) continue;
        out.emplace_back(entry.substr(0, entry.find('=')));
    }
    return out;
}

std::string ValueOrigin::describe() const {
    switch (source) {
        case ConfigSource::Default:
            return "default";
        case ConfigSource::File:
            return "file " + detail;
        case ConfigSource::Env:
            return "env " + detail;
        case ConfigSource::Flag:
            return "flag " + detail;
    }
    return "?";
}

namespace {

struct RawValue {
    std::string text;
    ValueOrigin origin;
};

using Layer = std::map<std::string, RawValue>;

std::string unknown_key_error(const std::string& key, const std::string& where) {
    std::string msg = fmt::format("config: unknown key {} ({})", key, where);
    if (auto s = core::suggest_config_key(key)) return msg + fmt::format(": did you mean {}?", *s);
    return msg + ": `lambdagram config keys` lists every key";
}

// Adds one YAML scalar as `key`; lists and maps are errors.
void add_yaml_value(const std::string& key, const YAML::Node& node, const std::string& file,
                    Layer& layer, std::vector<std::string>& errors) {
    std::string where = fmt::format("{} line {}", file, node.Mark().line + 1);
    if (!core::find_config_key(key)) {
        errors.push_back(unknown_key_error(key, "in file " + where));
        return;
    }
    if (node.IsSequence() || node.IsMap()) {
        errors.push_back(fmt::format("config: {} (in file {}) is a {}, not a single value", key,
                                     where, node.IsMap() ? "map" : "list"));
        return;
    }
    std::string text = node.IsNull() ? std::string() : node.Scalar();
    layer[key] = RawValue{text, ValueOrigin{ConfigSource::File, where}};
}

// Reads the YAML file into a layer: sections (bot:, model:...) holding keys, or dotted keys.
Layer load_file_layer(const std::string& path, std::vector<std::string>& errors) {
    Layer layer;
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        errors.push_back(
            fmt::format("config: cannot read {}: check the path given to --config", path));
        return layer;
    } catch (const YAML::ParserException& e) {
        errors.push_back(
            fmt::format("config: {} line {} is not valid YAML: {}", path, e.mark.line + 1, e.msg));
        return layer;
    }
    if (root.IsNull()) return layer;  // an empty file
    if (!root.IsMap()) {
        errors.push_back(
            fmt::format("config: {} must be a map of sections (bot:, model:, "
                        "openai:, telegram:, log:)",
                        path));
        return layer;
    }
    try {
        for (const auto& section : root) {
            std::string name = section.first.as<std::string>();
            if (section.second.IsMap()) {
                for (const auto& item : section.second) {
                    add_yaml_value(name + "." + item.first.as<std::string>(), item.second, path,
                                   layer, errors);
                }
            } else {
                add_yaml_value(name, section.second, path, layer, errors);
            }
        }
    } catch (const YAML::Exception& e) {
        errors.push_back(fmt::format("config: {}: {}", path, e.what()));
    }
    return layer;
}

Layer load_env_layer(const EnvLookup& env) {
    Layer layer;
    if (!env) return layer;
    for (const auto& key : core::config_keys()) {
        for (const auto& name : key.env_names()) {
            auto v = env(name);
            // An empty variable counts as unset (`FOO= make run` should not blank a key).
            if (v && !v->empty()) {
                layer[key.name] = RawValue{*v, ValueOrigin{ConfigSource::Env, name}};
                break;
            }
        }
    }
    return layer;
}

Layer load_flag_layer(const std::vector<FlagValue>& flags, std::vector<std::string>& errors) {
    Layer layer;
    for (const auto& f : flags) {
        if (!core::find_config_key(f.key)) {
            errors.push_back(unknown_key_error(f.key, "in flag " + f.flag));
            continue;
        }
        layer[f.key] = RawValue{f.value, ValueOrigin{ConfigSource::Flag, f.flag}};
    }
    return layer;
}

// A LAMBDAGRAM_* variable that names no key is most likely a typo: say so, with the closest name.
std::vector<std::string> unknown_env_warnings(const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& name : names) {
        bool known = false;
        for (const auto& key : core::config_keys()) known |= key.env_name() == name;
        if (known) continue;
        std::string as_key = core::to_lower_ascii(std::string_view(name).substr(11));
        if (size_t u = as_key.find('_'); u != std::string::npos) as_key[u] = '.';
        std::string msg =
            fmt::format("config: the environment variable {} sets no key (ignored)", name);
        if (auto s = core::suggest_config_key(as_key)) {
            msg += fmt::format(": did you mean {}?", core::find_config_key(*s)->env_name());
        }
        out.push_back(msg);
    }
    return out;
}

}  // namespace

std::vector<FlagValue> parse_set_flags(const std::vector<std::string>& sets,
                                       std::vector<std::string>* errors) {
    std::vector<FlagValue> out;
    for (const auto& s : sets) {
        size_t eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
            // The argument may be a secret typed in the wrong place: do not echo it.
            if (errors) {
                errors->push_back(
                    "config: a --set argument has no '=': write it as --set KEY=VALUE, "
                    "e.g. --set bot.echo=true");
            }
            continue;
        }
        out.push_back(FlagValue{std::string(core::trim(std::string_view(s).substr(0, eq))),
                                s.substr(eq + 1), "--set"});
    }
    return out;
}

LoadedConfig load_config(const ConfigRequest& request) {
    LoadedConfig out;
    out.config = core::default_config();
    Layer file_layer;
    if (request.file) {
        std::ifstream probe(*request.file);
        if (probe.good()) {
            out.file_used = *request.file;
            file_layer = load_file_layer(*request.file, out.errors);
        } else if (request.file_required) {
            out.errors.push_back(
                fmt::format("config: the file {} does not exist or cannot be read: check --config",
                            *request.file));
        }
    }
    Layer env_layer = load_env_layer(request.env);
    out.warnings = unknown_env_warnings(request.lambdagram_env_names);
    Layer flag_layer = load_flag_layer(request.flags, out.errors);

    for (const auto& key : core::config_keys()) {
        const RawValue* winner = nullptr;
        for (const Layer* layer : {&flag_layer, &env_layer, &file_layer}) {
            auto it = layer->find(key.name);
            if (it != layer->end()) {
                winner = &it->second;
                break;
            }
        }
        if (!winner) {
            out.origins[key.name] = ValueOrigin{};
            continue;
        }
        out.origins[key.name] = winner->origin;
        if (auto why = key.apply(winner->text, out.config)) {
            out.invalid[key.name] = winner->text;
            std::string shown =
                key.secret ? std::string(core::kRedacted) : fmt::format("\"{}\"", winner->text);
            out.errors.push_back(fmt::format("config: {} = {} (from {}) {}", key.name, shown,
                                             winner->origin.describe(), *why));
        }
    }
    if (out.errors.empty()) {
        for (auto& e : core::check_config_consistency(out.config)) out.errors.push_back(e);
    }
    return out;
}

namespace {

// A value as one readable line: newlines shown as \n, long values cut.
std::string one_line(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    constexpr size_t kMax = 60;
    if (out.size() > kMax) {
        out = out.substr(0, core::utf8_safe_prefix(out, kMax)) +
              fmt::format("... ({} characters)", v.size());
    }
    return out;
}

}  // namespace

std::string format_effective_config(const LoadedConfig& loaded) {
    std::ostringstream os;
    os << "config file: " << (loaded.file_used.empty() ? "(none)" : loaded.file_used) << "\n";
    size_t width = 0;
    for (const auto& key : core::config_keys()) width = std::max(width, key.name.size());
    for (const auto& key : core::config_keys()) {
        std::string value = key.get(loaded.config);
        std::string shown;
        auto bad = loaded.invalid.find(key.name);
        if (bad != loaded.invalid.end()) {
            shown = key.secret ? std::string(core::kRedacted)
                               : fmt::format("\"{}\"", one_line(bad->second));
            shown += " (invalid)";
        } else if (value.empty()) {
            shown = "(empty)";
        } else if (key.secret) {
            shown = std::string(core::kRedacted);
        } else {
            shown = one_line(value);
        }
        auto it = loaded.origins.find(key.name);
        std::string origin = it == loaded.origins.end() ? "default" : it->second.describe();
        os << fmt::format("{:<{}}  {}  [{}]\n", key.name, width, shown, origin);
    }
    return os.str();
}

void register_config_secrets(const core::Config& config) {
    for (const auto& key : core::config_keys()) {
        if (key.secret) core::register_secret(key.get(config));
    }
}

}  // namespace app
