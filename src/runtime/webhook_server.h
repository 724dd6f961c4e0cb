// WebhookServer: `lambdagram serve`. Takes Telegram's webhook POSTs on a path, checks the secret
// token in constant time (401), limits the body (413), rejects non-JSON (400), answers 200 at once
// and hands the update to a bounded worker queue (503 when full, so Telegram retries: nothing is
// lost). Also GET /healthz and GET /metrics (Prometheus text). stop() drains the queue.
//   runtime::WebhookServer srv(bot, {.port = 8080, .secret = s}, runtime::memory_dedupe());
//   if (auto st = srv.start(); !st) ...;   srv.stop();   // on SIGTERM
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "bot/update_handler.h"
#include "core/clock.h"
#include "core/result.h"
#include "runtime/metrics.h"
#include "runtime/update_queue.h"

namespace runtime {

struct WebhookServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;  // 0: any free port (tests)
    std::string path = "/telegram";
    std::string secret{};                  // expected X-Telegram-Bot-Api-Secret-Token; empty: none
    size_t max_body_bytes = 1024 * 1024;   // larger bodies get 413
    int workers = 2;                       // threads running the bot
    size_t queue_capacity = 64;            // updates waiting; beyond that 503
    int http_threads = 16;                 // connections served at once
    core::Millis handler_timeout{50'000};  // each update's deadline, from when a worker takes it
};

// Splits "host:port" (for --listen); errors name the flag's expected form.
core::Result<std::pair<std::string, int>> parse_listen_address(std::string_view text);

class WebhookServer {
public:
    WebhookServer(bot::UpdateHandler& handler, WebhookServerOptions options, UpdateDedupe dedupe);
    ~WebhookServer();  // stop()
    WebhookServer(const WebhookServer&) = delete;
    WebhookServer& operator=(const WebhookServer&) = delete;

    // Binds and serves from background threads.
    core::Status start();
    // Stops accepting requests, lets the workers finish every queued update, joins. Idempotent.
    void stop();

    int port() const { return port_; }
    Metrics& metrics() { return metrics_; }
    size_t queue_depth() const;

private:
    struct Http;
    void work(const telegram::Update& update);

    bot::UpdateHandler& handler_;
    WebhookServerOptions options_;
    UpdateDedupe dedupe_;
    Metrics metrics_;
    std::unique_ptr<UpdateQueue> queue_;
    std::unique_ptr<Http> http_;
    std::thread thread_;
    int port_ = 0;
    std::atomic<bool> stopped_{false};
};

}  // namespace runtime
