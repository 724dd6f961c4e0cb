// RootRun: fork, then in the child a private mount namespace, the root read-only, /tmp /proc
// /dev/null, chroot, an unprivileged uid, execve with Lambda's environment only. The parent
// waits for the first invocation/next call to measure init, and reaps the child with its CPU time.
#include "app/package/run_in_root.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace test_support {

namespace {

using Clock = std::chrono::steady_clock;

// What Lambda's provided.al2023 sandbox sets (docs: "Defined runtime environment variables").
std::vector<std::string> lambda_env(const std::string& runtime_api) {
    return {
        "AWS_LAMBDA_RUNTIME_API=" + runtime_api,
        "AWS_LAMBDA_FUNCTION_NAME=function",
        "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024",
        "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/function",
        "AWS_LAMBDA_LOG_STREAM_NAME=2026/11/25/[$LATEST]0123456789abcdef",
        "AWS_REGION=us-east-1",
        "AWS_DEFAULT_REGION=us-east-1",
        "LAMBDA_TASK_ROOT=/var/task",
        "LAMBDA_RUNTIME_DIR=/var/runtime",
        "_HANDLER=function.handler",
        "TZ=:UTC",
        "LANG=en_US.UTF-8",
        "PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
        "LD_LIBRARY_PATH=/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:"
        "/opt/lib",
    };
}

// Only async-signal-safe calls from here on: the parent has threads (the emulator).
[[noreturn]] void child_fail(const char* what) {
    const char* why = strerror(errno);
    const char prefix[] = "run_in_root: ";
    (void)!write(2, prefix, sizeof prefix - 1);
    (void)!write(2, what, strlen(what));
    (void)!write(2, ": ", 2);
    (void)!write(2, why, strlen(why));
    (void)!write(2, "\n", 1);
    _exit(126);
}

struct ChildPlan {
    int log_fd = -1;
    std::string root, tmp, proc, dev_null, workdir;
    std::vector<char*> argv, envp;
    uid_t uid = 65534;
    bool mount_proc = true;
    bool read_only = true;
};

[[noreturn]] void run_child(const ChildPlan& p) {
    dup2(p.log_fd, 1);
    dup2(p.log_fd, 2);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    if (unshare(CLONE_NEWNS) != 0) child_fail("unshare(CLONE_NEWNS)");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        child_fail("mount private");
    // Lambda's root is read-only but for /tmp: bind the root onto itself, then remount it so.
    if (p.read_only) {
        if (mount(p.root.c_str(), p.root.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
            child_fail("bind the root");
        }
        if (mount(nullptr, p.root.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) !=
            0) {
            child_fail("remount the root read-only");
        }
    }
    if (mount("tmpfs", p.tmp.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=256m") != 0) {
        child_fail("mount /tmp");
    }
    if (p.mount_proc &&
        mount("proc", p.proc.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
        child_fail("mount /proc");
    }
    if (mount("/dev/null", p.dev_null.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        child_fail("bind /dev/null");
    }
    if (chroot(p.root.c_str()) != 0) child_fail("chroot");
    if (chdir(p.workdir.c_str()) != 0) child_fail("chdir to the working directory");
    if (setgroups(0, nullptr) != 0 || setgid(p.uid) != 0 || setuid(p.uid) != 0) {
        child_fail("drop to the unprivileged user");
    }
    execve(p.argv[0], p.argv.data(), p.envp.data());
    child_fail("execve");
}

}  // namespace

RootRun::RootRun(RootRunOptions options)
    : options_(std::move(options)),
      emulator_(runtime::EmulatorOptions{.timeout = core::Millis(options_.timeout.count())}) {}

RootRun::~RootRun() {
    stop_function();
    emulator_.stop();
}

std::string RootRun::skip_reason() {
    if (geteuid() != 0) {
        return "SKIPPED: running a function root needs root (chroot and a mount namespace); "
               "run the tests as root (CI does)";
    }
    pid_t pid = fork();  // root in a locked-down container may still not unshare
    if (pid == 0) _exit(unshare(CLONE_NEWNS) == 0 ? 0 : 1);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        return "SKIPPED: this machine does not allow unshare(CLONE_NEWNS), which running a "
               "function root needs";
    }
    return "";
}

bool RootRun::start() {
    namespace fs = std::filesystem;
    if (!emulator_.start()) return false;
    std::error_code ec;
    for (const char* dir : {"tmp", "proc", "dev"})
        fs::create_directories(fs::path(options_.root) / dir, ec);
    std::ofstream(fs::path(options_.root) / "dev" / "null").close();  // the bind mount's target
    log_path_ = options_.root + "/../run_in_root.log";
    int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) return false;

    std::vector<std::string> env = lambda_env(emulator_.runtime_api());
    env.insert(env.end(), options_.env.begin(), options_.env.end());
    std::vector<std::string> argv = options_.argv;
    ChildPlan plan;
    plan.log_fd = log_fd;
    plan.root = options_.root;
    plan.tmp = options_.root + "/tmp";
    plan.proc = options_.root + "/proc";
    plan.dev_null = options_.root + "/dev/null";
    plan.workdir = options_.working_dir;
    plan.uid = options_.uid;
    plan.mount_proc = options_.mount_proc;
    plan.read_only = options_.read_only;
    for (std::string& a : argv) plan.argv.push_back(a.data());
    plan.argv.push_back(nullptr);
    for (std::string& e : env) plan.envp.push_back(e.data());
    plan.envp.push_back(nullptr);

    Clock::time_point started = Clock::now();
    pid_ = fork();
    if (pid_ == 0) run_child(plan);
    ::close(log_fd);
    if (pid_ < 0) return false;
    // Init is over at the first invocation/next; give up when the process ends or time runs out.
    while (Clock::now() - started < options_.timeout) {
        if (emulator_.stats().next_calls > 0) {
            init_time_ =
                std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
            return true;
        }
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return false;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return false;
}

runtime::EmulatedResult RootRun::invoke(const std::string& payload) {
    return emulator_.invoke(payload);
}

int RootRun::wait() {
    if (pid_ <= 0) return -1;
    int status = 0;
    rusage usage{};
    while (wait4(pid_, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    cpu_time_ = std::chrono::seconds(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                std::chrono::microseconds(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string RootRun::output() const {
    std::ifstream in(log_path_, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void RootRun::stop_function() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

}  // namespace test_support
