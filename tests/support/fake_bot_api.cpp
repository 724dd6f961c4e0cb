#include "support/fake_bot_api.h"

#include <httplib.h>

#include <thread>

namespace test_support {

using nlohmann::json;
using std::chrono::milliseconds;

struct FakeBotApi::Impl {
    httplib::Server server;
    std::thread thread;
};

namespace {

std::string ok_body(const json& result) { return json{{"ok", true}, {"result", result}}.dump(); }

std::string error_body(int code, const std::string& description, const json& parameters = {}) {
    json j = {{"ok", false}, {"error_code", code}, {"description", description}};
    if (!parameters.is_null()) j["parameters"] = parameters;
    return j.dump();
}

// Form fields and query parameters arrive as strings; JSON-looking ones are parsed back.
json param_value(const std::string& v) {
    json j = json::parse(v, nullptr, false);
    return j.is_discarded() ? json(v) : j;
}

int64_t int_param(const json& params, const char* key, int64_t fallback) {
    auto it = params.find(key);
    if (it == params.end()) return fallback;
    if (it->is_number_integer()) return it->get<int64_t>();
    if (it->is_string()) {
        try {
            return std::stoll(it->get<std::string>());
        } catch (...) {
            return fallback;
        }
    }
    return fallback;
}

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

FakeBotApi::FakeBotApi(std::string token) : token_(std::move(token)), impl_(new Impl) {
    me_ = {{"id", 4242}, {"is_bot", true}, {"first_name", "Fake Bot"}, {"username", "fake_bot"}};
    auto& svr = impl_->server;
    // Long polls hold a worker each: more workers than the default 8.
    svr.new_task_queue = [] { return new httplib::ThreadPool(16); };
    svr.set_tcp_nodelay(true);  // no 40 ms Nagle/delayed-ACK stall per answer under load
    auto route = [this](const httplib::Request& rq, httplib::Response& rs) {
        json params = json::object();
        if (!rq.body.empty() &&
            rq.get_header_value("Content-Type").find("json") != std::string::npos) {
            params = json::parse(rq.body, nullptr, false);
            if (params.is_discarded() || !params.is_object()) {
                record(rq.matches[2], json::object(), 400);
                rs.status = 400;
                rs.set_content(error_body(400, "Bad Request: can't parse JSON object"),
                               "application/json");
                return;
            }
        }
        for (const auto& [k, v] : rq.params) params[k] = param_value(v);
        Answer a = handle(rq.matches[1], rq.matches[2], std::move(params));
        rs.status = a.status;
        rs.set_content(a.body, "application/json");
    };
    svr.Post(R"(/bot([^/]*)/([A-Za-z]+))", route);
    svr.Get(R"(/bot([^/]*)/([A-Za-z]+))", route);
    port_ = svr.bind_to_any_port("127.0.0.1");
    impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
    while (!svr.is_running()) std::this_thread::sleep_for(milliseconds(1));
}

FakeBotApi::~FakeBotApi() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();  // ends long polls and slow answers at once
    impl_->server.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::string FakeBotApi::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeBotApi::record(const std::string& method, const json& params, int status) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        calls_.push_back({method, params, status});
    }
    cv_.notify_all();
}

FakeBotApi::Answer FakeBotApi::handle(const std::string& token, const std::string& method,
                                      json params) {
    if (token != token_) {
        record(method, params, 401);
        return {401, error_body(401, "Unauthorized")};
    }
    std::optional<Fault> fault;
    {
        std::unique_lock<std::mutex> lock(mu_);
        for (const std::string& key : {method, std::string("*")}) {
            auto it = faults_.find(key);
            if (it != faults_.end() && !it->second.empty()) {
                fault = it->second.front();
                it->second.pop_front();
                break;
            }
        }
        if (!fault && !chat_faults_.empty()) {
            auto it = chat_faults_.find(int_param(params, "chat_id", 0));
            if (it != chat_faults_.end()) fault = it->second;
        }
        if (fault && fault->kind == FaultKind::Slow) {
            cv_.wait_for(lock, fault->delay, [this] { return stopping_; });
            fault.reset();
        }
    }
    Answer a;
    if (!fault) {
        a = answer_method(method, params);
    } else {
        auto desc = [&](const char* d) {
            return fault->description.empty() ? d : fault->description;
        };
        switch (fault->kind) {
            case FaultKind::RateLimited:
                a = {429, error_body(429,
                                     desc(("Too Many Requests: retry after " +
                                           std::to_string(fault->retry_after_s))
                                              .c_str()),
                                     {{"retry_after", fault->retry_after_s}})};
                break;
            case FaultKind::ServerError:
                a = {500, error_body(500, desc("Internal Server Error"))};
                break;
            case FaultKind::MalformedJson:
                a = {200, R"({"ok":true,"result":{"message_id":)"};
                break;
            case FaultKind::BadRequest:
                a = {400, error_body(400, desc("Bad Request: chat not found"))};
                break;
            case FaultKind::Forbidden:
                a = {403, error_body(403, desc("Forbidden: bot was blocked by the user"))};
                break;
            case FaultKind::Unauthorized:
                a = {401, error_body(401, desc("Unauthorized"))};
                break;
            case FaultKind::NotOk:
                a = {200, error_body(400, desc("Bad Request: not ok"))};
                break;
            case FaultKind::Slow:
                break;
        }
    }
    record(method, params, a.status);
    return a;
}

FakeBotApi::Answer FakeBotApi::answer_method(const std::string& method, const json& params) {
    if (method == "getUpdates") return get_updates(params);
    std::lock_guard<std::mutex> lock(mu_);
    if (method == "getMe") return {200, ok_body(me_)};
    if (method == "sendMessage" || method == "editMessageText") {
        if (!params.contains("chat_id") || !params.contains("text")) {
            return {400, error_body(400, "Bad Request: chat_id and text are required")};
        }
        if (params["text"].is_string() && params["text"].get<std::string>().empty()) {
            return {400, error_body(400, "Bad Request: message text is empty")};
        }
        int64_t chat_id = int_param(params, "chat_id", 0);
        int64_t id =
            method == "sendMessage" ? next_message_id_++ : int_param(params, "message_id", 0);
        json msg = {{"message_id", id},
                    {"date", unix_now()},
                    {"from", me_},
                    {"chat", {{"id", chat_id}, {"type", chat_id < 0 ? "supergroup" : "private"}}},
                    {"text", params["text"]}};
        if (method == "editMessageText") msg["edit_date"] = unix_now();
        return {200, ok_body(msg)};
    }
    if (method == "getChatMember") {
        int64_t user_id = int_param(params, "user_id", 0);
        auto it = members_.find(user_id);
        if (it != members_.end()) return {200, ok_body(it->second)};
        json user = {{"id", user_id}, {"is_bot", false}, {"first_name", "User"}};
        return {200, ok_body({{"status", "member"}, {"user", user}})};
    }
    if (method == "setWebhook") {
        webhook_url_ = params.value("url", std::string());
        return {200, ok_body(true)};
    }
    if (method == "deleteWebhook") {
        webhook_url_.clear();
        return {200, ok_body(true)};
    }
    if (method == "getWebhookInfo") {
        json info = {{"url", webhook_url_},
                     {"has_custom_certificate", false},
                     {"pending_update_count", static_cast<int64_t>(updates_.size())}};
        return {200, ok_body(info)};
    }
    if (method == "deleteMessage" || method == "restrictChatMember" || method == "banChatMember" ||
        method == "sendChatAction" || method == "unbanChatMember" ||
        method == "answerCallbackQuery") {
        return {200, ok_body(true)};
    }
    return {404, error_body(404, "Not Found: method not found")};
}

FakeBotApi::Answer FakeBotApi::get_updates(const json& params) {
    const int64_t offset = int_param(params, "offset", 0);
    const int64_t limit = std::clamp<int64_t>(int_param(params, "limit", 100), 1, 100);
    const int64_t timeout_s = std::max<int64_t>(0, int_param(params, "timeout", 0));
    std::unique_lock<std::mutex> lock(mu_);
    // Like Telegram: an offset confirms every update before it, which is then forgotten.
    if (offset > 0) {
        while (!updates_.empty() && updates_.front().value("update_id", int64_t{0}) < offset) {
            updates_.pop_front();
        }
        confirmed_offset_ = std::max(confirmed_offset_, offset);
    } else if (offset < 0) {
        while (static_cast<int64_t>(updates_.size()) > -offset) updates_.pop_front();
    }
    cv_.notify_all();
    cv_.wait_for(lock, std::chrono::seconds(timeout_s),
                 [this] { return stopping_ || !updates_.empty(); });
    json result = json::array();
    for (size_t i = 0; i < updates_.size() && static_cast<int64_t>(i) < limit; ++i) {
        result.push_back(updates_[i]);
    }
    return {200, ok_body(result)};
}

int64_t FakeBotApi::push_update(json update) {
    int64_t id = 0;
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (update.contains("update_id") && update["update_id"].is_number_integer()) {
            id = update["update_id"].get<int64_t>();
            next_update_id_ = std::max(next_update_id_, id + 1);
        } else {
            id = next_update_id_++;
            update["update_id"] = id;
        }
        updates_.push_back(std::move(update));
    }
    cv_.notify_all();
    return id;
}

size_t FakeBotApi::pending_updates() const {
    std::lock_guard<std::mutex> lock(mu_);
    return updates_.size();
}

int64_t FakeBotApi::confirmed_offset() const {
    std::lock_guard<std::mutex> lock(mu_);
    return confirmed_offset_;
}

bool FakeBotApi::wait_until_confirmed(milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return confirmed_offset_ >= next_update_id_; });
}

json FakeBotApi::text_update(int64_t chat_id, int64_t user_id, std::string text,
                             int64_t message_id) {
    json from = {{"id", user_id},
                 {"is_bot", false},
                 {"first_name", "Test"},
                 {"last_name", "User"},
                 {"username", "user" + std::to_string(user_id)},
                 {"language_code", "en"}};
    json chat = chat_id < 0 ? json{{"id", chat_id}, {"type", "supergroup"}, {"title", "Test Group"}}
                            : json{{"id", chat_id},
                                   {"type", "private"},
                                   {"first_name", "Test"},
                                   {"username", "user" + std::to_string(user_id)}};
    json msg = {{"message_id", message_id},
                {"from", from},
                {"chat", chat},
                {"date", unix_now()},
                {"text", text}};
    if (!text.empty() && text[0] == '/') {
        size_t end = text.find(' ');
        msg["entities"] = json::array({{{"type", "bot_command"},
                                        {"offset", 0},
                                        {"length", end == std::string::npos ? text.size() : end}}});
    }
    return {{"message", msg}};
}

std::vector<RecordedCall> FakeBotApi::calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
}

std::vector<RecordedCall> FakeBotApi::calls(std::string_view method) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<RecordedCall> out;
    for (const auto& c : calls_) {
        if (c.method == method) out.push_back(c);
    }
    return out;
}

size_t FakeBotApi::call_count(std::string_view method) const { return calls(method).size(); }

bool FakeBotApi::wait_for_calls(std::string_view method, size_t n, milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
        size_t count = 0;
        for (const auto& c : calls_) count += c.method == method ? 1 : 0;
        return count >= n;
    });
}

std::vector<std::string> FakeBotApi::sent_texts(std::optional<int64_t> chat_id) const {
    std::vector<std::string> out;
    for (const auto& c : calls("sendMessage")) {
        if (c.status != 200 || !c.params.contains("text")) continue;
        if (chat_id && int_param(c.params, "chat_id", 0) != *chat_id) continue;
        out.push_back(c.params["text"].is_string() ? c.params["text"].get<std::string>()
                                                   : c.params["text"].dump());
    }
    return out;
}

void FakeBotApi::clear_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.clear();
}

void FakeBotApi::fail_next(const std::string& method, Fault fault, int times) {
    std::lock_guard<std::mutex> lock(mu_);
    for (int i = 0; i < times; ++i) faults_[method].push_back(fault);
}

void FakeBotApi::rate_limit_next(const std::string& method, int retry_after_s, int times) {
    Fault f;
    f.kind = FaultKind::RateLimited;
    f.retry_after_s = retry_after_s;
    fail_next(method, f, times);
}

void FakeBotApi::server_error_next(const std::string& method, int times) {
    Fault f;
    f.kind = FaultKind::ServerError;
    fail_next(method, f, times);
}

void FakeBotApi::malformed_next(const std::string& method, int times) {
    Fault f;
    f.kind = FaultKind::MalformedJson;
    fail_next(method, f, times);
}

void FakeBotApi::delay_next(const std::string& method, milliseconds delay, int times) {
    Fault f;
    f.kind = FaultKind::Slow;
    f.delay = delay;
    fail_next(method, f, times);
}

void FakeBotApi::fail_chat(int64_t chat_id, Fault fault) {
    std::lock_guard<std::mutex> lock(mu_);
    chat_faults_[chat_id] = std::move(fault);
}

void FakeBotApi::clear_chat_faults() {
    std::lock_guard<std::mutex> lock(mu_);
    chat_faults_.clear();
}

void FakeBotApi::set_me(json user) {
    std::lock_guard<std::mutex> lock(mu_);
    me_ = std::move(user);
}

void FakeBotApi::set_chat_member(int64_t user_id, json member) {
    std::lock_guard<std::mutex> lock(mu_);
    members_[user_id] = std::move(member);
}

void FakeBotApi::set_chat_member_status(int64_t user_id, const std::string& status) {
    json user = {{"id", user_id}, {"is_bot", false}, {"first_name", "User"}};
    json member = {{"status", status}, {"user", user}};
    if (status == "administrator") {
        member["can_delete_messages"] = true;
        member["can_restrict_members"] = true;
    }
    set_chat_member(user_id, std::move(member));
}

std::string FakeBotApi::webhook_url() const {
    std::lock_guard<std::mutex> lock(mu_);
    return webhook_url_;
}

}  // namespace test_support
