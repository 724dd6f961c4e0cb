// One Lambda invocation from payload to reply, without HTTP: parse the event, check the webhook
// secret, skip updates already handled, hand the update to the bot under the invocation's
// deadline, and answer (200 for every processed update, even a failed one, so Telegram does not
// resend it; 401 forged; 400 malformed). Never throws.
//   runtime::LambdaEventHandler h(bot, {.webhook_secret = s}, runtime::memory_dedupe());
//   LambdaReply r = h.invoke(payload, deadline);   // r.payload goes to .../response
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "bot/update_handler.h"
#include "core/clock.h"
#include "runtime/lambda_event.h"
#include "runtime/method_reply.h"
#include "runtime/update_queue.h"

namespace runtime {

struct LambdaHandlerOptions {
    std::string webhook_secret{};  // expected X-Telegram-Bot-Api-Secret-Token; empty: not checked
    // Reply with the method: the MethodReplyApi the bot was given. For an HTTP event (Function URL,
    // API Gateway) a call the bot left to it becomes the response body, which Telegram then makes;
    // a direct invocation has no Telegram to read it, so its calls are all made. Null: off.
    MethodReplyApi* reply_api = nullptr;
};

// What happened to one invocation (for the reply, logs and tests).
enum class InvocationResult {
    Handled,    // the bot handled the update
    Failed,     // the bot returned an error or threw (answered 200 all the same)
    TimedOut,   // the bot returned a Timeout error
    Duplicate,  // update id seen before: acknowledged, not handled again
    Forged,     // 401
    Malformed,  // 400
};
const char* invocation_result_name(InvocationResult r);

struct LambdaReply {
    int status = 200;
    InvocationResult result = InvocationResult::Handled;
    int64_t update_id = 0;  // 0 when unknown
    std::string payload;    // the JSON for /invocation/{id}/response
    std::string method;     // when the body is a Bot API call (reply with the method): its name
};

class LambdaEventHandler {
public:
    LambdaEventHandler(bot::UpdateHandler& handler, LambdaHandlerOptions options,
                       UpdateDedupe dedupe);

    LambdaReply invoke(std::string_view payload, core::Deadline deadline);

    // Bot invocations so far (tests check that duplicates did not reach the bot).
    int64_t handler_calls() const { return handler_calls_.load(); }

private:
    LambdaReply reply(EventKind kind, int status, InvocationResult result, int64_t update_id,
                      std::string_view detail) const;
    LambdaReply run_handler(EventKind kind, const telegram::Update& update,
                            core::Deadline deadline);

    bot::UpdateHandler& handler_;
    LambdaHandlerOptions options_;
    UpdateDedupe dedupe_;
    std::atomic<int64_t> handler_calls_{0};
};

}  // namespace runtime
