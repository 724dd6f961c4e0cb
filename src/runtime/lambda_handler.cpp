#include "runtime/lambda_handler.h"

#include <exception>

#include "core/log.h"
#include "telegram/codec.h"

namespace runtime {

using Json = nlohmann::json;

const char* invocation_result_name(InvocationResult r) {
    switch (r) {
        case InvocationResult::Handled:
            return "handled";
        case InvocationResult::Failed:
            return "failed";
        case InvocationResult::TimedOut:
            return "timeout";
        case InvocationResult::Duplicate:
            return "duplicate";
        case InvocationResult::Forged:
            return "forbidden";
        case InvocationResult::Malformed:
            return "malformed";
    }
    return "?";
}

LambdaEventHandler::LambdaEventHandler(bot::UpdateHandler& handler, LambdaHandlerOptions options,
                                       UpdateDedupe dedupe)
    : handler_(handler), options_(std::move(options)), dedupe_(std::move(dedupe)) {}

LambdaReply LambdaEventHandler::reply(EventKind kind, int status, InvocationResult result,
                                      int64_t update_id, std::string_view detail) const {
    LambdaReply r;
    r.status = status;
    r.result = result;
    r.update_id = update_id;
    Json body = {{"ok", status == 200}, {"result", invocation_result_name(result)}};
    if (update_id != 0) body["update_id"] = update_id;
    if (!detail.empty()) body["error"] = std::string(detail);
    r.payload = render_lambda_response(kind, status, body);
    return r;
}

LambdaReply LambdaEventHandler::invoke(std::string_view payload, core::Deadline deadline) {
    core::Result<LambdaEvent> ev = parse_lambda_event(payload);
    if (!ev) {
        core::log::warn("lambda: malformed event: {}", ev.error().message);
        return reply(EventKind::HttpV2, 400, InvocationResult::Malformed, 0, ev.error().message);
    }
    // A direct invocation needs lambda:InvokeFunction rights (IAM), so it carries no secret.
    if (ev->kind != EventKind::Direct) {
        std::optional<std::string> given = ev->header(kSecretHeader);
        std::optional<std::string_view> given_view;
        if (given) given_view = *given;
        if (!secret_matches(options_.webhook_secret, given_view)) {
            core::log::warn("lambda: rejected a request with a {} secret token header",
                            given ? "wrong" : "missing");
            return reply(ev->kind, 401, InvocationResult::Forged, 0, "secret token mismatch");
        }
    }
    if (!ev->body || ev->body->empty()) {
        return reply(ev->kind, 400, InvocationResult::Malformed, 0, "event has no body");
    }
    core::Result<Json> json = telegram::parse_json(*ev->body);
    if (!json) return reply(ev->kind, 400, InvocationResult::Malformed, 0, "body is not JSON");
    if (!json->is_object() || !json->contains("update_id")) {
        return reply(ev->kind, 400, InvocationResult::Malformed, 0,
                     "body is not a Telegram update");
    }
    core::Result<telegram::Update> update = telegram::decode<telegram::Update>(*json);
    if (!update) {
        core::log::warn("lambda: undecodable update: {}", update.error().message);
        return reply(ev->kind, 400, InvocationResult::Malformed, 0,
                     "body is not a Telegram update");
    }
    if (!claim_update(dedupe_, update->update_id)) {
        core::log::info("lambda: update {} was handled before: acknowledged", update->update_id);
        return reply(ev->kind, 200, InvocationResult::Duplicate, update->update_id, "");
    }
    return run_handler(ev->kind, *update, deadline);
}

LambdaReply LambdaEventHandler::run_handler(EventKind kind, const telegram::Update& update,
                                            core::Deadline deadline) {
    InvocationResult result = InvocationResult::Handled;
    ++handler_calls_;
    std::optional<MethodReplyApi::Capture> capture;
    if (options_.reply_api != nullptr && kind != EventKind::Direct)
        capture.emplace(*options_.reply_api);
    try {
        core::Status st = handler_.handle(update, deadline);
        if (!st) {
            result = st.error().code == core::ErrorCode::Timeout ? InvocationResult::TimedOut
                                                                 : InvocationResult::Failed;
            core::log::warn("lambda: update {} not handled: {}", update.update_id,
                            st.error().message);
        }
    } catch (const std::exception& e) {
        result = InvocationResult::Failed;
        core::log::error("lambda: handler threw on update {}: {}", update.update_id, e.what());
    } catch (...) {
        result = InvocationResult::Failed;
        core::log::error("lambda: handler threw a non-standard exception on update {}",
                         update.update_id);
    }
    if (dedupe_.finish) dedupe_.finish(update.update_id, result == InvocationResult::Handled);
    // 200 even when it failed: Telegram would resend it, and the next try would fail the same way.
    LambdaReply r = reply(kind, 200, result, update.update_id, "");
    if (std::optional<Json> method = capture ? capture->take() : std::nullopt) {
        r.method = method->value("method", "");
        r.payload = render_lambda_response(kind, 200, *method);
    }
    return r;
}

}  // namespace runtime
