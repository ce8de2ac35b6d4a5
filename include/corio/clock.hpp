// The loop's clock: real (steady_clock) by default, or a ManualClock that tests move by hand
// so timer and timeout logic is tested without sleeping (Trio's MockClock, Tokio's paused time).
//
// Threads: a clock is read by its loop on the loop's thread; move a ManualClock on that thread
// too (it is not synchronised). Nothing here throws.
#pragma once

#include <chrono>

namespace corio {

// Loop time is steady_clock's time_point whatever the clock behind it, so call_at() takes one
// type in tests and in production.
class Clock {
public:
    using time_point = std::chrono::steady_clock::time_point;
    using duration = std::chrono::nanoseconds;

    virtual ~Clock() = default;
    virtual time_point now() = 0;
    // A loop with nothing to run asks the clock whether it may jump to the next timer instead
    // of blocking; only a manual clock says yes.
    virtual bool jump_to(time_point) { return false; }
};

// Time stands still until advance()/set() moves it. With auto_advance (the default) an idle
// loop jumps straight to its next timer, the way Tokio's paused clock does, so a test of a
// 10-second timeout finishes in microseconds and always sees the same interleaving.
class ManualClock final : public Clock {
public:
    explicit ManualClock(time_point start = time_point{} + std::chrono::hours(1),
                         bool auto_advance = true)
        : now_(start), auto_advance_(auto_advance) {}

    time_point now() override { return now_; }
    bool jump_to(time_point t) override {
        if (!auto_advance_) return false;
        if (t > now_) now_ = t;
        return true;
    }
    template <class Rep, class Period>
    void advance(std::chrono::duration<Rep, Period> d) {
        if (d.count() > 0) now_ += std::chrono::duration_cast<duration>(d);
    }
    void set(time_point t) { now_ = t; }
    void set_auto_advance(bool on) { auto_advance_ = on; }

private:
    time_point now_;
    bool auto_advance_;
};

namespace detail {
// Any std::chrono::duration as loop nanoseconds; negative counts as zero (DESIGN.md).
template <class Rep, class Period>
constexpr std::chrono::nanoseconds to_ns(std::chrono::duration<Rep, Period> d) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d);
    return ns.count() < 0 ? std::chrono::nanoseconds(0) : ns;
}
}  // namespace detail

}  // namespace corio
