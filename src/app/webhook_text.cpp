#include "app/webhook_text.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <sstream>

#include "core/strings.h"

namespace app {

core::Result<std::string> generate_webhook_secret() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        return core::fail(core::ErrorCode::Internal,
                          "webhook: OpenSSL could not produce random bytes for the secret; "
                          "pass --secret VALUE instead");
    }
    static const char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char b : bytes) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(acc >> bits) & 0x3F];
        }
    }
    if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 0x3F];
    return out;
}

std::string time_ago(int64_t then_unix, int64_t now_unix) {
    int64_t d = now_unix - then_unix;
    if (d < 60) return "just now";
    auto unit = [](int64_t n, const char* name) {
        return fmt::format("{} {}{} ago", n, name, n == 1 ? "" : "s");
    };
    if (d < 3600) return unit(d / 60, "minute");
    if (d < 86400) return unit(d / 3600, "hour");
    return unit(d / 86400, "day");
}

std::string explain_webhook_error(const std::string& message) {
    std::string m = core::to_lower_ascii(message);
    auto has = [&m](const char* s) { return m.find(s) != std::string::npos; };
    if (has("connection refused")) return "nothing accepts connections at that address and port";
    if (has("ssl") || has("certificate"))
        return "Telegram did not accept the server's TLS certificate";
    if (has("timeout") || has("timed out")) {
        return "the server took too long to answer (Telegram waits about 60 seconds)";
    }
    if (has("404") || has("not found")) return "the server has no webhook at that path (404)";
    if (has("401") || has("403")) {
        return "the server refused Telegram's call: check TELEGRAM_WEBHOOK_SECRET on both sides";
    }
    if (has("wrong response") || has("50")) return "the server answered with an error";
    if (has("resolve") || has("host")) return "the host name could not be resolved";
    return "";
}

std::string describe_webhook_info(const telegram::WebhookInfo& info, int64_t now_unix) {
    std::ostringstream os;
    if (info.url.empty()) {
        os << "url: (none: no webhook is set, so the bot gets updates with `lambdagram poll`)\n";
    } else {
        os << "url: " << info.url << "\n";
    }
    os << "pending updates: " << info.pending_update_count << "\n";
    if (info.last_error_message) {
        std::string when =
            info.last_error_date ? time_ago(*info.last_error_date, now_unix) + ": " : std::string();
        std::string meaning = explain_webhook_error(*info.last_error_message);
        os << "last error: " << when << "\"" << *info.last_error_message << "\""
           << (meaning.empty() ? "" : " (" + meaning + ")") << "\n";
    } else {
        os << "last error: none\n";
    }
    if (info.max_connections) os << "max connections: " << *info.max_connections << "\n";
    if (info.ip_address) os << "ip address: " << *info.ip_address << "\n";
    return os.str();
}

}  // namespace app
