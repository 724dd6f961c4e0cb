#include "core/redact.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace core {
namespace {

std::mutex& secrets_mu() {
    static std::mutex mu;
    return mu;
}
std::vector<std::string>& secrets() {
    static std::vector<std::string> s;
    return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-';
}

constexpr size_t kMinDigits = 5, kMaxDigits = 15, kMinSecretTail = 30;

// Replaces bot-token-shaped runs: the digits before ':' and the secret part after it.
std::string redact_token_shapes(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    size_t i = 0;
    while (i < in.size()) {
        size_t colon = in.find(':', i);
        if (colon == std::string_view::npos) break;
        size_t d0 = colon;
        while (d0 > i && is_digit(in[d0 - 1]) && colon - d0 < kMaxDigits) --d0;
        size_t t1 = colon + 1;
        while (t1 < in.size() && is_token_char(in[t1])) ++t1;
        bool starts_clean = d0 == 0 || !is_digit(in[d0 - 1]);
        if (colon - d0 >= kMinDigits && starts_clean && t1 - colon - 1 >= kMinSecretTail) {
            out.append(in.substr(i, d0 - i));
            out.append(kRedacted);
            i = t1;
        } else {
            out.append(in.substr(i, colon + 1 - i));
            i = colon + 1;
        }
    }
    out.append(in.substr(i));
    return out;
}

}  // namespace

void register_secret(std::string_view secret) {
    if (secret.size() < 4) return;
    std::lock_guard<std::mutex> lock(secrets_mu());
    auto& s = secrets();
    if (std::find(s.begin(), s.end(), secret) == s.end()) s.emplace_back(secret);
    // Longest first, so a secret containing another is replaced whole.
    std::sort(s.begin(), s.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

void clear_secrets_for_testing() {
    std::lock_guard<std::mutex> lock(secrets_mu());
    secrets().clear();
}

std::string redact(std::string_view text) {
    std::string out(text);
    {
        std::lock_guard<std::mutex> lock(secrets_mu());
        for (const auto& s : secrets()) {
            size_t pos = 0;
            while ((pos = out.find(s, pos)) != std::string::npos) {
                out.replace(pos, s.size(), kRedacted);
                pos += kRedacted.size();
            }
        }
    }
    return redact_token_shapes(out);
}

bool looks_like_bot_token(std::string_view text) {
    size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon < kMinDigits || colon > kMaxDigits) return false;
    for (size_t i = 0; i < colon; ++i)
        if (!is_digit(text[i])) return false;
    if (text.size() - colon - 1 < kMinSecretTail) return false;
    for (size_t i = colon + 1; i < text.size(); ++i)
        if (!is_token_char(text[i])) return false;
    return true;
}

}  // namespace core
