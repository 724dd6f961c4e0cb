// Runs a Lambda function's root directory (an unzipped function zip placed at <root>/var/task,
// or an unpacked image rootfs) as close to Lambda as one machine allows: in a private mount
// namespace, chroot'ed into nothing but its files, read-only but for an empty tmpfs /tmp, with
// /proc and /dev/null like Lambda's sandbox, as an unprivileged user, with only Lambda's
// environment, under the project's Runtime API emulator. For the zip and the image tests.
// Needs root (chroot, mount).
//   test_support::RootRun run({.root = dir, .argv = {"/var/task/bootstrap"}, .env = {...}});
//   if (!run.skip_reason().empty()) GTEST_SKIP() << run.skip_reason();
//   ASSERT_TRUE(run.start()); auto r = run.invoke(event_json);   // r.outcome, r.body
//   run.emulator().exit_runtime();  EXPECT_EQ(run.wait(), 0);
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "runtime/lambda_emulator.h"

namespace test_support {

struct RootRunOptions {
    std::string root;               // becomes "/" for the function
    std::vector<std::string> argv;  // inside the root: {"/var/task/bootstrap"}
    // Besides Lambda's own (AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT, TZ, PATH, LD_LIBRARY_PATH...,
    // see run_in_root.cpp): "KEY=VALUE", e.g. TELEGRAM_TOKEN and LAMBDAGRAM_TELEGRAM_API_URL.
    std::vector<std::string> env;
    std::string working_dir = "/var/task";
    std::chrono::milliseconds timeout{20'000};  // the function's timeout
    uid_t uid = 65534;                          // Lambda runs functions as a non-root user
    bool mount_proc = true;                     // Lambda's sandbox has /proc
    bool read_only = true;                      // all but /tmp, as on Lambda
};

class RootRun {
public:
    explicit RootRun(RootRunOptions options);
    ~RootRun();  // stops the function and the emulator
    RootRun(const RootRun&) = delete;
    RootRun& operator=(const RootRun&) = delete;

    // Why this machine cannot run the test (not root, no mount namespace): empty when it can.
    static std::string skip_reason();

    // Starts the emulator and the function; waits until the function asks for its first
    // invocation (its init is over) or ends. False (see output()) when it does not get there.
    bool start();
    // One invocation through the emulator.
    runtime::EmulatedResult invoke(const std::string& payload);
    // Time from the function's start (fork) to its first GET invocation/next.
    std::chrono::microseconds init_time() const { return init_time_; }
    // Waits for the function to end (after emulator().exit_runtime(), say): its exit status, or
    // 128 + the signal; -1 when it is not running.
    int wait();
    // The CPU time (user + system) the function used, once wait() returned.
    std::chrono::microseconds cpu_time() const { return cpu_time_; }
    // What the function wrote to stdout and stderr so far.
    std::string output() const;
    // The emulator, for its stats and init errors.
    runtime::LambdaEmulator& emulator() { return emulator_; }

private:
    void stop_function();

    RootRunOptions options_;
    runtime::LambdaEmulator emulator_;
    pid_t pid_ = -1;
    std::string log_path_;
    std::chrono::microseconds init_time_{0};
    std::chrono::microseconds cpu_time_{0};
};

}  // namespace test_support
