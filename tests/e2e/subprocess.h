// Subprocess: runs a program for end-to-end tests (the lambdagram binary, the node emulator) with
// extra environment variables, stdout and stderr sent to files, and a signal/wait API.
//   auto p = e2e::Subprocess::start({bin, "poll"}, {{"TELEGRAM_TOKEN", t}}, out_path, err_path);
//   long kib = p->rss_kib();
//   p->signal(SIGTERM);  auto code = p->wait_for_exit(std::chrono::seconds(10));
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace e2e {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

class Subprocess {
public:
    // Starts argv[0] (a path) with the current environment plus `env` (which wins). Nothing when
    // the program could not be started.
    static std::unique_ptr<Subprocess> start(const std::vector<std::string>& argv,
                                             const EnvVars& env, const std::string& stdout_path,
                                             const std::string& stderr_path) {
        std::vector<std::string> env_strings;
        for (char** e = environ; *e; ++e) {
            std::string s(*e);
            bool overridden = false;
            for (const auto& [k, v] : env) overridden |= s.rfind(k + "=", 0) == 0;
            if (!overridden) env_strings.push_back(s);
        }
        for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
        std::vector<char*> envp;
        for (auto& s : env_strings) envp.push_back(s.data());
        envp.push_back(nullptr);
        std::vector<std::string> args = argv;
        std::vector<char*> argp;
        for (auto& a : args) argp.push_back(a.data());
        argp.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        pid_t pid = 0;
        int rc = posix_spawn(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) return nullptr;
        return std::unique_ptr<Subprocess>(new Subprocess(pid));
    }

    ~Subprocess() {
        if (!exited_) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    Subprocess(const Subprocess&) = delete;
    Subprocess& operator=(const Subprocess&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int sig) {
        if (!exited_) ::kill(pid_, sig);
    }

    // The exit code (or 128 + signal) once the process ended; nothing on timeout.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout) {
        auto until = std::chrono::steady_clock::now() + timeout;
        while (!exited_) {
            int status = 0;
            pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                exited_ = true;
                code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                break;
            }
            if (std::chrono::steady_clock::now() >= until) return std::nullopt;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return code_;
    }
    bool running() { return !wait_for_exit(std::chrono::milliseconds(0)).has_value(); }

    // The process's resident memory (VmRSS) in KiB; 0 when unreadable.
    long rss_kib() const {
        std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
        }
        return 0;
    }

private:
    explicit Subprocess(pid_t pid) : pid_(pid) {}
    pid_t pid_;
    bool exited_ = false;
    int code_ = -1;
};

inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Polls `pred` every 20 ms until it holds or `timeout` passes.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

}  // namespace e2e
