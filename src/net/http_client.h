// HttpClient: one request/response exchange over HTTP(S), with a deadline. CurlHttpClient is the
// real one (libcurl, keep-alive, reused); tests use loopback servers rather than mocks of this.
//   auto r = http.send({.method = "POST", .url = u, .body = json}, deadline);
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "GET";
    std::string url{};
    Headers headers{};
    std::string body{};
    // Receives the body as it arrives (streaming, e.g. SSE); return false to stop reading.
    // When set, HttpResponse::body stays empty.
    std::function<bool(std::string_view chunk)> on_body{};
    // Limit on the whole exchange in addition to the deadline; 0 = only the deadline.
    std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
    int status = 0;
    Headers headers{};
    std::string body{};
    // First header with this name (case-insensitive), or empty.
    std::string header(std::string_view name) const;
};

class HttpClient {
public:
    virtual ~HttpClient() = default;
    // Transport failures (connect, reset, deadline) are Errors (Network, Timeout); any HTTP status,
    // 4xx and 5xx included, is a response. Error texts never contain the URL's secrets.
    virtual core::Result<HttpResponse> send(const HttpRequest& req, core::Deadline deadline) = 0;
};

}  // namespace net
