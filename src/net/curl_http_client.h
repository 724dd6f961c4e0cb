// CurlHttpClient: the real HttpClient, on libcurl. Keeps a small pool of easy handles so
// connections are reused (keep-alive) across calls and threads; thread-safe.
//   net::CurlHttpClient http({.user_agent = "lambdagram/0.1"});
//   auto r = http.send({.method = "GET", .url = "https://example.org/"}, core::Deadline::never());
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "net/http_client.h"

namespace net {

struct CurlHttpClientOptions {
    std::string user_agent = "lambdagram/0.1";
    std::chrono::milliseconds connect_timeout{10'000};
    std::string ca_bundle_path{};   // empty: the system's CA bundle
    size_t max_idle_handles = 8;  // handles (and their open connections) kept for reuse
};

class CurlHttpClient final : public HttpClient {
public:
    CurlHttpClient();
    explicit CurlHttpClient(CurlHttpClientOptions options);
    ~CurlHttpClient() override;
    CurlHttpClient(const CurlHttpClient&) = delete;
    CurlHttpClient& operator=(const CurlHttpClient&) = delete;

    core::Result<HttpResponse> send(const HttpRequest& req, core::Deadline deadline) override;

    // New TCP connections opened so far (tests observe keep-alive reuse with it).
    size_t connections_opened() const { return connections_opened_.load(); }

private:
    void* acquire();
    void release(void* handle);

    CurlHttpClientOptions options_;
    std::mutex mu_;
    std::vector<void*> idle_{};  // CURL* easy handles
    std::atomic<size_t> connections_opened_{0};
};

// "scheme://host[:port]" of a URL: what error texts may show of it (never the path or query).
std::string url_origin(std::string_view url);

}  // namespace net
