#include "runtime/webhook_server.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <exception>

#include "core/log.h"
#include "runtime/lambda_emulator.h"
#include "runtime/lambda_event.h"
#include "telegram/codec.h"

namespace runtime {

namespace {

void answer(httplib::Response& res, int status, std::string_view error) {
    res.status = status;
    if (error.empty()) {
        res.set_content(R"({"ok":true})", "application/json");
    } else {
        nlohmann::json j = {{"ok", false}, {"error", std::string(error)}};
        res.set_content(j.dump(), "application/json");
    }
}

}  // namespace

core::Result<std::pair<std::string, int>> parse_listen_address(std::string_view text) {
    size_t colon = text.rfind(':');
    auto bad = [&] {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "serve: --listen (server.listen) '" + std::string(text) +
                              "' is not HOST:PORT (e.g. 127.0.0.1:8080, port 1-65535)");
    };
    if (colon == std::string_view::npos || colon == 0) return bad();
    std::string_view port_text = text.substr(colon + 1);
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
        port > 65535) {
        return bad();
    }
    std::string host(text.substr(0, colon));
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    return std::make_pair(host, port);
}

struct WebhookServer::Http {
    httplib::Server svr;
};

WebhookServer::WebhookServer(bot::UpdateHandler& handler, WebhookServerOptions options,
                             UpdateDedupe dedupe)
    : handler_(handler),
      options_(std::move(options)),
      dedupe_(std::move(dedupe)),
      http_(std::make_unique<Http>()) {}

WebhookServer::~WebhookServer() { stop(); }

size_t WebhookServer::queue_depth() const {
    if (options_.reply_api != nullptr) return reply_waiting_.load();
    return queue_ ? queue_->depth() : 0;
}

void WebhookServer::work(const telegram::Update& update, core::Deadline deadline) {
    if (!claim_update(dedupe_, update.update_id)) {
        metrics_.updates_duplicate.inc();
        core::log::info("serve: update {} was handled before: skipped", update.update_id);
        return;
    }
    auto started = std::chrono::steady_clock::now();
    bool handled = false;
    try {
        core::Status st = handler_.handle(update, deadline);
        handled = st.has_value();
        if (!st)
            core::log::warn("serve: update {} not handled: {}", update.update_id,
                            st.error().message);
    } catch (const std::exception& e) {
        core::log::error("serve: handler threw on update {}: {}", update.update_id, e.what());
    } catch (...) {
        core::log::error("serve: handler threw a non-standard exception on update {}",
                         update.update_id);
    }
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    metrics_.handler_latency.observe(took.count());
    (handled ? metrics_.updates_handled : metrics_.updates_failed).inc();
    if (dedupe_.finish) dedupe_.finish(update.update_id, handled);
}

core::Status WebhookServer::start() {
    queue_ = std::make_unique<UpdateQueue>(
        UpdateQueueOptions{.capacity = options_.queue_capacity, .workers = options_.workers},
        [this](const telegram::Update& u) {
            work(u, core::Deadline::after(options_.handler_timeout));
        });
    slots_ =
        std::make_unique<std::counting_semaphore<>>(options_.workers < 1 ? 1 : options_.workers);
    httplib::Server& svr = http_->svr;
    int threads = options_.http_threads < 2 ? 2 : options_.http_threads;
    svr.new_task_queue = [threads] {
        return new httplib::ThreadPool(static_cast<size_t>(threads));
    };
    svr.set_payload_max_length(options_.max_body_bytes);
    svr.set_read_timeout(std::chrono::seconds(10));
    svr.set_tcp_nodelay(true);
    svr.set_keep_alive_timeout(1);  // stop() waits this long for idle keep-alive connections
    svr.set_keep_alive_max_count(100);
    svr.set_error_handler([this](const httplib::Request&, httplib::Response& res) {
        if (res.status == 413) metrics_.requests_rejected.inc();
        if (res.body.empty()) {
            answer(res, res.status, res.status == 413 ? "body too large" : "not found");
        }
    });
    svr.Post(options_.path, [this](const httplib::Request& req, httplib::Response& res) {
        std::string given = req.get_header_value(std::string(kSecretHeader));
        std::optional<std::string_view> given_view;
        if (req.has_header(std::string(kSecretHeader))) given_view = given;
        if (!secret_matches(options_.secret, given_view)) {
            metrics_.requests_rejected.inc();
            return answer(res, 401, "secret token mismatch");
        }
        core::Result<nlohmann::json> json = telegram::parse_json(req.body);
        if (!json || !json->is_object() || !json->contains("update_id")) {
            metrics_.requests_rejected.inc();
            return answer(res, 400, "body is not a Telegram update (JSON with update_id)");
        }
        core::Result<telegram::Update> update = telegram::decode<telegram::Update>(*json);
        if (!update) {
            metrics_.requests_rejected.inc();
            return answer(res, 400, "body is not a Telegram update");
        }
        if (options_.reply_api != nullptr) return handle_in_request(*update, res);
        int64_t id = update->update_id;
        if (!queue_->try_push(std::move(*update))) {
            metrics_.requests_rejected.inc();
            metrics_.queue_full.inc();
            core::log::warn("serve: queue full, update {} answered 503 (Telegram retries)", id);
            res.set_header("Retry-After", "1");
            return answer(res, 503, "busy, retry later");
        }
        metrics_.updates_received.inc();
        answer(res, 200, "");
    });
    svr.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("ok\n", "text/plain");
    });
    svr.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        res.set_content(metrics_.render(queue_depth()), "text/plain; version=0.0.4");
    });
    port_ = options_.port == 0
                ? svr.bind_to_any_port(options_.host)
                : (svr.bind_to_port(options_.host, options_.port) ? options_.port : -1);
    if (port_ <= 0) {
        queue_->shutdown();
        return core::fail(core::ErrorCode::Io, "serve: cannot listen on " + options_.host + ":" +
                                                   std::to_string(options_.port) +
                                                   " (port in use? change --listen)");
    }
    thread_ = std::thread([&svr] { svr.listen_after_bind(); });
    wait_until_running(svr);
    if (options_.secret.empty()) {
        core::log::warn(
            "serve: no webhook secret set (telegram.webhook_secret): requests are "
            "accepted without X-Telegram-Bot-Api-Secret-Token");
    }
    core::log::info("serve: listening on {}:{}{}", options_.host, port_, options_.path);
    return core::ok();
}

void WebhookServer::handle_in_request(const telegram::Update& update, httplib::Response& res) {
    auto deadline = core::Deadline::after(std::min(options_.handler_timeout, kTelegramReplyBudget));
    if (reply_waiting_.fetch_add(1) >= options_.queue_capacity) {
        reply_waiting_.fetch_sub(1);
        metrics_.requests_rejected.inc();
        metrics_.queue_full.inc();
        core::log::warn(
            "serve: too many updates waiting, update {} answered 503 (Telegram retries)",
            update.update_id);
        res.set_header("Retry-After", "1");
        return answer(res, 503, "busy, retry later");
    }
    metrics_.updates_received.inc();
    slots_->acquire();
    reply_waiting_.fetch_sub(1);
    struct Release {
        std::counting_semaphore<>& slots;
        ~Release() { slots.release(); }
    } release{*slots_};
    std::optional<nlohmann::json> method;
    {
        MethodReplyApi::Capture capture(*options_.reply_api);
        work(update, deadline);
        method = capture.take();
    }
    if (!method) return answer(res, 200, "");
    core::log::debug("serve: update {} answered with {}", update.update_id,
                     method->value("method", "?"));
    res.status = 200;
    res.set_content(method->dump(), "application/json");
}

void WebhookServer::stop() {
    if (stopped_.exchange(true)) return;
    if (thread_.joinable()) {
        http_->svr.stop();  // no new requests; the ones in progress finish
        thread_.join();
    }
    if (queue_) {
        size_t left = queue_->depth();
        if (left > 0)
            core::log::info("serve: stopping, handling the {} queued updates first", left);
        queue_->shutdown();
    }
}

}  // namespace runtime
