#include "runtime/lambda_emulator.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <random>

#include "core/log.h"

namespace runtime {

namespace {

constexpr const char* kRuntimePrefix = "/2018-06-01/runtime";

int64_t epoch_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string error_json(const std::string& type, const std::string& message) {
    return nlohmann::json{{"errorMessage", message}, {"errorType", type}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// errorType from a posted error body, else the header, else a default.
std::string posted_error_type(const httplib::Request& req) {
    auto j = nlohmann::json::parse(req.body, nullptr, false);
    if (j.is_object() && j.contains("errorType") && j["errorType"].is_string()) {
        return j["errorType"].get<std::string>();
    }
    std::string h = req.get_header_value("Lambda-Runtime-Function-Error-Type");
    return h.empty() ? "Unknown" : h;
}

}  // namespace

// httplib's stop() does nothing before listen_after_bind() has started, so a stop() right after
// start() would leave the thread listening forever; start() waits for it to run.
void wait_until_running(httplib::Server& svr) {
    for (int i = 0; i < 5000 && !svr.is_running(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

const char* emulated_outcome_name(EmulatedOutcome outcome) {
    switch (outcome) {
        case EmulatedOutcome::Response: return "response";
        case EmulatedOutcome::FunctionError: return "function-error";
        case EmulatedOutcome::Timeout: return "timeout";
        case EmulatedOutcome::InitError: return "init-error";
        case EmulatedOutcome::Stopped: return "stopped";
    }
    return "?";
}

// The invocation in hand (at most one) and everything the HTTP handlers share.
struct LambdaEmulator::State {
    httplib::Server svr;
    std::mutex invoke_mu;  // one invocation at a time
    mutable std::mutex mu;
    std::condition_variable cv;
    bool stopping = false;
    bool exit_runtime = false;
    std::optional<std::string> init_error;
    std::string init_error_body;
    // The current invocation.
    bool has_pending = false;
    bool dispatched = false;
    std::string request_id;
    std::string payload;
    int64_t deadline_ms = 0;
    std::optional<EmulatedResult> result;
    EmulatorStats stats;
    std::mt19937_64 rng{std::random_device{}()};

    std::string new_request_id() {
        // Shaped like Lambda's (a UUID), random so ids differ across emulator runs.
        auto hex = [this](int n) {
            std::string s;
            for (int i = 0; i < n; ++i) s.push_back("0123456789abcdef"[rng() % 16]);
            return s;
        };
        return hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12);
    }

    void handle_next(const std::string& function_arn, httplib::Response& res);
    void handle_post(const std::string& id, bool is_error, const httplib::Request& req,
                     httplib::Response& res);
    void handle_init_error(const httplib::Request& req, httplib::Response& res);
};

void LambdaEmulator::State::handle_next(const std::string& function_arn, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mu);
    ++stats.next_calls;
    cv.wait(lock, [this] { return stopping || exit_runtime || (has_pending && !dispatched); });
    if (stopping || exit_runtime) {
        res.status = 500;
        res.set_content(error_json("Runtime.ExitError", "the runtime must exit"), "application/json");
        return;
    }
    dispatched = true;
    res.status = 200;
    res.set_header("Lambda-Runtime-Aws-Request-Id", request_id);
    res.set_header("Lambda-Runtime-Deadline-Ms", std::to_string(deadline_ms));
    res.set_header("Lambda-Runtime-Invoked-Function-Arn", function_arn);
    res.set_header("Lambda-Runtime-Trace-Id",
                   "Root=1-" + request_id.substr(0, 8) + "-emulator;Sampled=0");
    res.set_content(payload, "application/json");
}

void LambdaEmulator::State::handle_post(const std::string& id, bool is_error,
                                        const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    if (!has_pending || !dispatched || result || id != request_id) {
        ++stats.rejected_posts;
        res.status = 400;
        res.set_content(error_json("InvalidRequestID", "unknown or expired request id " + id),
                        "application/json");
        return;
    }
    EmulatedResult r;
    r.request_id = id;
    r.body = req.body;
    if (is_error) {
        r.outcome = EmulatedOutcome::FunctionError;
        r.error_type = posted_error_type(req);
        ++stats.function_errors;
    } else {
        ++stats.responses;
    }
    result = std::move(r);
    cv.notify_all();
    res.status = 202;
    res.set_content(R"({"status":"OK"})", "application/json");
}

void LambdaEmulator::State::handle_init_error(const httplib::Request& req, httplib::Response& res) {
    std::string type = posted_error_type(req);
    std::string message;
    auto j = nlohmann::json::parse(req.body, nullptr, false);
    if (j.is_object() && j.contains("errorMessage") && j["errorMessage"].is_string()) {
        message = j["errorMessage"].get<std::string>();
    }
    core::log::warn("lambda-emulator: init error: {}: {}", type, message);
    std::lock_guard<std::mutex> lock(mu);
    init_error = type + ": " + message;
    init_error_body = error_json(type, message);
    cv.notify_all();
    res.status = 202;
    res.set_content(R"({"status":"OK"})", "application/json");
}

LambdaEmulator::LambdaEmulator(EmulatorOptions options)
    : state_(std::make_unique<State>()), options_(std::move(options)) {}

LambdaEmulator::~LambdaEmulator() { stop(); }

core::Status LambdaEmulator::start() {
    State& s = *state_;
    std::string arn = "arn:aws:lambda:us-east-1:000000000000:function:" + options_.function_name;
    std::string prefix = kRuntimePrefix;
    s.svr.set_payload_max_length(options_.max_payload_bytes);
    s.svr.set_tcp_nodelay(true);        // no Nagle + delayed-ACK stall per exchange
    s.svr.set_keep_alive_timeout(1);    // stop() waits this long for idle keep-alive clients
    s.svr.Get(prefix + "/invocation/next",
              [&s, arn](const httplib::Request&, httplib::Response& res) { s.handle_next(arn, res); });
    s.svr.Post(prefix + R"(/invocation/([^/]+)/response)",
               [&s](const httplib::Request& req, httplib::Response& res) {
                   s.handle_post(req.matches[1], false, req, res);
               });
    s.svr.Post(prefix + R"(/invocation/([^/]+)/error)",
               [&s](const httplib::Request& req, httplib::Response& res) {
                   s.handle_post(req.matches[1], true, req, res);
               });
    s.svr.Post(prefix + "/init/error", [&s](const httplib::Request& req, httplib::Response& res) {
        s.handle_init_error(req, res);
    });
    s.svr.Post(R"(/2015-03-31/functions/([^/]+)/invocations)",
               [this](const httplib::Request& req, httplib::Response& res) {
                   EmulatedResult r = invoke(req.body);
                   res.status = 200;
                   if (r.outcome != EmulatedOutcome::Response) {
                       res.set_header("X-Amz-Function-Error", "Unhandled");
                   }
                   res.set_header("X-Amz-Request-Id", r.request_id);
                   res.set_content(r.body, "application/json");
               });
    port_ = options_.port == 0 ? s.svr.bind_to_any_port(options_.host)
                               : (s.svr.bind_to_port(options_.host, options_.port) ? options_.port : -1);
    if (port_ <= 0) {
        return core::fail(core::ErrorCode::Io, "lambda-emulator: cannot listen on " + options_.host +
                                                   ":" + std::to_string(options_.port) +
                                                   " (is the port in use?)");
    }
    thread_ = std::thread([&s] { s.svr.listen_after_bind(); });
    wait_until_running(s.svr);
    return core::ok();
}

void LambdaEmulator::stop() {
    {
        std::lock_guard<std::mutex> lock(state_->mu);
        state_->stopping = true;
    }
    state_->cv.notify_all();
    if (thread_.joinable()) {
        state_->svr.stop();
        thread_.join();
    }
}

std::string LambdaEmulator::runtime_api() const {
    return options_.host + ":" + std::to_string(port_);
}

std::string LambdaEmulator::invoke_url() const {
    return "http://" + runtime_api() + "/2015-03-31/functions/function/invocations";
}

EmulatedResult LambdaEmulator::invoke(const std::string& payload) {
    State& s = *state_;
    std::lock_guard<std::mutex> one_at_a_time(s.invoke_mu);
    auto started = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(s.mu);
    EmulatedResult out;
    out.request_id = s.new_request_id();
    ++s.stats.invocations;
    if (s.init_error) {
        out.outcome = EmulatedOutcome::InitError;
        out.error_type = "Runtime.InitError";
        out.body = s.init_error_body;
        return out;
    }
    s.has_pending = true;
    s.dispatched = false;
    s.request_id = out.request_id;
    s.payload = payload;
    s.deadline_ms = epoch_ms() + options_.timeout.count();
    s.result.reset();
    s.cv.notify_all();
    bool done = s.cv.wait_for(lock, options_.timeout, [&s] {
        return s.result.has_value() || s.init_error.has_value() || s.stopping;
    });
    if (s.result) {
        out = std::move(*s.result);
    } else if (s.init_error) {
        out.outcome = EmulatedOutcome::InitError;
        out.error_type = "Runtime.InitError";
        out.body = s.init_error_body;
    } else if (s.stopping) {
        out.outcome = EmulatedOutcome::Stopped;
        out.body = error_json("Emulator.Stopped", "the emulator stopped");
    } else {
        out.outcome = EmulatedOutcome::Timeout;
        out.error_type = "Sandbox.Timedout";
        out.body = error_json("Sandbox.Timedout",
                              "Task timed out after " + std::to_string(options_.timeout.count()) + " ms");
        ++s.stats.timeouts;
    }
    (void)done;
    s.has_pending = false;
    s.result.reset();
    out.duration = std::chrono::duration_cast<core::Millis>(std::chrono::steady_clock::now() - started);
    std::function<void()> on_timeout = out.outcome == EmulatedOutcome::Timeout ? on_timeout_ : nullptr;
    lock.unlock();
    core::log::info("lambda-emulator: invocation {}: {} in {} ms", out.request_id,
                    emulated_outcome_name(out.outcome), out.duration.count());
    if (on_timeout) on_timeout();
    return out;
}

void LambdaEmulator::exit_runtime() {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->exit_runtime = true;
    state_->cv.notify_all();
}

void LambdaEmulator::allow_runtime() {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->exit_runtime = false;
}

std::optional<std::string> LambdaEmulator::init_error() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->init_error;
}

void LambdaEmulator::clear_init_error() {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->init_error.reset();
}

void LambdaEmulator::set_on_timeout(std::function<void()> callback) {
    on_timeout_ = std::move(callback);
}

EmulatorStats LambdaEmulator::stats() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->stats;
}

}  // namespace runtime
