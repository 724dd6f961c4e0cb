// lambda-emulator: AWS Lambda on your machine, no Docker. Serves the Runtime API and the invoke URL
// (runtime::LambdaEmulator) on loopback and runs the function's command under it with
// AWS_LAMBDA_RUNTIME_API set, restarting it when it exits or times out, like Lambda does.
//   lambda-emulator --listen 127.0.0.1:9000 --timeout-s 30 -- ./build/lambdagram lambda
//   curl -XPOST http://localhost:9000/2015-03-31/functions/function/invocations -d @event.json
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "runtime/lambda_emulator.h"
#include "runtime/webhook_server.h"

namespace {

using namespace std::chrono_literals;

// The function's process: started with the Runtime API address, restarted when it ends.
class FunctionProcess {
public:
    FunctionProcess(std::vector<std::string> argv, std::string runtime_api, std::string function_name)
        : argv_(std::move(argv)), runtime_api_(std::move(runtime_api)),
          function_name_(std::move(function_name)) {}

    bool spawn() {
        pid_t pid = fork();
        if (pid < 0) {
            std::perror("lambda-emulator: fork");
            return false;
        }
        if (pid == 0) {
            setenv("AWS_LAMBDA_RUNTIME_API", runtime_api_.c_str(), 1);
            setenv("AWS_LAMBDA_FUNCTION_NAME", function_name_.c_str(), 1);
            setenv("AWS_REGION", "us-east-1", 0);
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, nullptr);  // the parent blocks INT/TERM; the child not
            std::vector<char*> args;
            for (std::string& a : argv_) args.push_back(a.data());
            args.push_back(nullptr);
            execvp(args[0], args.data());
            std::fprintf(stderr, "lambda-emulator: cannot run %s: %s\n", args[0], std::strerror(errno));
            _exit(127);
        }
        std::lock_guard<std::mutex> lock(mu_);
        pid_ = pid;
        started_ = std::chrono::steady_clock::now();
        core::log::info("lambda-emulator: started the function (pid {})", pid);
        return true;
    }

    // Waits for the process to end; returns how long it lived.
    std::chrono::steady_clock::duration wait() {
        pid_t pid;
        {
            std::lock_guard<std::mutex> lock(mu_);
            pid = pid_;
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        std::lock_guard<std::mutex> lock(mu_);
        pid_ = -1;
        if (WIFEXITED(status)) {
            core::log::info("lambda-emulator: the function exited with status {}", WEXITSTATUS(status));
        } else if (WIFSIGNALED(status)) {
            core::log::info("lambda-emulator: the function was killed by signal {}", WTERMSIG(status));
        }
        return std::chrono::steady_clock::now() - started_;
    }

    void kill_now(int sig) {
        std::lock_guard<std::mutex> lock(mu_);
        if (pid_ > 0) ::kill(pid_, sig);
    }

private:
    std::vector<std::string> argv_;
    std::string runtime_api_;
    std::string function_name_;
    std::mutex mu_;
    pid_t pid_ = -1;
    std::chrono::steady_clock::time_point started_{};
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app(
        "lambda-emulator: the AWS Lambda Runtime API and invoke URL on loopback, running a "
        "function command (e.g. `lambdagram lambda`) under it. Invoke with "
        "POST /2015-03-31/functions/function/invocations.",
        "lambda-emulator");
    std::string listen = "127.0.0.1:9000";
    int timeout_s = 30;
    std::string function_name = "function";
    std::vector<std::string> command;
    app.add_option("--listen", listen, "HOST:PORT of the Runtime API and invoke URL")
        ->capture_default_str();
    app.add_option("--timeout-s", timeout_s, "Function timeout in seconds (the deadline header)")
        ->check(CLI::Range(1, 900))
        ->capture_default_str();
    app.add_option("--function-name", function_name, "Name in the function ARN")->capture_default_str();
    app.add_option("command", command, "The function's command, after --")->required();
    CLI11_PARSE(app, argc, argv);

    auto address = runtime::parse_listen_address(listen);
    if (!address) {
        std::fprintf(stderr, "%s\n", address.error().message.c_str());
        return 2;
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    runtime::LambdaEmulator emu({.host = address->first,
                                 .port = address->second,
                                 .timeout = std::chrono::seconds(timeout_s),
                                 .function_name = function_name});
    if (core::Status st = emu.start(); !st) {
        std::fprintf(stderr, "%s\n", st.error().message.c_str());
        return 1;
    }
    core::log::info("lambda-emulator: Runtime API at {}; invoke with curl -XPOST {} -d @event.json",
                    emu.runtime_api(), emu.invoke_url());

    FunctionProcess fn(command, emu.runtime_api(), function_name);
    std::atomic<bool> stopping{false};
    emu.set_on_timeout([&fn] { fn.kill_now(SIGKILL); });  // Lambda discards a timed-out sandbox
    if (!fn.spawn()) return 1;
    std::thread supervisor([&] {
        auto pause = 500ms;
        for (;;) {
            auto lived = fn.wait();
            if (stopping.load()) return;
            // A process that keeps failing at start-up is restarted ever more slowly.
            pause = lived < 5s ? std::min<std::chrono::milliseconds>(pause * 2, 10s) : 500ms;
            for (auto slept = 0ms; slept < pause && !stopping.load(); slept += 50ms) {
                std::this_thread::sleep_for(50ms);
            }
            if (stopping.load()) return;
            emu.clear_init_error();
            emu.allow_runtime();
            if (!fn.spawn()) return;
        }
    });

    int sig = 0;
    sigwait(&signals, &sig);
    core::log::info("lambda-emulator: stopping");
    stopping = true;
    emu.exit_runtime();  // the function's next invocation/next gets 500: it exits by itself
    std::this_thread::sleep_for(300ms);
    fn.kill_now(SIGTERM);
    supervisor.join();
    emu.stop();
    return 0;
}
