// The proof that the function zip runs anywhere: `lambdagram package lambda` writes it, `unzip`
// unpacks it into an empty root, and the bootstrap runs there (run_in_root.h: chroot'ed, the root
// read-only in its own mount namespace but for an empty /tmp, /proc, an unprivileged user, the
// environment scrubbed to what Lambda sets) under the Runtime API emulator, answering the sample
// Function URL event through the fake Bot API. Also measures the init time (start to the first
// invocation/next), and checks that Amazon Linux's CA bundle is the one trusted for HTTPS.
// Needs root (chroot, mount); skips with one line otherwise.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/package/run_in_root.h"  // tests/app/package
#include "app/package/scratch_dir.h"
#include "app/package/shell.h"
#include "runtime/lambda_emulator.h"
#include "support/fake_bot_api.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_support::read_file;
using test_support::sh;

constexpr const char* kSecret = "change-me-to-your-webhook-secret";  // examples/events/

bool has_unzip() { return std::system("command -v unzip > /dev/null 2>&1") == 0; }

class LambdaZipTest : public ::testing::Test {
protected:
    // `lambdagram package lambda`, unzipped into root/var/task; once for the suite (it takes
    // seconds: 70 MB deflated).
    static void SetUpTestSuite() {
        if (!test_support::RootRun::skip_reason().empty() || !has_unzip()) return;
        dir_ = new test_support::ScratchDir("zip-proof");
        std::string zip = (dir_->path() / "function.zip").string();
        test_support::Shell packaged =
            sh(std::string(LG_BINARY_DIR) + "/lambdagram package lambda --out " + zip);
        package_out_ = packaged.output;
        root_ = dir_->path() / "root";
        fs::create_directories(root_ / "var/task");
        std::string unzip = "unzip -q " + zip + " -d " + (root_ / "var/task").string();
        packaged_ = packaged.status == 0 && std::system(unzip.c_str()) == 0;
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }

    void SetUp() override {
        if (std::string why = test_support::RootRun::skip_reason(); !why.empty())
            GTEST_SKIP() << why;
        if (!has_unzip()) GTEST_SKIP() << "needs unzip";
        ASSERT_TRUE(packaged_) << package_out_;
        ASSERT_TRUE(fs::exists(root_ / "var/task/bootstrap"));
    }

    // The unzipped function in its root; besides what Lambda sets (run_in_root.cpp), the bot's
    // settings, with Telegram at `api_url`.
    test_support::RootRunOptions function(const std::string& api_url) const {
        test_support::RootRunOptions options;
        options.root = root_.string();
        options.argv = {"/var/task/bootstrap"};
        options.env = {"TELEGRAM_TOKEN=" + tg_.token(), "TELEGRAM_API_URL=" + api_url,
                       std::string("TELEGRAM_WEBHOOK_SECRET=") + kSecret, "ECHO_ENABLED=true",
                       "LAMBDAGRAM_STORE_PATH=/tmp/lambdagram.db"};
        options.timeout = 10'000ms;
        return options;
    }

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

    std::string event = read_file(fs::path(LG_SOURCE_DIR) / "examples/events/function-url.json");
    ASSERT_FALSE(event.empty());

    std::vector<double> init_ms, cpu_ms;
    constexpr int kColdStarts = 9;
    for (int i = 0; i < kColdStarts; ++i) {  // each a new sandbox: an empty /tmp, a new emulator
        tg_.clear_calls();
        test_support::RootRun fn(function(tg_.url()));
        ASSERT_TRUE(fn.start()) << fn.output();
        init_ms.push_back(std::chrono::duration<double, std::milli>(fn.init_time()).count());

        runtime::EmulatedResult r = fn.invoke(event);
        ASSERT_EQ(r.outcome, runtime::EmulatedOutcome::Response) << r.body << "\n" << fn.output();
        auto reply = nlohmann::json::parse(r.body);
        EXPECT_EQ(reply["statusCode"], 200);
        auto body = nlohmann::json::parse(reply["body"].get<std::string>());
        EXPECT_EQ(body["result"], "handled") << r.body;
        ASSERT_TRUE(tg_.wait_for_calls("sendMessage", 1, 5s));
        EXPECT_EQ(tg_.calls("sendMessage")[0].params["chat_id"], 111222333);

        fn.emulator().exit_runtime();  // the next invocation/next gets a 500: the runtime exits
        EXPECT_EQ(fn.wait(), 0) << fn.output();
        cpu_ms.push_back(std::chrono::duration<double, std::milli>(fn.cpu_time()).count());
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
    test_support::Shell inside =
        sh(task + "/lib/ld-linux-x86-64.so.2 --library-path " + task + "/lib " + task +
           "/bin/lambdagram package lambda --out " + (dir_->path() / "x.zip").string());
    EXPECT_EQ(WEXITSTATUS(inside.status), 2) << inside.output;
    EXPECT_NE(inside.output.find("--binary"), std::string::npos) << inside.output;
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
    std::string event = read_file(fs::path(LG_SOURCE_DIR) / "examples/events/function-url.json");

    auto run_once = [&](bool expect_sent) {
        tg_.clear_calls();
        test_support::RootRun fn(function(tls.url()));
        ASSERT_TRUE(fn.start()) << fn.output();
        runtime::EmulatedResult r = fn.invoke(event);
        ASSERT_EQ(r.outcome, runtime::EmulatedOutcome::Response) << r.body;
        EXPECT_EQ(nlohmann::json::parse(r.body)["statusCode"], 200);
        EXPECT_EQ(tg_.call_count("sendMessage"), expect_sent ? 1u : 0u) << fn.output();
        fn.emulator().exit_runtime();
        EXPECT_EQ(fn.wait(), 0);
    };
    run_once(true);
    fs::remove(ca);
    run_once(false);
}

}  // namespace
