#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/redact.h"

namespace core::log {
namespace {

std::atomic<Level> g_level{Level::Info};
std::atomic<Format> g_format{Format::Text};

std::mutex& sink_mu() {
    static std::mutex mu;
    return mu;
}
std::function<void(Level, std::string_view)>& test_sink() {
    static std::function<void(Level, std::string_view)> sink;
    return sink;
}

thread_local std::vector<std::pair<std::string, std::string>> t_fields;

std::shared_ptr<spdlog::logger> make_logger(Format format) {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>("lambdagram", sink);
    // JSON lines are complete objects built here; text lines get a timestamp and level.
    logger->set_pattern(format == Format::Json ? "%v" : "%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    logger->set_level(spdlog::level::trace);
    logger->flush_on(spdlog::level::trace);
    return logger;
}

std::shared_ptr<spdlog::logger>& logger() {
    static std::shared_ptr<spdlog::logger> l = make_logger(Format::Text);
    return l;
}

const char* level_name(Level level) {
    switch (level) {
        case Level::Debug: return "debug";
        case Level::Info: return "info";
        case Level::Warn: return "warn";
        case Level::Error: return "error";
        case Level::Off: return "off";
    }
    return "info";
}

spdlog::level::level_enum to_spdlog(Level level) {
    switch (level) {
        case Level::Debug: return spdlog::level::debug;
        case Level::Info: return spdlog::level::info;
        case Level::Warn: return spdlog::level::warn;
        case Level::Error: return spdlog::level::err;
        case Level::Off: return spdlog::level::off;
    }
    return spdlog::level::info;
}

void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += fmt::format("\\u{:04x}", c);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
}

}  // namespace

void set_level(Level level) { g_level = level; }
Level level() { return g_level; }

void set_format(Format format) {
    std::lock_guard<std::mutex> lock(sink_mu());
    g_format = format;
    logger() = make_logger(format);
}

bool parse_level(std::string_view name, Level* out) {
    static constexpr std::pair<std::string_view, Level> kNames[] = {
        {"debug", Level::Debug}, {"info", Level::Info}, {"warn", Level::Warn},
        {"warning", Level::Warn}, {"error", Level::Error}, {"off", Level::Off}};
    for (auto [n, l] : kNames) {
        if (n == name) {
            *out = l;
            return true;
        }
    }
    return false;
}

void write(Level level, std::string_view message) {
    if (level < g_level.load() || level == Level::Off) return;
    std::string text = redact(message);
    std::lock_guard<std::mutex> lock(sink_mu());
    if (auto& sink = test_sink()) {
        sink(level, text);
        return;
    }
    if (g_format == Format::Json) {
        std::string line = "{\"level\":";
        append_json_string(line, level_name(level));
        line += ",\"time\":";
        append_json_string(line, fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(std::time(nullptr))));
        for (const auto& [k, v] : t_fields) {
            line.push_back(',');
            append_json_string(line, k);
            line.push_back(':');
            append_json_string(line, redact(v));
        }
        line += ",\"msg\":";
        append_json_string(line, text);
        line.push_back('}');
        logger()->log(to_spdlog(level), "{}", line);
    } else {
        logger()->log(to_spdlog(level), "{}", text);
    }
}

void set_sink_for_testing(std::function<void(Level, std::string_view)> sink) {
    std::lock_guard<std::mutex> lock(sink_mu());
    test_sink() = std::move(sink);
}

ScopedField::ScopedField(std::string key, std::string value) : index_(t_fields.size()) {
    t_fields.emplace_back(std::move(key), std::move(value));
}

ScopedField::~ScopedField() { t_fields.resize(index_); }

}  // namespace core::log
