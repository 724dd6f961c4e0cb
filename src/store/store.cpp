#include "store/store.h"

namespace store {

const char* update_state_name(UpdateState s) {
    switch (s) {
        case UpdateState::None:
            return "none";
        case UpdateState::Claimed:
            return "claimed";
        case UpdateState::Done:
            return "done";
    }
    return "none";
}

const char* role_name(Role r) {
    switch (r) {
        case Role::System:
            return "system";
        case Role::User:
            return "user";
        case Role::Assistant:
            return "assistant";
    }
    return "user";
}

std::optional<Role> parse_role(std::string_view name) {
    if (name == "system") return Role::System;
    if (name == "user") return Role::User;
    if (name == "assistant") return Role::Assistant;
    return std::nullopt;
}

int64_t to_unix_ms(WallTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

WallTime from_unix_ms(int64_t ms) {
    return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(ms)));
}

}  // namespace store
