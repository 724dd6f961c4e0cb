// LG_CHECK: for programmer errors only (broken invariants), never for file or network input.
// Logs the condition, the place and the message to stderr, then aborts.
//   LG_CHECK(n_tokens <= n_ctx, "batch larger than the context");
#pragma once

#include <string>

namespace core::detail {
[[noreturn]] void check_failed(const char* cond, const char* file, int line, const std::string& msg);
}

#define LG_CHECK(cond, msg)                                                         \
    do {                                                                            \
        if (!(cond)) [[unlikely]]                                                   \
            ::core::detail::check_failed(#cond, __FILE__, __LINE__, std::string(msg)); \
    } while (0)
