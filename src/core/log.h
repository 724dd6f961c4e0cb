// Logging for every layer: one line per event to stderr, as text for terminals or JSON lines for
// CloudWatch (Lambda). Every line passes through core::redact, so secrets never reach the log.
//   core::log::info("poll: {} updates", n);
//   core::log::ScopedField rid("request_id", id);   // added to every JSON line of this thread
#pragma once

#include <fmt/format.h>

#include <functional>
#include <string>
#include <string_view>

namespace core::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3, Off = 4 };
enum class Format { Text, Json };

void set_level(Level level);
Level level();
void set_format(Format format);
// Parses "debug|info|warn|error|off"; false if unknown.
bool parse_level(std::string_view name, Level* out);

// Redacts, formats and writes one line.
void write(Level level, std::string_view message);

// Tests capture lines here instead of stderr (already redacted). Pass nullptr to restore.
void set_sink_for_testing(std::function<void(Level, std::string_view)> sink);

// A key/value added to every JSON line written by this thread while it lives (request ids).
class ScopedField {
public:
    ScopedField(std::string key, std::string value);
    ~ScopedField();
    ScopedField(const ScopedField&) = delete;
    ScopedField& operator=(const ScopedField&) = delete;

private:
    size_t index_;
};

template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
    if (level() <= Level::Debug) write(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
    if (level() <= Level::Info) write(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
    if (level() <= Level::Warn) write(Level::Warn, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
    if (level() <= Level::Error) write(Level::Error, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace core::log
