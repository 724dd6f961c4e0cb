// WebhookServer: `lambdagram serve`. Takes Telegram's webhook POSTs on a path, checks the secret
// token in constant time (401), limits the body (413), rejects non-JSON (400), answers 200 at once
// and hands the update to a bounded worker queue (503 when full, so Telegram retries: nothing is
// lost). Also GET /healthz and GET /metrics (Prometheus text). stop() drains the queue.
// With `reply_api` set, an update is instead handled within its request (still `workers` at a
// time, 503 beyond `queue_capacity` waiting) and a call the bot left to MethodReplyApi is the
// response body ({"method":"sendMessage",...}), which Telegram then makes.
//   runtime::WebhookServer srv(bot, {.port = 8080, .secret = s}, runtime::memory_dedupe());
//   if (auto st = srv.start(); !st) ...;   srv.stop();   // on SIGTERM
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <semaphore>
#include <string>
#include <thread>

#include "bot/update_handler.h"
#include "core/clock.h"
#include "core/result.h"
#include "runtime/method_reply.h"
#include "runtime/metrics.h"
#include "runtime/update_queue.h"

namespace httplib {
struct Response;
}

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
    // Reply with the method (server.reply_with_method): the MethodReplyApi the bot was given.
    // Null: answer 200 at once and handle the update on the queue.
    MethodReplyApi* reply_api = nullptr;
};

// Telegram waits about 60 s for a webhook's answer; an update handled within its request must be
// done by then (the handler's deadline is the smaller of this and handler_timeout).
inline constexpr core::Millis kTelegramReplyBudget{55'000};

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
    // Handles one update (dedupe, bot, metrics) on the calling thread.
    void work(const telegram::Update& update, core::Deadline deadline);
    // Reply mode: waits for a worker slot, handles `update`, answers with the held call if any.
    void handle_in_request(const telegram::Update& update, httplib::Response& res);

    bot::UpdateHandler& handler_;
    WebhookServerOptions options_;
    UpdateDedupe dedupe_;
    Metrics metrics_;
    std::unique_ptr<UpdateQueue> queue_;
    std::unique_ptr<Http> http_;
    std::unique_ptr<std::counting_semaphore<>> slots_;  // reply mode: `workers` at a time
    std::atomic<size_t> reply_waiting_{0};              // reply mode: requests waiting for a slot
    std::thread thread_;
    int port_ = 0;
    std::atomic<bool> stopped_{false};
};

}  // namespace runtime
