// FakeChatModel: a scripted llm::ChatModel for bot tests. It streams the given deltas, moving a
// FakeClock by `step` before each one, stops with FinishReason::Deadline (or a Timeout error
// before any text) when the deadline passes, and records the messages it was asked.
//   tests::FakeChatModel model(clock, {"Hello", " world"});  model.step = 1s;
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "llm/chat_model.h"

namespace tests {

class FakeChatModel : public llm::ChatModel {
public:
    FakeChatModel(core::FakeClock& clock, std::vector<std::string> script)
        : deltas(std::move(script)), clock_(clock) {}

    std::vector<std::string> deltas;
    core::Millis step{0};                // clock advance before each delta
    llm::Usage usage{};                  // reported usage
    std::optional<core::Error> failure;  // fail every call with this
    std::vector<std::vector<llm::ChatMessage>> calls;

    core::Result<llm::Reply> chat(const std::vector<llm::ChatMessage>& messages,
                                  const llm::ChatParams&, core::Deadline deadline,
                                  const OnDelta& on_delta) override {
        calls.push_back(messages);
        if (failure) return core::fail(*failure);
        llm::Reply r;
        r.usage = usage;
        for (const std::string& d : deltas) {
            clock_.advance(step);
            if (deadline.expired(clock_)) {
                if (r.text.empty()) return core::fail(core::ErrorCode::Timeout, "fake: deadline");
                r.finish_reason = llm::FinishReason::Deadline;
                return r;
            }
            r.text += d;
            if (on_delta) on_delta(d);
        }
        return r;
    }
    core::Result<llm::Scores> classify(const std::string&, const std::vector<std::string>&,
                                       core::Deadline) override {
        return core::fail(core::ErrorCode::Unsupported, "fake: no classify");
    }
    std::string name() const override { return "fake"; }

    // The text of every message of call `i`, joined.
    std::string prompt_text(size_t i) const {
        std::string out;
        for (const auto& m : calls.at(i)) out += m.content + "\n";
        return out;
    }

private:
    core::FakeClock& clock_;
};

}  // namespace tests
