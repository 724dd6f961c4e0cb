#include "runtime/lambda_runtime.h"

#include <stdlib.h>

#include <charconv>
#include <exception>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "net/retry.h"

namespace runtime {

namespace {

constexpr core::Millis kPostTimeout{10'000};

std::optional<int64_t> parse_int64(const std::string& s) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

std::string error_body(const std::string& error_type, const std::string& message) {
    nlohmann::json j = {{"errorMessage", message}, {"errorType", error_type}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

RuntimeApiClient::RuntimeApiClient(net::HttpClient& http, std::string runtime_api)
    : http_(http), base_("http://" + runtime_api + "/2018-06-01/runtime") {}

core::Result<Invocation> RuntimeApiClient::next() {
    net::HttpRequest req{.method = "GET", .url = base_ + "/invocation/next"};
    core::Result<net::HttpResponse> resp = http_.send(req, core::Deadline::never());
    if (!resp) return core::fail(std::move(resp).error());
    if (resp->status == 500) {
        core::Error e(core::ErrorCode::Cancelled,
                      "lambda: the Runtime API answered 500 to invocation/next: the runtime must exit");
        e.http_status = 500;
        return core::fail(std::move(e));
    }
    if (resp->status != 200) {
        core::Error e(core::ErrorCode::Http, "lambda: the Runtime API answered " +
                                                 std::to_string(resp->status) + " to invocation/next");
        e.http_status = resp->status;
        return core::fail(std::move(e));
    }
    Invocation inv;
    inv.request_id = resp->header("Lambda-Runtime-Aws-Request-Id");
    if (inv.request_id.empty()) {
        return core::fail(core::ErrorCode::Parse,
                          "lambda: invocation/next has no Lambda-Runtime-Aws-Request-Id header");
    }
    inv.payload = std::move(resp->body);
    inv.deadline_ms = parse_int64(resp->header("Lambda-Runtime-Deadline-Ms"));
    inv.function_arn = resp->header("Lambda-Runtime-Invoked-Function-Arn");
    inv.trace_id = resp->header("Lambda-Runtime-Trace-Id");
    return inv;
}

core::Status RuntimeApiClient::post(const std::string& path, const std::string& body,
                                    const net::Headers& headers) {
    net::HttpRequest req{.method = "POST", .url = base_ + path, .headers = headers, .body = body};
    req.headers.emplace_back("Content-Type", "application/json");
    core::Result<net::HttpResponse> resp = http_.send(req, core::Deadline::after(kPostTimeout));
    if (!resp) return core::fail(std::move(resp).error());
    if (resp->status == 500) {
        core::Error e(core::ErrorCode::Cancelled, "lambda: the Runtime API answered 500 to " + path +
                                                      ": the runtime must exit");
        e.http_status = 500;
        return core::fail(std::move(e));
    }
    if (resp->status < 200 || resp->status >= 300) {
        // 400 (unknown/expired request id) and 413 (payload too large) are not fatal.
        core::Error e(core::ErrorCode::Http, "lambda: the Runtime API answered " +
                                                 std::to_string(resp->status) + " to " + path);
        e.http_status = resp->status;
        return core::fail(std::move(e));
    }
    return core::ok();
}

core::Status RuntimeApiClient::respond(const std::string& request_id, const std::string& payload) {
    return post("/invocation/" + request_id + "/response", payload, {});
}

core::Status RuntimeApiClient::report_error(const std::string& request_id,
                                            const std::string& error_type,
                                            const std::string& message) {
    return post("/invocation/" + request_id + "/error", error_body(error_type, message),
                {{"Lambda-Runtime-Function-Error-Type", error_type}});
}

core::Status RuntimeApiClient::report_init_error(const std::string& error_type,
                                                 const std::string& message) {
    return post("/init/error", error_body(error_type, message),
                {{"Lambda-Runtime-Function-Error-Type", error_type}});
}

core::Deadline invocation_deadline(const Invocation& inv, const LambdaLoopOptions& options) {
    core::Clock& clock = options.clock ? *options.clock : core::SystemClock::instance();
    if (!inv.deadline_ms) return core::Deadline::after(options.default_timeout, clock);
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         clock.wall_now().time_since_epoch())
                         .count();
    core::Millis left{*inv.deadline_ms - now_ms};
    return core::Deadline::after(left, clock).minus(options.deadline_margin);
}

namespace {

bool is_fatal(const core::Error& e) { return e.http_status == 500; }

// Handles one invocation and posts its outcome; an error only when the Runtime API is unusable.
core::Status serve_one(RuntimeApiClient& api, LambdaEventHandler& handler, const Invocation& inv,
                       const LambdaLoopOptions& options) {
    core::log::ScopedField rid("request_id", inv.request_id);
    if (options.set_trace_env) {
        if (inv.trace_id.empty()) {
            ::unsetenv("_X_AMZN_TRACE_ID");
        } else {
            ::setenv("_X_AMZN_TRACE_ID", inv.trace_id.c_str(), 1);
        }
    }
    core::Status posted = core::ok();
    try {
        LambdaReply reply = handler.invoke(inv.payload, invocation_deadline(inv, options));
        core::log::info("lambda: invocation done: {} {}", reply.status,
                        invocation_result_name(reply.result));
        posted = api.respond(inv.request_id, reply.payload);
    } catch (const std::exception& e) {
        core::log::error("lambda: invocation failed: {}", e.what());
        posted = api.report_error(inv.request_id, "Runtime.UnhandledException", e.what());
    } catch (...) {
        core::log::error("lambda: invocation failed with a non-standard exception");
        posted = api.report_error(inv.request_id, "Runtime.UnhandledException", "unknown exception");
    }
    if (!posted) {
        if (is_fatal(posted.error())) return posted;
        core::log::warn("lambda: could not post the result: {}", posted.error().message);
    }
    return core::ok();
}

}  // namespace

core::Status run_lambda_loop(RuntimeApiClient& api, LambdaEventHandler& handler,
                             const LambdaLoopOptions& options) {
    core::Clock& clock = options.clock ? *options.clock : core::SystemClock::instance();
    net::RetryPolicy policy{.max_attempts = 5, .base_delay = core::Millis(100),
                            .max_delay = core::Millis(2000)};
    int64_t served = 0;
    std::optional<net::Backoff> backoff;
    while (!(options.stop && options.stop->load())) {
        if (options.max_invocations && served >= *options.max_invocations) break;
        core::Result<Invocation> inv = api.next();
        if (!inv) {
            const core::Error& e = inv.error();
            if (is_fatal(e)) {
                core::log::info("{}", e.message);
                return core::fail(e);
            }
            if (!backoff) backoff.emplace(policy, clock, core::Deadline::never());
            if (!backoff->wait_before_retry(e)) {
                return core::fail(e.code, "lambda: cannot reach the Runtime API: " + e.message);
            }
            core::log::warn("lambda: invocation/next failed ({}); retrying", e.message);
            continue;
        }
        backoff.reset();
        ++served;
        LG_TRY(serve_one(api, handler, *inv, options));
    }
    return core::ok();
}

}  // namespace runtime
