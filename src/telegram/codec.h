// JSON codecs for the Bot API types (types.h) and request bodies (bot_api.h), and the reply
// envelope {"ok":..., "result"|"error_code"...}. Decoding is tolerant (unknown fields ignored,
// missing optional fields fine) and never throws: a wrong type is an Error naming the field.
//   auto u = telegram::decode<telegram::Update>(json);   // core::Result<Update>
//   nlohmann::json body = telegram::encode(send_message_request);
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "telegram/bot_api.h"
#include "telegram/types.h"

namespace telegram {

using Json = nlohmann::json;

// Encoders: unset optionals and empty lists are left out.
Json encode(const User& v);
Json encode(const Chat& v);
Json encode(const MessageEntity& v);
Json encode(const MessageOrigin& v);
Json encode(const Message& v);
Json encode(const ChatPermissions& v);
Json encode(const ChatMember& v);
Json encode(const ChatMemberUpdated& v);
Json encode(const Update& v);
Json encode(const ResponseParameters& v);
Json encode(const WebhookInfo& v);

// Request bodies, as Telegram expects them (reply_parameters, link_preview_options...).
Json encode(const SendMessage& v);
Json encode(const EditMessageText& v);
Json encode(const GetUpdates& v);
Json encode(const SetWebhook& v);

// Decoders. Defined for every type encode() takes above (the types.h ones) and for
// std::vector<Update>. Errors are ErrorCode::Parse, e.g.
// "telegram: message.chat.id is a string, expected an integer".
template <class T>
core::Result<T> decode(const Json& j);

// Parses JSON text, then decode<T>.
template <class T>
core::Result<T> decode_text(std::string_view text);

// Parses JSON text; a Parse error (with a short excerpt of the text) when it is not JSON.
core::Result<Json> parse_json(std::string_view text);

// The "result" of a Bot API reply to `method`, or its Error: code mapped from error_code
// (401 Unauthorized, 403 Unauthorized, 400 InvalidArgument, 404 NotFound, 429 RateLimited with
// retry_after, 5xx and others Http), message "telegram: <method>: <error_code> <description>",
// http_status = error_code. A reply that is not JSON is an Http error for a 5xx status (a proxy's
// error page) and a Parse error otherwise. Texts pass through core::redact.
core::Result<Json> parse_reply(std::string_view method, int http_status, std::string_view body);

// The Error for {"ok":false,...} with these fields (exposed for fakes and tests).
core::Error reply_error(std::string_view method, int error_code, std::string_view description,
                        const ResponseParameters& parameters);

}  // namespace telegram
