// Lambda events that carry a Telegram update: a Function URL / API Gateway HTTP API event
// (payload 2.0), an API Gateway REST event (1.0), either with a base64 body, or a direct
// invocation whose payload is the Update itself. Parsing never throws; the reply is rendered in
// the shape the event's caller expects.
//   auto ev = runtime::parse_lambda_event(payload);            // core::Result<LambdaEvent>
//   std::string out = runtime::render_lambda_response(ev->kind, 200, {{"ok", true}});
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace runtime {

enum class EventKind {
    HttpV2,  // Function URL or API Gateway HTTP API, payload format 2.0
    HttpV1,  // API Gateway REST API (payload format 1.0)
    Direct,  // `aws lambda invoke` with the Update as the payload
};

const char* event_kind_name(EventKind kind);

// The header Telegram sends with the secret token of setWebhook.
inline constexpr std::string_view kSecretHeader = "X-Telegram-Bot-Api-Secret-Token";

struct LambdaEvent {
    EventKind kind = EventKind::Direct;
    std::map<std::string, std::string> headers;  // names lower-cased; empty for Direct
    std::optional<std::string> body;             // decoded from base64 when it was encoded
    // The header's value by case-insensitive name, or nothing.
    std::optional<std::string> header(std::string_view name) const;
};

// Classifies a Lambda payload and extracts headers and body. Errors (ErrorCode::Parse) name the
// problem: "event is not JSON", "event body is not valid base64", "event has an unknown shape".
// An HTTP event without a body is returned with an empty `body`; the caller answers 400.
core::Result<LambdaEvent> parse_lambda_event(std::string_view payload);

// The reply for an event of `kind`: for HTTP events the API Gateway/Function URL response
// {"statusCode":S,"headers":{"Content-Type":"application/json"},"body":"<body as text>"}; for a
// direct invocation `body` itself with "statusCode" added.
std::string render_lambda_response(EventKind kind, int status, const nlohmann::json& body);

// True when `given` equals `expected`, in time independent of where they differ (CRYPTO_memcmp;
// the length is not secret). An empty `expected` means no secret is configured: always true.
bool secret_matches(std::string_view expected, std::optional<std::string_view> given);

// RFC 4648 base64 (padding required, whitespace not allowed); nothing when malformed.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace runtime
