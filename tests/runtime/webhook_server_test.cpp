// The webhook server on loopback (port 0): secret check, body limit, non-JSON, 503 when the queue
// is full and the retried update handled, /healthz and /metrics, graceful drain, and a load test
// from a client thread pool with duplicates and forged requests.
#include <httplib.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "runtime/metrics.h"
#include "runtime/webhook_server.h"

namespace runtime {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kSecret = "webhook-secret-for-tests";

std::string update_text(int64_t id) {
    return Json{{"update_id", id},
                {"message",
                 {{"message_id", id},
                  {"date", 1700000000},
                  {"chat", {{"id", 7}, {"type", "private"}}},
                  {"text", "hello"}}}}
        .dump();
}

// Counts effects per update id; holds workers while the gate is closed.
class GateBot final : public bot::UpdateHandler {
public:
    core::Status handle(const telegram::Update& u, core::Deadline) override {
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return open_; });
        }
        if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
        std::lock_guard<std::mutex> lock(mu_);
        ++effects_[u.update_id];
        cv_.notify_all();
        return core::ok();
    }
    void close() {
        std::lock_guard<std::mutex> lock(mu_);
        open_ = false;
    }
    void open() {
        std::lock_guard<std::mutex> lock(mu_);
        open_ = true;
        cv_.notify_all();
    }
    bool wait_for_total(size_t n, std::chrono::milliseconds limit) {
        std::unique_lock<std::mutex> lock(mu_);
        return cv_.wait_for(lock, limit, [&] { return total_locked() >= n; });
    }
    std::map<int64_t, int> effects() {
        std::lock_guard<std::mutex> lock(mu_);
        return effects_;
    }
    std::chrono::milliseconds delay_{0};

private:
    size_t total_locked() const {
        size_t n = 0;
        for (auto& [id, c] : effects_) n += static_cast<size_t>(c);
        return n;
    }
    std::mutex mu_;
    std::condition_variable cv_;
    bool open_ = true;
    std::map<int64_t, int> effects_;
};

struct Server {
    explicit Server(GateBot& bot, WebhookServerOptions o = {}) : srv(bot, with_defaults(o), memory_dedupe()) {
        EXPECT_TRUE(srv.start());
    }
    static WebhookServerOptions with_defaults(WebhookServerOptions o) {
        o.port = 0;
        if (o.secret.empty()) o.secret = kSecret;
        return o;
    }
    httplib::Client client() {
        httplib::Client c("127.0.0.1", srv.port());
        c.set_connection_timeout(5s);
        c.set_read_timeout(10s);
        return c;
    }
    int post(const std::string& body, const char* secret = kSecret) {
        httplib::Client c = client();
        httplib::Headers h;
        if (secret) h.emplace("X-Telegram-Bot-Api-Secret-Token", secret);
        auto r = c.Post("/telegram", h, body, "application/json");
        return r ? r->status : -1;
    }
    WebhookServer srv;
};

TEST(WebhookServerTest, SecretBodyLimitAndJson) {
    GateBot bot;
    Server s(bot, {.max_body_bytes = 1024});
    EXPECT_EQ(s.post(update_text(1)), 200);
    EXPECT_EQ(s.post(update_text(2), "wrong-secret-value-xx"), 401);
    EXPECT_EQ(s.post(update_text(3), nullptr), 401);
    EXPECT_EQ(s.post(std::string(4000, ' ') + update_text(4)), 413);
    EXPECT_EQ(s.post("this is not json"), 400);
    EXPECT_EQ(s.post(R"({"no":"update_id"})"), 400);
    EXPECT_EQ(s.post(R"({"update_id":"text"})"), 400);
    ASSERT_TRUE(bot.wait_for_total(1, 10s));
    s.srv.stop();
    EXPECT_EQ(bot.effects(), (std::map<int64_t, int>{{1, 1}}));
}

TEST(WebhookServerTest, SecretHeaderNameIsCaseInsensitive) {
    GateBot bot;
    Server s(bot);
    httplib::Client c = s.client();
    auto r = c.Post("/telegram", {{"x-telegram-bot-api-secret-token", kSecret}}, update_text(1),
                    "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
}

TEST(WebhookServerTest, QueueFullAnswers503ThenTheRetryIsHandled) {
    GateBot bot;
    bot.close();
    Server s(bot, {.workers = 1, .queue_capacity = 2});
    EXPECT_EQ(s.post(update_text(1)), 200);  // taken by the worker, which waits at the gate
    // Wait until the worker holds update 1, so the queue has room for exactly 2 more.
    for (int i = 0; i < 500 && s.srv.queue_depth() > 0; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(s.post(update_text(2)), 200);
    EXPECT_EQ(s.post(update_text(3)), 200);
    EXPECT_EQ(s.post(update_text(4)), 503);
    EXPECT_EQ(s.srv.metrics().queue_full.value(), 1u);
    bot.open();
    ASSERT_TRUE(bot.wait_for_total(3, 10s));
    EXPECT_EQ(s.post(update_text(4)), 200);  // Telegram's retry
    ASSERT_TRUE(bot.wait_for_total(4, 10s));
    s.srv.stop();
    EXPECT_EQ(bot.effects(), (std::map<int64_t, int>{{1, 1}, {2, 1}, {3, 1}, {4, 1}}));
}

TEST(WebhookServerTest, HealthzAndMetrics) {
    GateBot bot;
    Server s(bot);
    EXPECT_EQ(s.post(update_text(1)), 200);
    EXPECT_EQ(s.post(update_text(1)), 200);  // duplicate: accepted, skipped by the worker
    EXPECT_EQ(s.post(update_text(2), "forged-forged-forged"), 401);
    ASSERT_TRUE(bot.wait_for_total(1, 10s));
    for (int i = 0; i < 500 && s.srv.metrics().updates_duplicate.value() < 1; ++i) {
        std::this_thread::sleep_for(10ms);
    }
    s.srv.metrics().llm_tokens.inc(42);
    httplib::Client c = s.client();
    auto h = c.Get("/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200);
    EXPECT_EQ(h->body, "ok\n");
    auto m = c.Get("/metrics");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->status, 200);
    for (const char* line :
         {"lambdagram_updates_received_total 2\n", "lambdagram_updates_handled_total 1\n",
          "lambdagram_updates_duplicate_total 1\n", "lambdagram_requests_rejected_total 1\n",
          "lambdagram_llm_tokens_total 42\n", "lambdagram_queue_depth 0\n",
          "lambdagram_handler_latency_seconds_bucket{le=\"+Inf\"} 1\n",
          "lambdagram_handler_latency_seconds_count 1\n",
          "# TYPE lambdagram_handler_latency_seconds histogram\n"}) {
        EXPECT_NE(m->body.find(line), std::string::npos) << line << "\nin:\n" << m->body;
    }
}

TEST(WebhookServerTest, StopDrainsTheQueue) {
    GateBot bot;
    bot.delay_ = 20ms;
    Server s(bot, {.workers = 1, .queue_capacity = 32});
    for (int i = 1; i <= 10; ++i) ASSERT_EQ(s.post(update_text(i)), 200);
    s.srv.stop();  // returns once every queued update is handled
    EXPECT_EQ(bot.effects().size(), 10u);
    EXPECT_EQ(s.post(update_text(11)), -1);  // no longer listening
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
    Histogram h;
    h.observe(0.01);
    h.observe(0.3);
    h.observe(100);
    EXPECT_EQ(h.cumulative(0), 1u);   // <= 0.05
    EXPECT_EQ(h.cumulative(2), 1u);   // <= 0.25
    EXPECT_EQ(h.cumulative(3), 2u);   // <= 0.5
    EXPECT_EQ(h.cumulative(Histogram::kBounds.size() - 1), 2u);  // <= 60
    EXPECT_EQ(h.cumulative(Histogram::kBounds.size()), 3u);      // +Inf
    EXPECT_NEAR(h.sum(), 100.31, 1e-3);
}

TEST(WebhookServerTest, ParseListenAddress) {
    auto a = parse_listen_address("127.0.0.1:8080");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->first, "127.0.0.1");
    EXPECT_EQ(a->second, 8080);
    auto b = parse_listen_address("[::1]:0");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->first, "::1");
    for (const char* bad : {"8080", ":8080", "host:", "host:99999", "host:80x"}) {
        EXPECT_FALSE(parse_listen_address(bad)) << bad;
    }
}

// 2,000 updates at concurrency 20: every 10th sent twice (Telegram's retry), every 7th forged.
// A 503 is retried like Telegram does. Each genuine update must be handled exactly once.
TEST(WebhookServerTest, LoadTwoThousandUpdatesWithDuplicatesAndForgeries) {
    GateBot bot;
    bot.delay_ = 2ms;  // slower than the clients, so the queue fills and 503s happen
    Server s(bot, {.workers = 4, .queue_capacity = 16, .http_threads = 24});
    constexpr int kUpdates = 2000;
    constexpr int kClients = 20;
    std::atomic<int> next{0};
    std::atomic<int> unexpected{0};
    std::atomic<int> retried_503{0};
    std::atomic<int> transport_retries{0};
    auto send = [&](httplib::Client& c, int64_t id, const char* secret) {
        for (int attempt = 0; attempt < 200; ++attempt) {
            auto r = c.Post("/telegram", {{"X-Telegram-Bot-Api-Secret-Token", secret}},
                            update_text(id), "application/json");
            if (r && r->status == 503) {
                ++retried_503;
                std::this_thread::sleep_for(5ms);
                continue;
            }
            // A keep-alive connection the server closed at that moment: resend, as Telegram does.
            if (!r) {
                ++transport_retries;
                continue;
            }
            return r ? r->status : -1;
        }
        return -2;
    };
    std::vector<std::thread> clients;
    for (int t = 0; t < kClients; ++t) {
        clients.emplace_back([&] {
            httplib::Client c("127.0.0.1", s.srv.port());
            c.set_keep_alive(true);
            c.set_read_timeout(20s);
            for (int i = next++; i < kUpdates; i = next++) {
                int64_t id = 100000 + i;
                bool forged = i % 7 == 0;
                int status = send(c, id, forged ? "forged-secret-abcdefgh" : kSecret);
                if (status != (forged ? 401 : 200)) ++unexpected;
                if (!forged && i % 10 == 0 && send(c, id, kSecret) != 200) ++unexpected;
            }
        });
    }
    for (std::thread& t : clients) t.join();
    s.srv.stop();  // drains
    EXPECT_EQ(unexpected.load(), 0);
    std::map<int64_t, int> effects = bot.effects();
    size_t genuine = 0;
    for (int i = 0; i < kUpdates; ++i) {
        if (i % 7 == 0) {
            EXPECT_EQ(effects.count(100000 + i), 0u) << "forged update " << i << " handled";
            continue;
        }
        ++genuine;
        EXPECT_EQ(effects[100000 + i], 1) << "update " << i;
    }
    EXPECT_EQ(effects.size(), genuine);
    std::printf("load: %zu genuine updates, %d answers of 503 and %d broken connections retried\n",
                genuine, retried_503.load(), transport_retries.load());
}

}  // namespace
}  // namespace runtime
