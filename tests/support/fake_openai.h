// A fake OpenAI-compatible server for tests: cpp-httplib on 127.0.0.1, port 0, a background
// thread. It answers like a tiny deterministic model (streamed or not, max_tokens honoured,
// structured classify, moderation) unless a scripted response is queued, and records requests.
//   lg_test::FakeOpenAi srv;  srv.push(lg_test::FakeOpenAi::error(401, "bad key"));
//   llm::OpenAiChatModel m({.base_url = srv.base_url(), .model = "fake"}, http);
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace lg_test {

struct RecordedRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    nlohmann::json json;  // the parsed body; null when it is not JSON

    bool has_header(const std::string& name) const;
    std::string header(const std::string& name) const;  // "" when absent
};

// One scripted answer.
struct FakeResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string content_type = "application/json";
    std::string body;                 // sent whole when `pieces` is empty
    std::vector<std::string> pieces;  // sent chunked, one write per piece
    std::chrono::milliseconds piece_delay{0};
    bool stall_at_end = false;  // after the pieces, hang (no bytes) until the server stops
};

struct FakeUsage {
    int prompt_tokens = 0;
    int completion_tokens = 0;
};

class FakeOpenAi {
public:
    static constexpr const char* kChatPath = "/v1/chat/completions";
    static constexpr const char* kModerationPath = "/v1/moderations";

    FakeOpenAi();
    ~FakeOpenAi();
    FakeOpenAi(const FakeOpenAi&) = delete;
    FakeOpenAi& operator=(const FakeOpenAi&) = delete;

    std::string base_url() const;  // http://127.0.0.1:<port>/v1
    int port() const { return port_; }

    // Queues a scripted answer for the next request to `path` (first in, first out). With none
    // queued, the built-in model answers.
    void push(FakeResponse r, const std::string& path = kChatPath);
    std::vector<RecordedRequest> requests() const;
    size_t request_count() const;

    // The built-in model: its answer (one token per word, spaces kept with the word before) and
    // the pause before each streamed token.
    void set_model_text(std::string text);
    void set_token_delay(std::chrono::milliseconds d);
    // The tokens the built-in model streams for its answer.
    std::vector<std::string> model_tokens() const;

    // Builders for scripted answers.
    static std::string sse_event(const nlohmann::json& data);   // "data: <json>\n\n"
    static std::string chunk_json(const std::string& content);  // a chat.completion.chunk
    // A whole SSE body: a role chunk, one chunk per delta, a finish chunk, an optional usage
    // chunk, then `data: [DONE]` when `done`.
    static std::string stream_body(const std::vector<std::string>& deltas,
                                   const std::string& finish_reason = "stop",
                                   std::optional<FakeUsage> usage = std::nullopt, bool done = true);
    static std::vector<std::string> split_every(const std::string& s, size_t n);
    static FakeResponse streamed(std::vector<std::string> pieces);  // text/event-stream pieces
    static FakeResponse error(int status, const std::string& message,
                              const std::string& type = "invalid_request_error");
    static FakeResponse completion(const std::string& content,
                                   const std::string& finish_reason = "stop", FakeUsage usage = {});
    // A moderation answer with these OpenAI category scores (others 0.0001).
    static FakeResponse moderation(const std::map<std::string, double>& scores);

private:
    void answer_script(FakeResponse r, httplib::Response& res);
    void answer_chat(const RecordedRequest& rec, httplib::Response& res);
    void answer_moderation(const RecordedRequest& rec, httplib::Response& res);
    void handle(const httplib::Request& req, httplib::Response& res);
    // Sleeps `d`, or less when the server stops; false when it stopped.
    bool pause(std::chrono::milliseconds d);

    std::unique_ptr<httplib::Server> svr_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::map<std::string, std::deque<FakeResponse>> scripts_;
    std::vector<RecordedRequest> requests_;
    std::string model_text_ = "Hello from the fake model. It answers every question the same way.";
    std::chrono::milliseconds token_delay_{0};
};

}  // namespace lg_test
