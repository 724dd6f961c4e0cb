// The proof that the function zip runs anywhere: `lambdagram package lambda` writes it, `unzip`
// unpacks it into an empty root, and the bootstrap runs there — chroot'ed, /var/task read-only in
// its own mount namespace, nothing else in the root but an empty /tmp, the environment scrubbed to
// what Lambda sets — under the Runtime API emulator, answering the sample Function URL event
// through the fake Bot API. Also measures the init time (start to the first invocation/next),
// and checks that Amazon Linux's CA bundle is the one trusted for HTTPS.
// Needs root (chroot, mount); skips with one line otherwise.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app/package/scratch_dir.h"  // tests/app/package
#include "runtime/lambda_emulator.h"
#include "support/fake_bot_api.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kSecret = "change-me-to-your-webhook-secret";  // examples/events/

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs a shell command, returning its exit status and stdout.
int run(const std::string& cmd, std::string* out) {
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return -1;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
    return pclose(p);
}

// Whether this process may chroot and make a mount namespace (root, not in a locked container).
bool can_isolate() {
    if (geteuid() != 0) return false;
    pid_t pid = fork();
    if (pid == 0) _exit(unshare(CLONE_NEWNS) == 0 ? 0 : 1);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The function's process: the bootstrap in a root holding only var/task (read-only) and tmp.
class IsolatedFunction {
public:
    IsolatedFunction(fs::path root, std::vector<std::string> env, const fs::path& log)
        : root_(std::move(root)), env_(std::move(env)), log_(log.string()) {}

    bool start() {
        std::string task = (root_ / "var/task").string();
        std::string root = root_.string();
        std::vector<char*> envp;
        for (std::string& e : env_) envp.push_back(e.data());
        envp.push_back(nullptr);
        char bootstrap[] = "/var/task/bootstrap";
        char* argv[] = {bootstrap, nullptr};
        int log_fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        pid_ = fork();
        if (pid_ == 0) {
            // Only system calls from here to execve (this process has threads).
            dup2(log_fd, 1);
            dup2(log_fd, 2);
            if (unshare(CLONE_NEWNS) != 0) _exit(121);
            if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(122);
            if (mount(task.c_str(), task.c_str(), nullptr, MS_BIND, nullptr) != 0) _exit(123);
            if (mount(nullptr, task.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) !=
                0) {
                _exit(124);
            }
            if (chroot(root.c_str()) != 0 || chdir("/var/task") != 0) _exit(125);
            execve(bootstrap, argv, envp.data());
            _exit(126);
        }
        close(log_fd);
        return pid_ > 0;
    }

    // Waits for the process to end; its exit status (or 128 + signal).
    int wait() {
        int status = 0;
        rusage usage{};
        wait4(pid_, &status, 0, &usage);
        pid_ = -1;
        cpu_ms_ = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
                  (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    // The CPU time (user + system) the process used, once wait() returned.
    double cpu_ms() const { return cpu_ms_; }

    ~IsolatedFunction() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            wait();
        }
    }

private:
    fs::path root_;
    std::vector<std::string> env_;
    std::string log_;
    pid_t pid_ = -1;
    double cpu_ms_ = 0;
};

class LambdaZipTest : public ::testing::Test {
protected:
    // `lambdagram package lambda`, unzipped into root/var/task; once for the suite (it takes
    // seconds: 70 MB deflated).
    static void SetUpTestSuite() {
        if (!can_isolate() || std::system("command -v unzip > /dev/null 2>&1") != 0) return;
        dir_ = new test_support::ScratchDir("zip-proof");
        std::string zip = (dir_->path() / "function.zip").string();
        int rc = run(std::string(LG_BINARY_DIR) + "/lambdagram package lambda --out " + zip,
                     &package_out_);
        root_ = dir_->path() / "root";
        fs::create_directories(root_ / "var/task");
        std::string unzip = "unzip -q " + zip + " -d " + (root_ / "var/task").string();
        packaged_ = rc == 0 && std::system(unzip.c_str()) == 0;
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }

    void SetUp() override {
        if (!can_isolate())
            GTEST_SKIP() << "needs root and unshare(CLONE_NEWNS) to run the zip in an empty root";
        if (std::system("command -v unzip > /dev/null 2>&1") != 0) GTEST_SKIP() << "needs unzip";
        ASSERT_TRUE(packaged_) << package_out_;
        ASSERT_TRUE(fs::exists(root_ / "var/task/bootstrap"));
    }

    // What Lambda puts in a provided.al2023 function's environment, plus the bot's settings.
    std::vector<std::string> lambda_env(const runtime::LambdaEmulator& emu) const {
        return {"AWS_LAMBDA_RUNTIME_API=" + emu.runtime_api(),
                "_HANDLER=bootstrap",
                "LAMBDA_TASK_ROOT=/var/task",
                "LAMBDA_RUNTIME_DIR=/var/runtime",
                "AWS_LAMBDA_FUNCTION_NAME=lambdagram",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024",
                "AWS_REGION=us-east-1",
                "TZ=:UTC",
                "LANG=en_US.UTF-8",
                "PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
                "LD_LIBRARY_PATH=/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/"
                "task/lib:/opt/lib",
                "TELEGRAM_TOKEN=" + tg_.token(),
                "TELEGRAM_API_URL=" + tg_.url(),
                std::string("TELEGRAM_WEBHOOK_SECRET=") + kSecret,
                "ECHO_ENABLED=true",
                "LAMBDAGRAM_STORE_PATH=/tmp/lambdagram.db"};
    }

    fs::path log_path() const { return dir_->path() / "function.log"; }
    void check_amazon_linux_ca_bundle();

    static inline test_support::ScratchDir* dir_ = nullptr;
    static inline fs::path root_;
    static inline std::string package_out_;
    static inline bool packaged_ = false;
    test_support::FakeBotApi tg_;
};

// A TLS front for the fake Bot API, with a self-signed certificate for 127.0.0.1 (made with the
// openssl tool): the function reaches Telegram over HTTPS only if it trusts that certificate.
class TlsProxy {
public:
    TlsProxy(const fs::path& dir, int backend_port) : backend_port_(backend_port) {
        cert_ = (dir / "cert.pem").string();
        std::string key = (dir / "key.pem").string();
        std::string cmd =
            "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
            "-addext subjectAltName=IP:127.0.0.1 -keyout " +
            key + " -out " + cert_ + " > /dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) return;
        server_ = std::make_unique<httplib::SSLServer>(cert_.c_str(), key.c_str());
        server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
            httplib::Client backend("127.0.0.1", backend_port_);
            auto r = backend.Post(req.path, req.body, req.get_header_value("Content-Type"));
            if (!r) {
                res.status = 502;
                return;
            }
            res.status = r->status;
            res.set_content(r->body, r->get_header_value("Content-Type"));
        });
        port_ = server_->bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_->listen_after_bind(); });
        runtime::wait_until_running(*server_);
    }
    ~TlsProxy() {
        if (!server_) return;
        server_->stop();
        thread_.join();
    }
    bool ok() const { return server_ && port_ > 0; }
    std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
    const std::string& cert() const { return cert_; }

private:
    int backend_port_;
    std::string cert_;
    std::unique_ptr<httplib::SSLServer> server_;
    int port_ = 0;
    std::thread thread_;
};

TEST_F(LambdaZipTest, AnswersTheSampleEventInAnEmptyRoot) {
    EXPECT_NE(package_out_.find("webhook set"), std::string::npos) << package_out_;
    std::cout << "[ zip      ] " << package_out_.substr(0, package_out_.find('\n')) << "\n";
    // Nothing in the zip points back to the host (no symlinks), and Lambda, which runs the code
    // as another user than the files' owner, can read everything and run the bootstrap.
    for (const auto& e : fs::recursive_directory_iterator(root_ / "var/task")) {
        EXPECT_FALSE(e.is_symlink()) << e.path();
        if (!e.is_regular_file()) continue;
        EXPECT_NE(e.status().permissions() & fs::perms::others_read, fs::perms::none) << e.path();
    }
    auto boot = fs::status(root_ / "var/task/bootstrap").permissions();
    EXPECT_NE(boot & fs::perms::others_exec, fs::perms::none);

    std::string event = slurp(fs::path(LG_SOURCE_DIR) / "examples/events/function-url.json");
    ASSERT_FALSE(event.empty());
    runtime::LambdaEmulator emu({.timeout = 10'000ms});
    ASSERT_TRUE(emu.start());

    std::vector<double> init_ms, cpu_ms;
    constexpr int kColdStarts = 9;
    for (int i = 0; i < kColdStarts; ++i) {
        fs::remove_all(root_ / "tmp");  // every sandbox starts with an empty /tmp
        fs::create_directories(root_ / "tmp");
        tg_.clear_calls();
        emu.allow_runtime();
        int64_t next_before = emu.stats().next_calls;
        IsolatedFunction fn(root_, lambda_env(emu), log_path());
        auto t0 = std::chrono::steady_clock::now();
        ASSERT_TRUE(fn.start());
        while (emu.stats().next_calls == next_before &&
               std::chrono::steady_clock::now() - t0 < 10s) {
            std::this_thread::sleep_for(50us);
        }
        auto t1 = std::chrono::steady_clock::now();
        ASSERT_GT(emu.stats().next_calls, next_before) << slurp(log_path());
        init_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());

        runtime::EmulatedResult r = emu.invoke(event);
        ASSERT_EQ(r.outcome, runtime::EmulatedOutcome::Response) << r.body << "\n"
                                                                 << slurp(log_path());
        auto reply = nlohmann::json::parse(r.body);
        EXPECT_EQ(reply["statusCode"], 200);
        auto body = nlohmann::json::parse(reply["body"].get<std::string>());
        EXPECT_EQ(body["result"], "handled") << r.body;
        ASSERT_TRUE(tg_.wait_for_calls("sendMessage", 1, 5s));
        EXPECT_EQ(tg_.calls("sendMessage")[0].params["chat_id"], 111222333);

        emu.exit_runtime();  // the next invocation/next gets a 500: the runtime exits
        EXPECT_EQ(fn.wait(), 0) << slurp(log_path());
        cpu_ms.push_back(fn.cpu_ms());
    }
    std::sort(cpu_ms.begin(), cpu_ms.end());
    std::sort(init_ms.begin(), init_ms.end());
    std::cout << "[ init     ] bootstrap start to first invocation/next, " << kColdStarts
              << " cold starts: median " << init_ms[kColdStarts / 2] << " ms (min "
              << init_ms.front() << ", max " << init_ms.back() << ")\n";
    // Wall time depends on the machine's load; CPU time (start, init, one invocation, exit) less.
    std::cout << "[ cpu      ] CPU time of a whole run (init, one invocation, exit): median "
              << cpu_ms[kColdStarts / 2] << " ms (min " << cpu_ms.front() << ")\n";
    RecordProperty("init_ms_median", std::to_string(init_ms[kColdStarts / 2]));

    check_amazon_linux_ca_bundle();

    // Inside the bundle, /proc/self/exe is the loader: `package` must not ship it as the binary.
    std::string task = (root_ / "var/task").string();
    std::string out;
    int rc = run(task + "/lib/ld-linux-x86-64.so.2 --library-path " + task + "/lib " + task +
                     "/bin/lambdagram package lambda --out " + (dir_->path() / "x.zip").string() +
                     " 2>&1",
                 &out);
    EXPECT_EQ(WEXITSTATUS(rc), 2) << out;
    EXPECT_NE(out.find("--binary"), std::string::npos) << out;
}

// On Amazon Linux the CA bundle is /etc/pki/tls/certs/ca-bundle.crt, where the bundled (Debian)
// libcurl does not look: the launcher must point it there. The root gets that file, holding the
// certificate of a TLS front to the fake Bot API; the answer goes out over HTTPS. Without the
// file, the bundled fallback (public CAs only) refuses the certificate: no message is sent.
// Run at the end of the test above: packaging takes seconds, and ctest runs each test in its
// own process.
void LambdaZipTest::check_amazon_linux_ca_bundle() {
    if (std::system("command -v openssl > /dev/null 2>&1") != 0) {
        std::cout << "[ skipped  ] the CA bundle check needs the openssl tool\n";
        return;
    }
    TlsProxy tls(dir_->path(), tg_.port());
    ASSERT_TRUE(tls.ok());
    fs::path ca = root_ / "etc/pki/tls/certs/ca-bundle.crt";
    fs::create_directories(ca.parent_path());
    fs::copy_file(tls.cert(), ca, fs::copy_options::overwrite_existing);
    std::string event = slurp(fs::path(LG_SOURCE_DIR) / "examples/events/function-url.json");
    runtime::LambdaEmulator emu({.timeout = 10'000ms});
    ASSERT_TRUE(emu.start());

    auto run_once = [&](bool expect_sent) {
        fs::remove_all(root_ / "tmp");
        fs::create_directories(root_ / "tmp");
        tg_.clear_calls();
        emu.allow_runtime();
        std::vector<std::string> env = lambda_env(emu);
        for (std::string& e : env) {
            if (e.rfind("TELEGRAM_API_URL=", 0) == 0) e = "TELEGRAM_API_URL=" + tls.url();
        }
        IsolatedFunction fn(root_, env, log_path());
        ASSERT_TRUE(fn.start());
        runtime::EmulatedResult r = emu.invoke(event);
        ASSERT_EQ(r.outcome, runtime::EmulatedOutcome::Response) << r.body;
        EXPECT_EQ(nlohmann::json::parse(r.body)["statusCode"], 200);
        EXPECT_EQ(tg_.call_count("sendMessage"), expect_sent ? 1u : 0u) << slurp(log_path());
        emu.exit_runtime();
        EXPECT_EQ(fn.wait(), 0);
    };
    run_once(true);
    fs::remove(ca);
    run_once(false);
}

}  // namespace
