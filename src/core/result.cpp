#include "core/result.h"

#include <cstdio>
#include <cstdlib>

namespace core {

const char* error_code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::Unknown: return "unknown";
        case ErrorCode::InvalidArgument: return "invalid_argument";
        case ErrorCode::NotFound: return "not_found";
        case ErrorCode::Io: return "io";
        case ErrorCode::Parse: return "parse";
        case ErrorCode::Network: return "network";
        case ErrorCode::Timeout: return "timeout";
        case ErrorCode::Http: return "http";
        case ErrorCode::Unauthorized: return "unauthorized";
        case ErrorCode::RateLimited: return "rate_limited";
        case ErrorCode::Unsupported: return "unsupported";
        case ErrorCode::ResourceExhausted: return "resource_exhausted";
        case ErrorCode::Cancelled: return "cancelled";
        case ErrorCode::Internal: return "internal";
    }
    return "unknown";
}

namespace detail {
void check_failed(const char* cond, const char* file, int line, const std::string& msg) {
    std::fprintf(stderr, "lambdagram: internal check failed at %s:%d: %s (%s)\n", file, line, msg.c_str(),
                 cond);
    std::fflush(stderr);
    std::abort();
}
}  // namespace detail

}  // namespace core
