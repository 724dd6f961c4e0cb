// Time as the bot sees it: a Clock interface (real or fake for tests) and a Deadline that every
// operation downstream of an update takes, so work stops before Telegram's or Lambda's limit.
//   core::Deadline d = core::Deadline::after(std::chrono::seconds(50));
//   while (!d.expired()) { ... d.remaining() ... }
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace core {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
public:
    virtual ~Clock() = default;
    virtual SteadyTime now() const = 0;       // for deadlines and durations
    virtual WallTime wall_now() const = 0;    // for dates shown to users and stored
    virtual void sleep_for(Millis d) = 0;     // a fake clock advances instead of sleeping
};

class SystemClock final : public Clock {
public:
    SteadyTime now() const override { return std::chrono::steady_clock::now(); }
    WallTime wall_now() const override { return std::chrono::system_clock::now(); }
    void sleep_for(Millis d) override;
    static SystemClock& instance();
};

// A clock that moves only when told to; sleep_for advances it. Thread-safe.
class FakeClock final : public Clock {
public:
    explicit FakeClock(WallTime start = WallTime(std::chrono::seconds(1'700'000'000)))
        : wall_(start) {}
    SteadyTime now() const override;
    WallTime wall_now() const override;
    void sleep_for(Millis d) override { advance(d); }
    void advance(Millis d);

private:
    mutable std::mutex mu_;
    SteadyTime steady_{};
    WallTime wall_;
};

// A point on the steady clock after which work must stop. Deadline::never() never expires.
class Deadline {
public:
    static Deadline never() { return Deadline(SteadyTime::max()); }
    static Deadline at(SteadyTime t) { return Deadline(t); }
    static Deadline after(Millis d, const Clock& clock = SystemClock::instance()) {
        return Deadline(clock.now() + d);
    }

    bool is_never() const { return t_ == SteadyTime::max(); }
    bool expired(const Clock& clock = SystemClock::instance()) const {
        return !is_never() && clock.now() >= t_;
    }
    // Time left, zero once expired; Millis::max() for never.
    Millis remaining(const Clock& clock = SystemClock::instance()) const;
    SteadyTime time_point() const { return t_; }
    // The earlier of the two.
    Deadline min(Deadline other) const { return other.t_ < t_ ? other : *this; }
    // This deadline moved earlier by `margin` (a safety margin before a hard limit).
    Deadline minus(Millis margin) const;

private:
    explicit Deadline(SteadyTime t) : t_(t) {}
    SteadyTime t_;
};

// Unix seconds of a wall time.
inline int64_t unix_seconds(WallTime t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace core
