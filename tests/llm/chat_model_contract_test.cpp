// Runs the ChatModel contract (chat_model_contract.h) against every backend. Adding a backend
// is one type below and one name in the Types<> list.
#include "chat_model_contract.h"

#include <chrono>
#include <memory>
#include <string>

#include "llm/openai_chat_model.h"
#include "local_test_model.h"
#include "net/curl_http_client.h"
#include "support/fake_openai.h"

namespace llm_test {
namespace {

// OpenAiChatModel over real HTTP against the fake server's built-in model: 200 words at 5 ms
// per token, so a long generation lasts about a second.
class OpenAiFakeBackend {
public:
    OpenAiFakeBackend() {
        std::string text;
        for (int i = 0; i < 200; ++i) text += "word" + std::to_string(i) + " ";
        srv_.set_model_text(text);
        srv_.set_token_delay(std::chrono::milliseconds(5));
        llm::OpenAiOptions o;
        o.base_url = srv_.base_url();
        o.model = "fake-model";
        model_ = std::make_unique<llm::OpenAiChatModel>(o, std::make_shared<net::CurlHttpClient>());
    }
    llm::ChatModel& model() { return *model_; }

private:
    lg_test::FakeOpenAi srv_;
    std::unique_ptr<llm::OpenAiChatModel> model_;
};

// LocalChatModel over a tiny random-weight qwen2 model (local_test_model.h).
class LocalTinyBackend {
public:
    LocalTinyBackend() : model_(load_local_test_model()) {}
    llm::ChatModel& model() { return *model_; }

private:
    std::unique_ptr<llm::LocalChatModel> model_;
};

using Backends = ::testing::Types<OpenAiFakeBackend, LocalTinyBackend>;

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(Backends, ChatModelContract, Backends);

}  // namespace llm_test
