#include "runtime/lambda_event.h"

#include <openssl/crypto.h>

#include <array>

#include "core/strings.h"

namespace runtime {

using Json = nlohmann::json;

const char* event_kind_name(EventKind kind) {
    switch (kind) {
        case EventKind::HttpV2: return "http-v2";
        case EventKind::HttpV1: return "http-v1";
        case EventKind::Direct: return "direct";
    }
    return "?";
}

std::optional<std::string> LambdaEvent::header(std::string_view name) const {
    auto it = headers.find(core::to_lower_ascii(name));
    if (it == headers.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> decode_base64(std::string_view text) {
    static const std::array<int8_t, 256> kTable = [] {
        std::array<int8_t, 256> t{};
        t.fill(-1);
        const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
        return t;
    }();
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (size_t i = 0; i < text.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; ++k) {
            unsigned char c = static_cast<unsigned char>(text[i + static_cast<size_t>(k)]);
            bool last_group = i + 4 == text.size();
            if (c == '=' && last_group && k >= 2) {
                v[k] = 0;
                ++pad;
                continue;
            }
            if (pad > 0 || kTable[c] < 0) return std::nullopt;  // data after '=' or bad char
            v[k] = kTable[c];
        }
        uint32_t n = (static_cast<uint32_t>(v[0]) << 18) | (static_cast<uint32_t>(v[1]) << 12) |
                     (static_cast<uint32_t>(v[2]) << 6) | static_cast<uint32_t>(v[3]);
        out.push_back(static_cast<char>((n >> 16) & 0xff));
        if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
        if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
    }
    return out;
}

bool secret_matches(std::string_view expected, std::optional<std::string_view> given) {
    if (expected.empty()) return true;
    if (!given || given->size() != expected.size()) return false;
    return CRYPTO_memcmp(expected.data(), given->data(), expected.size()) == 0;
}

namespace {

// Copies a JSON object of header names to strings into `out`, names lower-cased. Non-string
// values (API Gateway never sends them) are skipped.
void read_headers(const Json& j, std::map<std::string, std::string>& out) {
    if (!j.is_object()) return;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (it.value().is_string()) out[core::to_lower_ascii(it.key())] = it.value().get<std::string>();
    }
}

// API Gateway 1.0 also has multiValueHeaders; the first value fills names `headers` lacks.
void read_multi_value_headers(const Json& j, std::map<std::string, std::string>& out) {
    if (!j.is_object()) return;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const Json& values = it.value();
        if (values.is_array() && !values.empty() && values[0].is_string()) {
            out.emplace(core::to_lower_ascii(it.key()), values[0].get<std::string>());
        }
    }
}

std::optional<EventKind> classify(const Json& j) {
    auto str_field = [&](const char* name) -> std::string {
        auto it = j.find(name);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (j.contains("update_id")) return EventKind::Direct;
    const Json* ctx = j.contains("requestContext") ? &j.at("requestContext") : nullptr;
    bool has_http_ctx = ctx && ctx->is_object() && ctx->contains("http");
    if (str_field("version") == "2.0" || has_http_ctx) return EventKind::HttpV2;
    if (j.contains("httpMethod") || str_field("version") == "1.0") return EventKind::HttpV1;
    return std::nullopt;
}

}  // namespace

core::Result<LambdaEvent> parse_lambda_event(std::string_view payload) {
    Json j = Json::parse(payload.begin(), payload.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return core::fail(core::ErrorCode::Parse, "event is not JSON");
    if (!j.is_object()) return core::fail(core::ErrorCode::Parse, "event is not a JSON object");
    std::optional<EventKind> kind = classify(j);
    if (!kind) {
        return core::fail(core::ErrorCode::Parse,
                          "event has an unknown shape (expected a Function URL / API Gateway "
                          "event or a Telegram update with update_id)");
    }
    LambdaEvent ev;
    ev.kind = *kind;
    if (ev.kind == EventKind::Direct) {
        ev.body = std::string(payload);
        return ev;
    }
    if (j.contains("headers")) read_headers(j.at("headers"), ev.headers);
    if (j.contains("multiValueHeaders")) read_multi_value_headers(j.at("multiValueHeaders"), ev.headers);
    auto body = j.find("body");
    if (body == j.end() || body->is_null()) return ev;
    if (!body->is_string()) return core::fail(core::ErrorCode::Parse, "event body is not a string");
    auto b64 = j.find("isBase64Encoded");
    if (b64 != j.end() && b64->is_boolean() && b64->get<bool>()) {
        std::optional<std::string> decoded = decode_base64(body->get_ref<const std::string&>());
        if (!decoded) return core::fail(core::ErrorCode::Parse, "event body is not valid base64");
        ev.body = std::move(*decoded);
    } else {
        ev.body = body->get<std::string>();
    }
    return ev;
}

std::string render_lambda_response(EventKind kind, int status, const Json& body) {
    if (kind == EventKind::Direct) {
        Json out = body.is_object() ? body : Json{{"result", body}};
        out["statusCode"] = status;
        return out.dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    Json out = {{"statusCode", status},
                {"headers", {{"Content-Type", "application/json"}}},
                {"body", body.dump(-1, ' ', false, Json::error_handler_t::replace)}};
    return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace runtime
