// TimerHandle: what call_later/call_at return. A cheap copyable handle: cancel() is idempotent
// and destroying the handle does not cancel the timer (asyncio's TimerHandle).
//
// Threads: use a handle on its loop's thread (the reference count is not atomic). Nothing in
// TimerHandle throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <utility>

#include "corio/clock.hpp"
#include "corio/detail/callback.hpp"
#include "corio/detail/frame_pool.hpp"
#include "corio/detail/timer_node.hpp"

namespace corio {

class Loop;

namespace detail {

// A heap timer owning its callback. refs counts handles plus one held by the loop from arming
// until the callback ran or was dropped. When due, the wheel hands the node to the ready queue
// (as a CallbackNode), so user code never runs inside the loop's poll phase.
class TimerCallbackBase : public TimerNode, public CallbackNode {
public:
    TimerCallbackBase() { fire = &TimerCallbackBase::on_fire; }
    static void* operator new(size_t n) { return frame_alloc(n); }
    static void operator delete(void* p, size_t n) noexcept { frame_free(p, n); }
    static bool owns(const TimerNode* n) noexcept { return n->fire == &TimerCallbackBase::on_fire; }
    TimerCallbackBase(const TimerCallbackBase&) = delete;
    TimerCallbackBase& operator=(const TimerCallbackBase&) = delete;

    void add_ref() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }
    Loop* loop = nullptr;
    bool cancelled = false;

    void run() override;   // CallbackNode: invoke unless cancelled, then drop the loop's ref
    void drop() override;  // the loop's ref, without invoking

protected:
    virtual ~TimerCallbackBase() = default;
    virtual void invoke() = 0;

private:
    static void on_fire(TimerNode* n);
    uint32_t refs_ = 1;  // the loop's
};

template <class F>
class TimerCallback final : public TimerCallbackBase {
public:
    explicit TimerCallback(F f) : f_(std::move(f)) {}

private:
    void invoke() override { f_(); }
    F f_;
};

}  // namespace detail

class TimerHandle {
public:
    TimerHandle() noexcept = default;
    explicit TimerHandle(detail::TimerCallbackBase* n) noexcept : n_(n) {
        if (n_) n_->add_ref();
    }
    TimerHandle(const TimerHandle& o) noexcept : TimerHandle(o.n_) {}
    TimerHandle(TimerHandle&& o) noexcept : n_(std::exchange(o.n_, nullptr)) {}
    TimerHandle& operator=(TimerHandle o) noexcept {
        std::swap(n_, o.n_);
        return *this;
    }
    ~TimerHandle() {
        if (n_) n_->release();
    }

    // Stops the callback from running if it has not run yet; safe to call any number of times,
    // also after the loop closed.
    void cancel() noexcept;
    // Whether cancel() was called; when the timer is (was) due; false for an empty handle.
    bool cancelled() const noexcept { return n_ && n_->cancelled; }
    Clock::time_point when() const noexcept {
        return Clock::time_point(Clock::duration(n_ ? n_->deadline : 0));
    }
    explicit operator bool() const noexcept { return n_ != nullptr; }

private:
    detail::TimerCallbackBase* n_ = nullptr;
};

}  // namespace corio
