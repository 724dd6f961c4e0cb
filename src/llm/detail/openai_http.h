// The HTTP side shared by the OpenAI-compatible clients (chat, classify, moderation): one POST of a
// JSON body with retries (transport errors, 408, 409, 429, 5xx; backoff with jitter; retry-after
// honoured; never past the deadline) and the mapping of error statuses to clear messages.
//   auto r = detail::post_json(endpoint, "/chat/completions", body, deadline, on_body, may_retry);
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "net/http_client.h"
#include "net/retry.h"

namespace llm::detail {

struct Endpoint {
    net::HttpClient* http = nullptr;
    std::string base_url;
    std::string api_key;  // empty: no Authorization header
    std::string model;    // named in 404 messages
    net::RetryPolicy retry;
    core::Clock* clock = nullptr;
};

// POSTs `body` to base_url + path. With `on_body` the body streams to it (and stays out of the
// response); error bodies are collected either way to explain the status. `may_retry`, when set,
// is asked before each retry (a stream that already produced text must not be repeated).
// Any non-2xx status ends as an Error from map_http_error.
core::Result<net::HttpResponse> post_json(const Endpoint& ep, std::string_view path,
                                          const std::string& body, core::Deadline deadline,
                                          const std::function<bool(std::string_view)>& on_body,
                                          const std::function<bool()>& may_retry);

// "openai: 401 invalid API key (check OPENAI_API_KEY): <server message>", with a code, the
// status and the server's retry-after set. The server's message is redacted.
core::Error map_http_error(int status, const net::HttpResponse& resp, std::string_view body,
                           std::string_view model);

// The wait a response asks for: retry-after-ms (milliseconds) or retry-after (seconds).
std::optional<std::chrono::milliseconds> parse_retry_after(const net::HttpResponse& resp);

// error.message of an OpenAI-style error body ({"error": {"message": ...}} or {"error": "..."}),
// redacted (registered secrets, sk-... key fragments) and cut to a readable length.
std::string server_error_message(std::string_view body);

// True when `text` contains `word`, ignoring ASCII case.
bool mentions(std::string_view text, std::string_view word);

}  // namespace llm::detail
