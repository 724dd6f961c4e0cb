#include "llm/openai_chat_model.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/redact.h"
#include "core/strings.h"
#include "llm/detail/openai_http.h"
#include "net/sse.h"

namespace llm {
namespace {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

FinishReason finish_from_api(const std::string& s) {
    return s == "length" ? FinishReason::Length : FinishReason::Stop;
}

void read_usage(const json& j, Usage& usage) {
    if (!j.contains("usage") || !j["usage"].is_object()) return;
    const json& u = j["usage"];
    if (u.contains("prompt_tokens") && u["prompt_tokens"].is_number()) {
        usage.prompt_tokens = u["prompt_tokens"].get<int64_t>();
    }
    if (u.contains("completion_tokens") && u["completion_tokens"].is_number()) {
        usage.completion_tokens = u["completion_tokens"].get<int64_t>();
    }
}

std::string excerpt(std::string_view s) {
    std::string e(s.substr(0, core::utf8_safe_prefix(s, 80)));
    return core::redact(e) + (s.size() > e.size() ? "..." : "");
}

// The state of one streamed answer, fed event by event.
struct StreamState {
    const ChatModel::OnDelta* on_delta = nullptr;
    core::Clock* clock = nullptr;
    net::SseParser sse;
    std::string text;
    std::optional<std::string> finish;
    Usage usage;
    bool done = false;
    bool any_event = false;
    std::optional<core::SteadyTime> first_delta;
    int n_deltas = 0;
    std::string error;  // a mid-stream error object, malformed JSON, or a broken SSE stream
    core::ErrorCode error_code = core::ErrorCode::Http;

    // False stops the transfer.
    bool on_event(const net::SseEvent& e) {
        any_event = true;
        if (e.data == "[DONE]") {
            done = true;
            return true;
        }
        json j = json::parse(e.data, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            error = "openai: malformed JSON in the stream: " + excerpt(e.data);
            error_code = core::ErrorCode::Parse;
            return false;
        }
        if (j.contains("error") && !j["error"].is_null()) {
            error = "openai: error in the stream: " + detail::server_error_message(e.data);
            return false;
        }
        read_usage(j, usage);
        if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty()) return true;
        const json& c = j["choices"][0];
        if (c.contains("delta") && c["delta"].is_object() && c["delta"].contains("content") &&
            c["delta"]["content"].is_string()) {
            const std::string& d = c["delta"]["content"].get_ref<const std::string&>();
            if (!d.empty()) {
                if (!first_delta) first_delta = clock->now();
                ++n_deltas;
                text += d;
                if (*on_delta) (*on_delta)(d);
            }
        }
        if (c.contains("finish_reason") && c["finish_reason"].is_string()) {
            finish = c["finish_reason"].get<std::string>();
        }
        return true;
    }

    bool feed(std::string_view chunk) {
        if (!error.empty()) return false;
        bool keep = true;
        auto st = sse.feed(chunk, [&](const net::SseEvent& e) {
            if (keep) keep = on_event(e);
        });
        if (!st) {
            error = "openai: " + st.error().message;
            error_code = core::ErrorCode::Parse;
            return false;
        }
        return keep;
    }
};

}  // namespace

OpenAiChatModel::OpenAiChatModel(OpenAiOptions options, std::shared_ptr<net::HttpClient> http)
    : options_(std::move(options)),
      http_(std::move(http)),
      max_completion_tokens_(options_.use_max_completion_tokens) {
    LG_CHECK(http_ != nullptr, "OpenAiChatModel needs an HttpClient");
    core::register_secret(options_.api_key);
    while (!options_.base_url.empty() && options_.base_url.back() == '/')
        options_.base_url.pop_back();
}

core::Clock& OpenAiChatModel::clock() const {
    return options_.clock != nullptr ? *options_.clock : core::SystemClock::instance();
}

std::string OpenAiChatModel::chat_body(const std::vector<ChatMessage>& messages,
                                       const ChatParams& params, bool stream) const {
    json msgs = json::array();
    for (const auto& m : messages)
        msgs.push_back({{"role", role_name(m.role)}, {"content", m.content}});
    json body = {{"model", options_.model},
                 {"messages", std::move(msgs)},
                 {"temperature", params.temperature},
                 {"top_p", params.top_p}};
    body[max_completion_tokens_ ? "max_completion_tokens" : "max_tokens"] = params.max_tokens;
    if (!params.stop.empty()) body["stop"] = params.stop;
    if (params.seed) body["seed"] = *params.seed;
    if (stream) {
        body["stream"] = true;
        body["stream_options"] = {{"include_usage", true}};
    }
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<Reply> OpenAiChatModel::chat(const std::vector<ChatMessage>& messages,
                                          const ChatParams& params, core::Deadline deadline,
                                          const OnDelta& on_delta) {
    const bool stream = options_.stream && static_cast<bool>(on_delta);
    for (int adapt = 0;; ++adapt) {
        const std::string body = chat_body(messages, params, stream);
        auto r =
            stream ? chat_streamed(body, deadline, on_delta) : chat_whole(body, deadline, on_delta);
        // Reasoning models refuse max_tokens and name the field they want instead.
        if (!r && adapt == 0 && r.error().http_status == 400 && !max_completion_tokens_ &&
            detail::mentions(r.error().message, "max_completion_tokens")) {
            core::log::info("openai: the server wants max_completion_tokens; using it from now on");
            max_completion_tokens_ = true;
            continue;
        }
        return r;
    }
}

core::Result<Reply> OpenAiChatModel::chat_streamed(const std::string& body, core::Deadline deadline,
                                                   const OnDelta& on_delta) {
    const core::SteadyTime start = clock().now();
    std::unique_ptr<StreamState> st;
    auto fresh = [&] {
        st = std::make_unique<StreamState>();
        st->on_delta = &on_delta;
        st->clock = &clock();
    };
    fresh();
    detail::Endpoint ep{http_.get(),    options_.base_url, options_.api_key,
                        options_.model, options_.retry,    &clock()};
    // A retry is allowed only while nothing reached on_delta, and starts from a fresh state.
    auto may_retry = [&] {
        if (!st->text.empty()) return false;
        fresh();
        return true;
    };
    auto r = detail::post_json(
        ep, "/chat/completions", body, deadline,
        [&](std::string_view chunk) { return st->feed(chunk); }, may_retry);
    Reply reply;
    reply.text = st->text;
    reply.usage = st->usage;
    const core::SteadyTime end = clock().now();
    reply.timings.total = duration_cast<milliseconds>(end - start);
    if (st->first_delta) {
        reply.timings.ttft = duration_cast<milliseconds>(*st->first_delta - start);
        const double gen_s = std::chrono::duration<double>(end - *st->first_delta).count();
        const double n = st->usage.completion_tokens > 0
                             ? static_cast<double>(st->usage.completion_tokens)
                             : static_cast<double>(st->n_deltas);
        if (gen_s > 0) reply.timings.tokens_per_s = n / gen_s;
    }
    if (!r) {
        if (st->text.empty()) return core::fail(std::move(r).error());
        const bool late = r.error().code == core::ErrorCode::Timeout || deadline.expired();
        reply.finish_reason = late ? FinishReason::Deadline : FinishReason::Error;
        if (!late) reply.error = r.error().message;
        return reply;
    }
    if (!st->error.empty() || (!st->done && !st->finish)) {
        std::string why = st->error;
        if (why.empty() && st->any_event) why = "openai: the stream ended before [DONE]";
        if (why.empty()) {
            why = "openai: the response is not an event stream (a server without streaming?)";
            st->error_code = core::ErrorCode::Parse;
        }
        if (st->text.empty()) return core::fail(st->error_code, why);
        reply.finish_reason = FinishReason::Error;
        reply.error = why;
        return reply;
    }
    reply.finish_reason = finish_from_api(st->finish.value_or("stop"));
    return reply;
}

core::Result<Reply> OpenAiChatModel::chat_whole(const std::string& body, core::Deadline deadline,
                                                const OnDelta& on_delta) {
    const core::SteadyTime start = clock().now();
    detail::Endpoint ep{http_.get(),    options_.base_url, options_.api_key,
                        options_.model, options_.retry,    &clock()};
    auto r = detail::post_json(ep, "/chat/completions", body, deadline, nullptr, nullptr);
    if (!r) return core::fail(std::move(r).error());
    json j = json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("choices") || !j["choices"].is_array() ||
        j["choices"].empty() || !j["choices"][0].is_object()) {
        return core::fail(core::ErrorCode::Parse,
                          "openai: the response is not a chat completion: " + excerpt(r->body));
    }
    const json& c = j["choices"][0];
    Reply reply;
    if (c.contains("message") && c["message"].is_object() && c["message"].contains("content") &&
        c["message"]["content"].is_string()) {
        reply.text = c["message"]["content"].get<std::string>();
    }
    if (c.contains("finish_reason") && c["finish_reason"].is_string()) {
        reply.finish_reason = finish_from_api(c["finish_reason"].get<std::string>());
    }
    read_usage(j, reply.usage);
    const core::SteadyTime end = clock().now();
    reply.timings.total = duration_cast<milliseconds>(end - start);
    reply.timings.ttft = reply.timings.total;
    if (!reply.text.empty() && on_delta) on_delta(reply.text);
    return reply;
}

}  // namespace llm
