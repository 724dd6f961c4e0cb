#include "llm/detail/openai_http.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/redact.h"
#include "core/strings.h"

namespace llm::detail {
namespace {

using std::chrono::milliseconds;

// Bytes of an error body kept to explain a status (a streamed 2xx body is not kept).
constexpr size_t kMaxErrorBody = 64 * 1024;
constexpr size_t kMaxServerMessage = 300;

std::string status_text(int status, std::string_view model) {
    const std::string s = std::to_string(status);
    switch (status) {
        case 400:
            return s + " bad request";
        case 401:
            return s + " invalid API key (check OPENAI_API_KEY)";
        case 403:
            return s + " forbidden (the API key has no access to this model or endpoint)";
        case 404:
            return s + " model \"" + std::string(model) + "\" not found (check model.name)";
        case 408:
            return s + " request timeout";
        case 409:
            return s + " conflict";
        case 413:
            return s + " request too large";
        case 422:
            return s + " unprocessable request";
        case 429:
            return s + " rate limited";
        default:
            break;
    }
    if (status >= 500) return s + " server error";
    return s + " unexpected status";
}

core::ErrorCode status_code(int status) {
    switch (status) {
        case 400:
        case 413:
        case 422:
            return core::ErrorCode::InvalidArgument;
        case 401:
        case 403:
            return core::ErrorCode::Unauthorized;
        case 404:
            return core::ErrorCode::NotFound;
        case 429:
            return core::ErrorCode::RateLimited;
        default:
            return core::ErrorCode::Http;
    }
}

// net::is_retryable knows 5xx, 429 and transport errors; OpenAI also asks to retry 408 and 409.
core::Error retry_view(const core::Error& e) {
    if (e.code == core::ErrorCode::Http && (e.http_status == 408 || e.http_status == 409)) {
        core::Error copy = e;
        copy.code = core::ErrorCode::Network;
        return copy;
    }
    return e;
}

// Hides "sk-..." words: OpenAI echoes a masked form of a wrong key in its 401 message.
std::string hide_key_fragments(std::string text) {
    for (size_t p = 0; (p = text.find("sk-", p)) != std::string::npos;) {
        if (p > 0 && (std::isalnum(static_cast<unsigned char>(text[p - 1])) != 0)) {
            p += 3;
            continue;
        }
        size_t end = text.find_first_of(" \t\n\"',.", p);
        if (end == std::string::npos) end = text.size();
        text.replace(p, end - p, std::string(core::kRedacted));
        p += core::kRedacted.size();
    }
    return text;
}

}  // namespace

bool mentions(std::string_view text, std::string_view word) {
    return core::to_lower_ascii(text).find(core::to_lower_ascii(word)) != std::string::npos;
}

std::string server_error_message(std::string_view body) {
    std::string msg;
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("error")) {
        const auto& e = j["error"];
        if (e.is_object() && e.contains("message") && e["message"].is_string()) {
            msg = e["message"].get<std::string>();
        } else if (e.is_string()) {
            msg = e.get<std::string>();
        }
    } else if (j.is_discarded()) {
        msg = std::string(core::trim(body));  // a plain-text error page
    }
    msg = hide_key_fragments(core::redact(msg));
    if (msg.size() > kMaxServerMessage) {
        msg = msg.substr(0, core::utf8_safe_prefix(msg, kMaxServerMessage)) + "...";
    }
    return msg;
}

std::optional<milliseconds> parse_retry_after(const net::HttpResponse& resp) {
    auto number = [](const std::string& text) -> std::optional<double> {
        if (text.empty()) return std::nullopt;
        char* end = nullptr;
        double v = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || !std::isfinite(v) || v < 0) return std::nullopt;
        return v;
    };
    if (auto ms = number(resp.header("retry-after-ms"))) {
        return milliseconds(static_cast<int64_t>(std::ceil(*ms)));
    }
    if (auto s = number(resp.header("retry-after"))) {  // an HTTP-date is not a number: ignored
        return milliseconds(static_cast<int64_t>(std::ceil(*s * 1000)));
    }
    return std::nullopt;
}

core::Error map_http_error(int status, const net::HttpResponse& resp, std::string_view body,
                           std::string_view model) {
    std::string text = "openai: " + status_text(status, model);
    std::string server = server_error_message(body);
    if (!server.empty()) text += ": " + server;
    core::Error e(status_code(status), core::redact(text));
    e.http_status = status;
    e.retry_after = parse_retry_after(resp);
    return e;
}

core::Result<net::HttpResponse> post_json(const Endpoint& ep, std::string_view path,
                                          const std::string& body, core::Deadline deadline,
                                          const std::function<bool(std::string_view)>& on_body,
                                          const std::function<bool()>& may_retry) {
    core::Clock& clock = ep.clock != nullptr ? *ep.clock : core::SystemClock::instance();
    net::HttpRequest req;
    req.method = "POST";
    req.url = ep.base_url + std::string(path);
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    if (!ep.api_key.empty()) req.headers.emplace_back("Authorization", "Bearer " + ep.api_key);
    req.body = body;
    std::string raw;  // the body as received, kept to explain an error status
    if (on_body) {
        req.on_body = [&](std::string_view chunk) {
            if (raw.size() < kMaxErrorBody) raw.append(chunk.substr(0, kMaxErrorBody - raw.size()));
            return on_body(chunk);
        };
    }
    net::Backoff backoff(ep.retry, clock, deadline);
    for (;;) {
        raw.clear();
        auto r = ep.http->send(req, deadline);
        core::Error err;
        if (!r) {
            err = std::move(r).error();
            err.message = core::redact("openai: " + err.message);
        } else if (r->status >= 200 && r->status < 300) {
            return r;
        } else {
            err =
                map_http_error(r->status, *r, on_body ? std::string_view(raw) : r->body, ep.model);
        }
        if (may_retry && !may_retry()) return core::fail(std::move(err));
        auto delay = backoff.next_delay(retry_view(err));
        if (!delay) return core::fail(std::move(err));
        core::log::warn("{}; retrying in {} ms (attempt {} of {})", err.message, delay->count(),
                        backoff.attempts(), ep.retry.max_attempts);
        if (delay->count() > 0) clock.sleep_for(*delay);
    }
}

}  // namespace llm::detail
