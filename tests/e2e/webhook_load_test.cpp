// Load on the real `lambdagram serve` binary (echo mode, the fake Bot API of tests/support) from
// this test process, a separate client: 10,000 updates at concurrency 50, every 10th sent twice
// (Telegram's retry), every 13th forged (wrong or missing secret), 503s retried like Telegram
// does. Every genuine update must be answered exactly once (one sendMessage each), every forged
// one refused with 401, and the server's RSS must stay flat between warm-up and the end.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "e2e/binary_test.h"
#include "e2e/subprocess.h"
#include "support/fake_bot_api.h"

namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kSecret = "load-test-webhook-secret-0123456789";

// A free loopback port (bound, read, released: the server binds it right after).
int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    int port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

std::string update_text(int64_t id) {
    return Json{{"update_id", id},
                {"message",
                 {{"message_id", id},
                  {"date", 1700000000},
                  {"from", {{"id", 7}, {"is_bot", false}, {"first_name", "Load"}}},
                  {"chat", {{"id", 7}, {"type", "private"}}},
                  {"text", "u" + std::to_string(id)}}}}
        .dump();
}

struct LoadStats {
    std::atomic<int> unexpected{0};
    std::atomic<int> retried_503{0};
    std::atomic<int> transport_retries{0};
    std::atomic<int> refused_401{0};
};

// POSTs like Telegram: a 503 is retried after a pause, a broken keep-alive connection at once.
int post(httplib::Client& c, int64_t id, const char* secret, LoadStats& stats) {
    httplib::Headers h;
    if (secret) h.emplace("X-Telegram-Bot-Api-Secret-Token", secret);
    for (int attempt = 0; attempt < 500; ++attempt) {
        auto r = c.Post("/telegram", h, update_text(id), "application/json");
        if (!r) {
            ++stats.transport_retries;
            std::this_thread::sleep_for(1ms);
            continue;
        }
        if (r->status != 503) return r->status;
        ++stats.retried_503;
        std::this_thread::sleep_for(10ms);
    }
    return -2;
}

class WebhookLoadTest : public e2e::BinaryTest {
protected:
    WebhookLoadTest() : BinaryTest("lg_e2e_load") {}

    void SetUp() override {
        BinaryTest::SetUp();
        std::ofstream(path("lambdagram.yaml"))
            << "bot:\n  echo: true\nstore:\n  path: \":memory:\"\n";
    }

    // `serve` with the fake Bot API, the webhook secret and `env`, its output in <log>.out and
    // <log>.err; nothing (and a failure) unless /healthz on `port` answers 200 within 20 s.
    std::unique_ptr<e2e::Subprocess> start_serve(std::vector<std::string> args, int port,
                                                 const std::string& log, e2e::EnvVars env = {}) {
        args.insert(args.begin(), e2e::lambdagram_binary());
        env.insert(env.begin(), {{"TELEGRAM_TOKEN", tg_.token()},
                                 {"TELEGRAM_API_URL", tg_.url()},
                                 {"TELEGRAM_WEBHOOK_SECRET", kSecret}});
        auto server = e2e::Subprocess::start(args, env, path(log + ".out"), path(log + ".err"));
        if (!server) {
            ADD_FAILURE() << "could not start " << args[0];
            return nullptr;
        }
        httplib::Client probe("127.0.0.1", port);
        bool healthy = e2e::wait_until(
            [&] {
                auto r = probe.Get("/healthz");
                return r && r->status == 200;
            },
            20s);
        if (!healthy) {
            ADD_FAILURE() << "serve never became healthy\n" << e2e::read_file(path(log + ".err"));
            return nullptr;
        }
        return server;
    }

    test_support::FakeBotApi tg_;
};

TEST_F(WebhookLoadTest, TenThousandUpdatesAtConcurrency50AreEachHandledOnce) {
    constexpr int kUpdates = 10'000;
    constexpr int kClients = 50;
    constexpr int kWarmup = 1'000;
    constexpr int64_t kFirstId = 5'000'000;
    const int port = free_port();
    auto server = start_serve(
        {"--config", path("lambdagram.yaml"), "serve", "--listen",
         "127.0.0.1:" + std::to_string(port), "--workers", "4", "--queue", "16"},
        port, "serve",
        {{"LAMBDAGRAM_LOG_LEVEL", "warn"}, {"ASAN_OPTIONS", e2e::small_quarantine_asan_options()}});
    ASSERT_TRUE(server);
    httplib::Client probe("127.0.0.1", port);

    LoadStats stats;
    std::atomic<int> next{0};
    auto run_clients = [&](int end) {
        std::vector<std::thread> clients;
        for (int t = 0; t < kClients; ++t) {
            clients.emplace_back([&, end] {
                httplib::Client c("127.0.0.1", port);
                c.set_keep_alive(true);
                c.set_tcp_nodelay(true);
                c.set_read_timeout(30s);
                for (int i = next++; i < end; i = next++) {
                    int64_t id = kFirstId + i;
                    if (i % 13 == 0) {  // forged: a wrong secret, or none at all
                        int status =
                            post(c, id, i % 2 ? "forged-secret-0123456789" : nullptr, stats);
                        if (status == 401)
                            ++stats.refused_401;
                        else
                            ++stats.unexpected;
                        continue;
                    }
                    if (post(c, id, kSecret, stats) != 200) ++stats.unexpected;
                    if (i % 10 == 0 && post(c, id, kSecret, stats) != 200) ++stats.unexpected;
                }
            });
        }
        for (std::thread& t : clients) t.join();
    };
    int genuine = 0;
    for (int i = 0; i < kUpdates; ++i) genuine += i % 13 != 0;
    int resent = 0;
    for (int i = 0; i < kUpdates; ++i) resent += i % 10 == 0 && i % 13 != 0;
    int genuine_warmup = 0;
    for (int i = 0; i < kWarmup; ++i) genuine_warmup += i % 13 != 0;

    auto started = std::chrono::steady_clock::now();
    run_clients(kWarmup);
    ASSERT_TRUE(tg_.wait_for_calls("sendMessage", static_cast<size_t>(genuine_warmup), 30s));
    long rss_warm = server->rss_kib();
    next = kWarmup;  // each client took one number past the warm-up's end
    run_clients(kUpdates);
    ASSERT_TRUE(tg_.wait_for_calls("sendMessage", static_cast<size_t>(genuine), 60s))
        << tg_.call_count("sendMessage") << " of " << genuine << "\n"
        << e2e::read_file(path("serve.err")).substr(0, 4000);
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    long rss_end = server->rss_kib();

    // The counter moves just after the bot's sendMessage returns.
    const std::string handled_line =
        "lambdagram_updates_handled_total " + std::to_string(genuine) + "\n";
    std::string metrics;
    e2e::wait_until(
        [&] {
            auto r = probe.Get("/metrics");
            metrics = r ? r->body : "";
            return metrics.find(handled_line) != std::string::npos;
        },
        10s);
    server->signal(SIGTERM);
    ASSERT_EQ(server->wait_for_exit(30s), std::optional<int>(0))
        << e2e::read_file(path("serve.err"));

    EXPECT_EQ(stats.unexpected.load(), 0);
    int forged = kUpdates - genuine;
    EXPECT_EQ(stats.refused_401.load(), forged);
    std::map<std::string, int> answers;
    for (const auto& c : tg_.calls("sendMessage")) {
        if (c.status == 200) ++answers[c.params.value("text", "")];
    }
    for (int i = 0; i < kUpdates; ++i) {
        std::string echoed = "Echoed: u" + std::to_string(kFirstId + i);
        auto it = answers.find(echoed);
        int n = it == answers.end() ? 0 : it->second;
        EXPECT_EQ(n, i % 13 == 0 ? 0 : 1) << "update " << i;
    }
    EXPECT_EQ(answers.size(), static_cast<size_t>(genuine));
    EXPECT_NE(metrics.find(handled_line), std::string::npos) << metrics;
    // Memory flat: what 9,000 more updates may add (dedupe memory, allocator slack) is small.
    EXPECT_GT(rss_warm, 0);
    EXPECT_LT(rss_end - rss_warm, e2e::kRssGrowthLimitKib)
        << "RSS grew from " << rss_warm << " to " << rss_end << " KiB";
    std::printf(
        "load: %d updates (%d genuine, %d forged, %d resent) in %.2f s = %.0f updates/s; "
        "%d answers of 503 and %d broken connections retried; server RSS %ld KiB after warm-up, "
        "%ld KiB at the end\n",
        kUpdates, genuine, forged, resent, took.count(), kUpdates / took.count(),
        stats.retried_503.load(), stats.transport_retries.load(), rss_warm, rss_end);
}

}  // namespace

namespace {

// server.* keys configure `serve`, flags override them; in reply mode the echo is the response.
TEST_F(WebhookLoadTest, ConfigKeysFlagsAndReplyWithMethod) {
    const int port = free_port();
    std::ofstream(path("reply.yaml")) << "bot:\n  echo: true\nstore:\n  path: \":memory:\"\n"
                                      << "server:\n  listen: 127.0.0.1:" << port
                                      << "\n  path: /from-config\n  reply_with_method: true\n";
    auto server =
        start_serve({"--config", path("reply.yaml"), "serve", "--path", "/hook"}, port, "reply");
    ASSERT_TRUE(server);
    httplib::Client c("127.0.0.1", port);
    httplib::Headers h = {{"X-Telegram-Bot-Api-Secret-Token", kSecret}};
    auto r = c.Post("/hook", h, update_text(41), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    Json body = Json::parse(r->body, nullptr, false);
    EXPECT_EQ(body.value("method", ""), "sendMessage") << r->body;
    EXPECT_EQ(body.value("text", ""), "Echoed: u41") << r->body;
    EXPECT_EQ(body.value("chat_id", 0), 7) << r->body;
    EXPECT_EQ(tg_.call_count("sendMessage"), 0u)
        << "the answer went in the response, not as a call";
    auto other = c.Post("/from-config", h, update_text(42), "application/json");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 404) << "--path overrides server.path";
    server->signal(SIGTERM);
    EXPECT_EQ(server->wait_for_exit(15s), std::optional<int>(0))
        << e2e::read_file(path("reply.err"));
}

}  // namespace
