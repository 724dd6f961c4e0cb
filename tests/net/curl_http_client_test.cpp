// CurlHttpClient against a real cpp-httplib server on 127.0.0.1, port 0.
#include "net/curl_http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/redact.h"

namespace {

using namespace std::chrono_literals;

net::HttpRequest make(std::string method, std::string url, std::string body = {},
                      std::chrono::milliseconds timeout = 0ms) {
    net::HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.body = std::move(body);
    r.timeout = timeout;
    return r;
}

// A port nothing listens on: bound, read, then closed.
int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

class LoopbackServer {
public:
    LoopbackServer() {
        svr_.Get("/status/(\\d+)", [](const httplib::Request& rq, httplib::Response& rs) {
            rs.status = std::stoi(rq.matches[1]);
            rs.set_content("status body", "text/plain");
        });
        svr_.Post("/echo", [](const httplib::Request& rq, httplib::Response& rs) {
            rs.set_header("X-Method", rq.method);
            rs.set_header("X-Got-Header", rq.get_header_value("X-Custom"));
            rs.set_content(rq.body, "application/json");
        });
        svr_.Put("/echo", [](const httplib::Request& rq, httplib::Response& rs) {
            rs.set_header("X-Method", rq.method);
            rs.set_content(rq.body, "text/plain");
        });
        svr_.Get("/headers", [](const httplib::Request&, httplib::Response& rs) {
            rs.set_header("X-Mixed-Case", "Value One");
            rs.set_content("ok", "text/plain");
        });
        svr_.Get("/slow", [](const httplib::Request&, httplib::Response& rs) {
            std::this_thread::sleep_for(1500ms);
            rs.set_content("late", "text/plain");
        });
        svr_.Get("/chunks", [](const httplib::Request&, httplib::Response& rs) {
            rs.set_chunked_content_provider("text/plain", [](size_t, httplib::DataSink& sink) {
                for (int i = 0; i < 5; ++i) {
                    std::string part = "chunk" + std::to_string(i) + "\n";
                    sink.write(part.data(), part.size());
                    std::this_thread::sleep_for(20ms);
                }
                sink.done();
                return true;
            });
        });
        svr_.Get("/secret/path", [](const httplib::Request&, httplib::Response& rs) {
            std::this_thread::sleep_for(1500ms);
            rs.set_content("late", "text/plain");
        });
        port_ = svr_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { svr_.listen_after_bind(); });
        while (!svr_.is_running()) std::this_thread::sleep_for(1ms);
    }
    ~LoopbackServer() {
        svr_.stop();
        thread_.join();
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

private:
    httplib::Server svr_;
    int port_ = 0;
    std::thread thread_;
};

TEST(CurlHttpClient, StatusCodesAreResponsesNotErrors) {
    LoopbackServer server;
    net::CurlHttpClient http;
    for (int code : {200, 201, 400, 404, 429, 500, 503}) {
        auto r = http.send(make("GET", server.url("/status/" + std::to_string(code))),
                           core::Deadline::never());
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->status, code);
    }
}

TEST(CurlHttpClient, PostsBodyAndHeaders) {
    LoopbackServer server;
    net::CurlHttpClient http;
    net::HttpRequest req = make("POST", server.url("/echo"), R"({"a":1})");
    req.headers = {{"Content-Type", "application/json"}, {"X-Custom", "abc"}};
    auto r = http.send(req, core::Deadline::after(5s));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, R"({"a":1})");
    EXPECT_EQ(r->header("x-method"), "POST");
    EXPECT_EQ(r->header("X-GOT-HEADER"), "abc");
    EXPECT_EQ(r->header("content-type"), "application/json");
}

TEST(CurlHttpClient, CustomMethodWithBody) {
    LoopbackServer server;
    net::CurlHttpClient http;
    auto r = http.send(make("PUT", server.url("/echo"), "put-body"), core::Deadline::after(5s));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->header("X-Method"), "PUT");
    EXPECT_EQ(r->body, "put-body");
}

TEST(CurlHttpClient, HeadersAreCaseInsensitive) {
    LoopbackServer server;
    net::CurlHttpClient http;
    auto r = http.send(make("GET", server.url("/headers")), core::Deadline::never());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("x-mixed-case"), "Value One");
    EXPECT_EQ(r->header("X-MIXED-CASE"), "Value One");
    EXPECT_EQ(r->header("absent"), "");
}

TEST(CurlHttpClient, StreamsBodyInChunks) {
    LoopbackServer server;
    net::CurlHttpClient http;
    std::vector<std::string> chunks;
    net::HttpRequest req = make("GET", server.url("/chunks"));
    req.on_body = [&](std::string_view c) {
        chunks.emplace_back(c);
        return true;
    };
    auto r = http.send(req, core::Deadline::after(5s));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->body.empty());
    std::string all;
    for (auto& c : chunks) all += c;
    EXPECT_EQ(all, "chunk0\nchunk1\nchunk2\nchunk3\nchunk4\n");
    EXPECT_GE(chunks.size(), 2u);  // delivered as it arrived, not in one piece
}

TEST(CurlHttpClient, ReaderCanStopEarly) {
    LoopbackServer server;
    net::CurlHttpClient http;
    int calls = 0;
    net::HttpRequest req = make("GET", server.url("/chunks"));
    req.on_body = [&](std::string_view) { return ++calls < 1; };
    auto r = http.send(req, core::Deadline::after(5s));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(calls, 1);
}

TEST(CurlHttpClient, DeadlineGivesTimeoutWithoutThePath) {
    LoopbackServer server;
    net::CurlHttpClient http;
    auto start = std::chrono::steady_clock::now();
    auto r = http.send(make("GET", server.url("/secret/path")), core::Deadline::after(200ms));
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::Timeout);
    EXPECT_EQ(r.error().message.find("/secret/path"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("127.0.0.1"), std::string::npos) << r.error().message;
    EXPECT_LT(took, 1400ms);
}

TEST(CurlHttpClient, RequestTimeoutAppliesWithNeverDeadline) {
    LoopbackServer server;
    net::CurlHttpClient http;
    auto r = http.send(make("GET", server.url("/slow"), "", 150ms), core::Deadline::never());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::Timeout);
}

TEST(CurlHttpClient, ExpiredDeadlineFailsAtOnce) {
    LoopbackServer server;
    net::CurlHttpClient http;
    auto r = http.send(make("GET", server.url("/headers")), core::Deadline::after(-1ms));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::Timeout);
}

TEST(CurlHttpClient, ConnectionRefusedIsNetworkErrorWithoutToken) {
    const int port = free_port();
    const std::string token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";
    net::CurlHttpClient http;
    auto r = http.send(
        make("POST", "http://127.0.0.1:" + std::to_string(port) + "/bot" + token + "/getMe"),
        core::Deadline::after(5s));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::Network);
    EXPECT_EQ(r.error().message.find(token), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("AAHdqTcvCH1vGWJx"), std::string::npos);
    EXPECT_EQ(r.error().message.find("getMe"), std::string::npos);
}

TEST(CurlHttpClient, ReusesConnections) {
    LoopbackServer server;
    net::CurlHttpClient http;
    for (int i = 0; i < 4; ++i) {
        auto r = http.send(make("GET", server.url("/headers")), core::Deadline::after(5s));
        ASSERT_TRUE(r);
    }
    EXPECT_EQ(http.connections_opened(), 1u);
}

TEST(CurlHttpClient, ThreadSafeUnderConcurrentUse) {
    LoopbackServer server;
    net::CurlHttpClient http;
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                auto r =
                    http.send(make("POST", server.url("/echo"), "x"), core::Deadline::after(5s));
                if (r && r->body == "x") ++ok;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), 20);
}

TEST(UrlOrigin, KeepsSchemeHostPortOnly) {
    EXPECT_EQ(net::url_origin("https://api.telegram.org/bot1:x/getMe"), "https://api.telegram.org");
    EXPECT_EQ(net::url_origin("http://u:p@h:81/a?b"), "http://h:81");
    EXPECT_EQ(net::url_origin("http://h?q=1"), "http://h");
}

}  // namespace
