// UpdateHandler: what every transport (poll loop, webhook server, Lambda, console) hands updates
// to. bot::Bot implements it; tests implement it to drive the runtimes without bot logic.
//   core::Status st = handler.handle(update, core::Deadline::after(50s, clock));
#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "telegram/types.h"

namespace bot {

class UpdateHandler {
public:
    virtual ~UpdateHandler() = default;
    // Handles one update completely (every Bot API call it needs made) before returning. An error
    // means the update was not handled; retryable ones (network, timeout, 429, 5xx) may be retried.
    virtual core::Status handle(const telegram::Update& update, core::Deadline deadline) = 0;
};

}  // namespace bot
