#include "core/clock.h"

#include <thread>

namespace core {

void SystemClock::sleep_for(Millis d) {
    if (d.count() > 0) std::this_thread::sleep_for(d);
}

SystemClock& SystemClock::instance() {
    static SystemClock clock;
    return clock;
}

SteadyTime FakeClock::now() const {
    std::lock_guard<std::mutex> lock(mu_);
    return steady_;
}

WallTime FakeClock::wall_now() const {
    std::lock_guard<std::mutex> lock(mu_);
    return wall_;
}

void FakeClock::advance(Millis d) {
    std::lock_guard<std::mutex> lock(mu_);
    steady_ += d;
    wall_ += d;
}

Millis Deadline::remaining(const Clock& clock) const {
    if (is_never()) return Millis::max();
    auto now = clock.now();
    if (now >= t_) return Millis(0);
    return std::chrono::duration_cast<Millis>(t_ - now);
}

Deadline Deadline::minus(Millis margin) const {
    if (is_never()) return *this;
    if (t_ < SteadyTime::min() + margin) return Deadline(SteadyTime::min());
    return Deadline(t_ - margin);
}

}  // namespace core
