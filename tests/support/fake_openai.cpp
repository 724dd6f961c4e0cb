#include "support/fake_openai.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>

namespace lg_test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Words with the space after each kept, so the tokens concatenate back to the text.
std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < text.size()) {
        size_t sp = text.find(' ', i);
        size_t end = sp == std::string::npos ? text.size() : sp + 1;
        out.push_back(text.substr(i, end - i));
        i = end;
    }
    return out;
}

int count_words(const json& messages) {
    int n = 0;
    if (!messages.is_array()) return 0;
    for (const auto& m : messages) {
        if (m.is_object() && m.contains("content") && m["content"].is_string()) {
            n += static_cast<int>(words(m["content"].get<std::string>()).size());
        }
    }
    return n;
}

std::string last_user_text(const json& body) {
    std::string text;
    if (!body.contains("messages") || !body["messages"].is_array()) return text;
    for (const auto& m : body["messages"]) {
        if (m.is_object() && m.value("role", "") == "user" && m.contains("content") &&
            m["content"].is_string()) {
            text = m["content"].get<std::string>();
        }
    }
    return text;
}

}  // namespace

bool RecordedRequest::has_header(const std::string& name) const {
    return headers.count(lower(name)) > 0;
}

std::string RecordedRequest::header(const std::string& name) const {
    auto it = headers.find(lower(name));
    return it == headers.end() ? std::string() : it->second;
}

FakeOpenAi::FakeOpenAi() : svr_(std::make_unique<httplib::Server>()) {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
        handle(req, res);
    };
    svr_->Post(R"(/v1/.*)", handler);
    port_ = svr_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { svr_->listen_after_bind(); });
    // stop() is a no-op until the loop runs: wait for it, so a destructor never hangs.
    while (!svr_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeOpenAi::~FakeOpenAi() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    svr_->stop();
    thread_.join();
}

std::string FakeOpenAi::base_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
}

void FakeOpenAi::push(FakeResponse r, const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    scripts_[path].push_back(std::move(r));
}

std::vector<RecordedRequest> FakeOpenAi::requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
}

size_t FakeOpenAi::request_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
}

void FakeOpenAi::set_model_text(std::string text) {
    std::lock_guard<std::mutex> lock(mu_);
    model_text_ = std::move(text);
}

void FakeOpenAi::set_token_delay(milliseconds d) {
    std::lock_guard<std::mutex> lock(mu_);
    token_delay_ = d;
}

std::vector<std::string> FakeOpenAi::model_tokens() const {
    std::lock_guard<std::mutex> lock(mu_);
    return words(model_text_);
}

bool FakeOpenAi::pause(milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

void FakeOpenAi::handle(const httplib::Request& req, httplib::Response& res) {
    RecordedRequest rec;
    rec.method = req.method;
    rec.path = req.path;
    for (const auto& [k, v] : req.headers) rec.headers[lower(k)] = v;
    rec.body = req.body;
    rec.json = json::parse(req.body, nullptr, false);
    if (rec.json.is_discarded()) rec.json = nullptr;
    std::optional<FakeResponse> script;
    {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(rec);
        auto it = scripts_.find(req.path);
        if (it != scripts_.end() && !it->second.empty()) {
            script = std::move(it->second.front());
            it->second.pop_front();
        }
    }
    if (script) {
        answer_script(std::move(*script), res);
    } else if (req.path == kModerationPath) {
        answer_moderation(rec, res);
    } else if (req.path == kChatPath) {
        answer_chat(rec, res);
    } else {
        res.status = 404;
        res.set_content(
            R"({"error":{"message":"no such endpoint","type":"invalid_request_error"}})",
            "application/json");
    }
}

void FakeOpenAi::answer_script(FakeResponse r, httplib::Response& res) {
    res.status = r.status;
    for (const auto& [k, v] : r.headers) res.set_header(k, v);
    if (r.pieces.empty() && !r.stall_at_end) {
        res.set_content(r.body, r.content_type);
        return;
    }
    auto shared = std::make_shared<FakeResponse>(std::move(r));
    res.set_chunked_content_provider(
        shared->content_type, [this, shared](size_t, httplib::DataSink& sink) {
            for (const auto& piece : shared->pieces) {
                if (!sink.write(piece.data(), piece.size())) return false;
                if (shared->piece_delay.count() > 0 && !pause(shared->piece_delay)) return false;
            }
            if (shared->stall_at_end) {
                // Hang without a byte until the client gives up (the socket stops being writable
                // only once it is gone) or the server stops; 30 s at most.
                for (int i = 0; i < 600 && sink.is_writable(); ++i) {
                    if (!pause(milliseconds(50))) return false;
                }
                return false;
            }
            sink.done();
            return true;
        });
}

void FakeOpenAi::answer_chat(const RecordedRequest& rec, httplib::Response& res) {
    const json& body = rec.json;
    if (!body.is_object()) {
        res.status = 400;
        res.set_content(R"({"error":{"message":"the body is not JSON"}})", "application/json");
        return;
    }
    // Structured classify: a score per schema property; a label named in the text gets 0.9.
    if (body.contains("response_format") && body["response_format"].is_object()) {
        json props = body["response_format"]
                         .value("json_schema", json::object())
                         .value("schema", json::object())
                         .value("properties", json::object());
        std::vector<std::string> labels;
        for (const auto& [k, v] : props.items()) labels.push_back(k);
        const std::string text = lower(last_user_text(body));
        size_t hit = 0;
        for (size_t i = 0; i < labels.size(); ++i) {
            if (text.find(lower(labels[i])) != std::string::npos) {
                hit = i;
                break;
            }
        }
        json scores = json::object();
        const double rest = labels.size() > 1 ? 0.1 / static_cast<double>(labels.size() - 1) : 0;
        for (size_t i = 0; i < labels.size(); ++i) scores[labels[i]] = i == hit ? 0.9 : rest;
        auto c = completion(scores.dump(), "stop", {count_words(body["messages"]), 8});
        res.set_content(c.body, "application/json");
        return;
    }
    std::vector<std::string> tokens = model_tokens();
    int max_tokens = body.value("max_tokens", body.value("max_completion_tokens", 1 << 20));
    std::string finish = "stop";
    if (static_cast<int>(tokens.size()) > max_tokens) {
        tokens.resize(static_cast<size_t>(std::max(0, max_tokens)));
        finish = "length";
    }
    FakeUsage usage{count_words(body.value("messages", json::array())),
                    static_cast<int>(tokens.size())};
    if (!body.value("stream", false)) {
        std::string text;
        for (const auto& t : tokens) text += t;
        auto c = completion(text, finish, usage);
        res.set_content(c.body, "application/json");
        return;
    }
    const bool with_usage =
        body.contains("stream_options") && body["stream_options"].value("include_usage", false);
    // One piece per SSE event, so a token delay paces the stream as a model would.
    FakeResponse r = streamed({});
    std::string all =
        stream_body(tokens, finish, with_usage ? std::optional<FakeUsage>(usage) : std::nullopt);
    for (size_t i = 0; i < all.size();) {
        size_t end = all.find("\n\n", i);
        end = end == std::string::npos ? all.size() : end + 2;
        r.pieces.push_back(all.substr(i, end - i));
        i = end;
    }
    {
        std::lock_guard<std::mutex> lock(mu_);
        r.piece_delay = token_delay_;
    }
    answer_script(std::move(r), res);
}

void FakeOpenAi::answer_moderation(const RecordedRequest& rec, httplib::Response& res) {
    const std::string input = lower(rec.json.is_object() ? rec.json.value("input", "") : "");
    std::map<std::string, double> scores;
    if (input.find("kill") != std::string::npos) scores["violence"] = 0.92;
    if (input.find("hate") != std::string::npos) scores["hate"] = 0.81;
    auto m = moderation(scores);
    res.set_content(m.body, "application/json");
}

std::string FakeOpenAi::sse_event(const json& data) { return "data: " + data.dump() + "\n\n"; }

std::string FakeOpenAi::chunk_json(const std::string& content) {
    return json{{"id", "chatcmpl-fake"},
                {"object", "chat.completion.chunk"},
                {"created", 1700000000},
                {"model", "fake-model"},
                {"choices",
                 {{{"index", 0}, {"delta", {{"content", content}}}, {"finish_reason", nullptr}}}}}
        .dump();
}

std::string FakeOpenAi::stream_body(const std::vector<std::string>& deltas,
                                    const std::string& finish_reason,
                                    std::optional<FakeUsage> usage, bool done) {
    auto chunk = [](json delta, json finish) {
        return json{
            {"id", "chatcmpl-fake"},
            {"object", "chat.completion.chunk"},
            {"created", 1700000000},
            {"model", "fake-model"},
            {"choices", {{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish}}}}};
    };
    std::string out = sse_event(chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
    for (const auto& d : deltas) out += sse_event(chunk({{"content", d}}, nullptr));
    out += sse_event(chunk(json::object(), finish_reason));
    if (usage) {
        out +=
            sse_event(json{{"id", "chatcmpl-fake"},
                           {"object", "chat.completion.chunk"},
                           {"choices", json::array()},
                           {"usage",
                            {{"prompt_tokens", usage->prompt_tokens},
                             {"completion_tokens", usage->completion_tokens},
                             {"total_tokens", usage->prompt_tokens + usage->completion_tokens}}}});
    }
    if (done) out += "data: [DONE]\n\n";
    return out;
}

std::vector<std::string> FakeOpenAi::split_every(const std::string& s, size_t n) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size(); i += n) out.push_back(s.substr(i, n));
    return out;
}

FakeResponse FakeOpenAi::streamed(std::vector<std::string> pieces) {
    FakeResponse r;
    r.content_type = "text/event-stream";
    r.pieces = std::move(pieces);
    return r;
}

FakeResponse FakeOpenAi::error(int status, const std::string& message, const std::string& type) {
    FakeResponse r;
    r.status = status;
    r.body = json{{"error",
                   {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}}
                 .dump();
    return r;
}

FakeResponse FakeOpenAi::completion(const std::string& content, const std::string& finish_reason,
                                    FakeUsage usage) {
    FakeResponse r;
    r.body = json{{"id", "chatcmpl-fake"},
                  {"object", "chat.completion"},
                  {"created", 1700000000},
                  {"model", "fake-model"},
                  {"choices",
                   {{{"index", 0},
                     {"message", {{"role", "assistant"}, {"content", content}}},
                     {"finish_reason", finish_reason}}}},
                  {"usage",
                   {{"prompt_tokens", usage.prompt_tokens},
                    {"completion_tokens", usage.completion_tokens},
                    {"total_tokens", usage.prompt_tokens + usage.completion_tokens}}}}
                 .dump();
    return r;
}

FakeResponse FakeOpenAi::moderation(const std::map<std::string, double>& scores) {
    static const char* const kCategories[] = {"harassment",
                                              "harassment/threatening",
                                              "hate",
                                              "hate/threatening",
                                              "illicit",
                                              "illicit/violent",
                                              "self-harm",
                                              "self-harm/intent",
                                              "self-harm/instructions",
                                              "sexual",
                                              "sexual/minors",
                                              "violence",
                                              "violence/graphic"};
    json cats = json::object();
    json cat_scores = json::object();
    bool flagged = false;
    for (const char* c : kCategories) {
        auto it = scores.find(c);
        double v = it != scores.end() ? it->second : 0.0001;
        cat_scores[c] = v;
        cats[c] = v >= 0.5;
        flagged = flagged || v >= 0.5;
    }
    FakeResponse r;
    r.body = json{{"id", "modr-fake"},
                  {"model", "omni-moderation-latest"},
                  {"results",
                   {{{"flagged", flagged}, {"categories", cats}, {"category_scores", cat_scores}}}}}
                 .dump();
    return r;
}

}  // namespace lg_test
