// The AWS Lambda custom runtime: a client of the Runtime API (AWS_LAMBDA_RUNTIME_API, host:port)
// and the loop `lambdagram lambda` runs: next invocation, handle it, post the response, forever.
// A 500 from the Runtime API means the sandbox is going away: the loop returns at once.
//   runtime::RuntimeApiClient api(http, "127.0.0.1:9001");
//   core::Status st = runtime::run_lambda_loop(api, event_handler, {});   // returns on 500/stop
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "net/http_client.h"
#include "runtime/lambda_handler.h"

namespace runtime {

// One invocation as GET /runtime/invocation/next hands it out.
struct Invocation {
    std::string request_id;
    std::string payload;
    std::optional<int64_t> deadline_ms;  // Lambda-Runtime-Deadline-Ms: Unix epoch milliseconds
    std::string function_arn;
    std::string trace_id;
};

class RuntimeApiClient {
public:
    // `runtime_api` is host:port (the value of AWS_LAMBDA_RUNTIME_API).
    RuntimeApiClient(net::HttpClient& http, std::string runtime_api);

    // Waits for the next invocation (no client-side timeout). A 500 answer is an Error with
    // http_status 500 and code Cancelled: the runtime must exit.
    core::Result<Invocation> next();
    core::Status respond(const std::string& request_id, const std::string& payload);
    core::Status report_error(const std::string& request_id, const std::string& error_type,
                              const std::string& message);
    // POST /runtime/init/error: start-up failed (bad config, missing model).
    core::Status report_init_error(const std::string& error_type, const std::string& message);

private:
    core::Status post(const std::string& path, const std::string& body, const net::Headers& headers);

    net::HttpClient& http_;
    std::string base_;  // http://host:port/2018-06-01/runtime
};

struct LambdaLoopOptions {
    core::Millis deadline_margin{1500};    // subtracted from Lambda's deadline for the bot
    core::Millis default_timeout{50'000};  // when the deadline header is missing
    // Stop after this many invocations (tests); unset: run until the Runtime API says stop.
    std::optional<int64_t> max_invocations{};
    // Checked between invocations (a waiting GET next is not interrupted).
    const std::atomic<bool>* stop = nullptr;
    core::Clock* clock = nullptr;  // for deadlines; nullptr: the system clock
    // Sets _X_AMZN_TRACE_ID from Lambda-Runtime-Trace-Id (off in tests running loops in threads).
    bool set_trace_env = true;
};

// The bot's deadline for an invocation: Lambda's deadline (epoch ms) minus the margin, or
// default_timeout from now when Lambda sent none.
core::Deadline invocation_deadline(const Invocation& inv, const LambdaLoopOptions& options);

// Serves invocations until the Runtime API answers 500 (returns an Error with http_status 500),
// stop is set, or max_invocations are done (both return ok). Network errors talking to the
// Runtime API are retried with backoff a few times, then returned. A per-invocation catch-all
// posts /error and goes on.
core::Status run_lambda_loop(RuntimeApiClient& api, LambdaEventHandler& handler,
                             const LambdaLoopOptions& options);

}  // namespace runtime
