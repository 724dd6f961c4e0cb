// core::Result<T>: a value or a core::Error, returned by every operation that can fail for
// reasons outside the program (files, network, parsing, remote errors). Same surface as
// C++23 std::expected, so moving to it later is a rename.
//   core::Result<int> parse(std::string_view s);
//   auto r = parse("42"); if (!r) log::warn("{}", r.error().message); else use(*r);
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "core/check.h"

namespace core {

enum class ErrorCode {
    Unknown,
    InvalidArgument,  // bad config value, bad flag, bad request
    NotFound,
    Io,
    Parse,        // malformed file, JSON, event
    Network,      // connection failed, reset, DNS
    Timeout,      // deadline reached
    Http,         // remote answered with an error status
    Unauthorized,
    RateLimited,  // 429, see retry_after
    Unsupported,
    ResourceExhausted,
    Cancelled,
    Internal,
};

const char* error_code_name(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::Unknown;
    std::string message;
    std::optional<std::chrono::milliseconds> retry_after;  // set when the peer asked us to wait
    int http_status = 0;                                    // set for remote errors

    Error() = default;
    Error(ErrorCode c, std::string m) : code(c), message(std::move(m)) {}
};

// The error side of a Result, as std::unexpected.
class Unexpected {
public:
    explicit Unexpected(Error e) : error_(std::move(e)) {}
    Error& error() & { return error_; }
    Error&& error() && { return std::move(error_); }

private:
    Error error_;
};

inline Unexpected fail(ErrorCode code, std::string message) {
    return Unexpected(Error(code, std::move(message)));
}
inline Unexpected fail(Error e) { return Unexpected(std::move(e)); }

template <class T>
class [[nodiscard]] Result {
public:
    using value_type = T;

    Result(const T& v) : v_(std::in_place_index<0>, v) {}                  // NOLINT: implicit
    Result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}            // NOLINT: implicit
    Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u).error()) {}  // NOLINT
    template <class U>
        requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
                 !std::is_same_v<std::decay_t<U>, Unexpected> &&
                 !std::is_same_v<std::decay_t<U>, Result>)
    Result(U&& v) : v_(std::in_place_index<0>, std::forward<U>(v)) {}  // NOLINT: implicit

    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & {
        LG_CHECK(has_value(), "Result::value() on an error: " + std::get<1>(v_).message);
        return std::get<0>(v_);
    }
    const T& value() const& {
        LG_CHECK(has_value(), "Result::value() on an error: " + std::get<1>(v_).message);
        return std::get<0>(v_);
    }
    T&& value() && {
        LG_CHECK(has_value(), "Result::value() on an error: " + std::get<1>(v_).message);
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    template <class U>
    T value_or(U&& fallback) const& {
        return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
    }

    const Error& error() const& {
        LG_CHECK(!has_value(), "Result::error() on a value");
        return std::get<1>(v_);
    }
    Error&& error() && {
        LG_CHECK(!has_value(), "Result::error() on a value");
        return std::get<1>(std::move(v_));
    }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    using value_type = void;
    Result() = default;
    Result(Unexpected u) : err_(std::move(u).error()) {}  // NOLINT: implicit

    bool has_value() const { return !err_.has_value(); }
    explicit operator bool() const { return has_value(); }
    void value() const { LG_CHECK(has_value(), "Result<void>::value() on an error: " + err_->message); }
    const Error& error() const& {
        LG_CHECK(!has_value(), "Result::error() on a value");
        return *err_;
    }
    Error&& error() && {
        LG_CHECK(!has_value(), "Result::error() on a value");
        return std::move(*err_);
    }

private:
    std::optional<Error> err_;
};

using Status = Result<void>;
inline Status ok() { return {}; }

}  // namespace core

// Returns the error of `expr` (a Result) from the enclosing function if it holds one.
#define LG_TRY(expr)                                                    \
    do {                                                                \
        auto&& lg_try_r_ = (expr);                                      \
        if (!lg_try_r_) return ::core::fail(std::move(lg_try_r_).error()); \
    } while (0)
