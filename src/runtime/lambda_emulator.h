// A local AWS Lambda for tests and for trying `lambdagram lambda` without Docker or AWS: the
// Runtime API (/2018-06-01/runtime/...) and the public invoke URL
// (POST /2015-03-31/functions/function/invocations, as AWS's Runtime Interface Emulator) on
// loopback. One invocation at a time, a function timeout enforced, responses, function errors
// and init errors reported. tools/lambda-emulator runs it around a real `lambdagram lambda` process.
//   runtime::LambdaEmulator emu({.timeout = std::chrono::seconds(5)});
//   emu.start();  // then run the runtime with AWS_LAMBDA_RUNTIME_API=emu.runtime_api()
//   runtime::EmulatedResult r = emu.invoke(R"({"update_id":1})");
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/result.h"

namespace httplib {
class Server;
}

namespace runtime {

// Waits (up to 5 s) until `svr` serves after listen_after_bind() started on another thread.
void wait_until_running(httplib::Server& svr);

struct EmulatorOptions {
    std::string host = "127.0.0.1";
    int port = 0;                      // 0: any free port
    core::Millis timeout{30'000};      // the function's timeout, sent as the deadline
    std::string function_name = "function";
    size_t max_payload_bytes = 6 * 1024 * 1024;  // Lambda's synchronous payload limit
};

enum class EmulatedOutcome {
    Response,       // the runtime posted /response
    FunctionError,  // the runtime posted /error
    Timeout,        // nothing posted before the timeout
    InitError,      // the runtime posted /init/error (now or before)
    Stopped,        // the emulator was stopped while waiting
};
const char* emulated_outcome_name(EmulatedOutcome outcome);

struct EmulatedResult {
    EmulatedOutcome outcome = EmulatedOutcome::Response;
    std::string request_id;
    std::string body;        // the response payload, or the error JSON
    std::string error_type;  // for errors: errorType / the error-type header
    core::Millis duration{0};
};

struct EmulatorStats {
    int64_t invocations = 0;
    int64_t responses = 0;
    int64_t function_errors = 0;
    int64_t timeouts = 0;
    int64_t rejected_posts = 0;  // posts for unknown or expired request ids
    int64_t next_calls = 0;      // GET invocation/next received
};

class LambdaEmulator {
public:
    explicit LambdaEmulator(EmulatorOptions options = {});
    ~LambdaEmulator();  // stop()
    LambdaEmulator(const LambdaEmulator&) = delete;
    LambdaEmulator& operator=(const LambdaEmulator&) = delete;

    // Binds and serves from background threads.
    core::Status start();
    // Answers waiting calls (invocation/next gets 500, invoke() gets Stopped) and stops serving.
    void stop();

    int port() const { return port_; }
    // The value for AWS_LAMBDA_RUNTIME_API: "127.0.0.1:<port>".
    std::string runtime_api() const;
    // http://127.0.0.1:<port>/2015-03-31/functions/function/invocations
    std::string invoke_url() const;

    // Runs one invocation (waiting for a runtime to fetch it) and returns its outcome.
    // Invocations are served one at a time, like one Lambda sandbox; concurrent calls queue.
    EmulatedResult invoke(const std::string& payload);

    // From now on invocation/next answers 500 (the runtime must exit), until allow_runtime().
    void exit_runtime();
    void allow_runtime();
    // The init error the runtime posted ("<errorType>: <errorMessage>"), if any.
    std::optional<std::string> init_error() const;
    void clear_init_error();
    // Called (outside locks) after an invocation timed out: the tool kills and restarts the
    // runtime process here, as Lambda does.
    void set_on_timeout(std::function<void()> callback);

    EmulatorStats stats() const;

private:
    struct State;
    std::unique_ptr<State> state_;
    EmulatorOptions options_;
    int port_ = 0;
    std::thread thread_;
    std::function<void()> on_timeout_;
};

}  // namespace runtime
