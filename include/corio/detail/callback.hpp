// A type-erased unit of work for the loop's ready queue (call_soon and friends), without
// std::function: one allocation per callback, none for coroutine handles.
#pragma once

#include <utility>

#include "corio/detail/frame_pool.hpp"

namespace corio::detail {

// run() or drop() is called exactly once; each decides what happens to the node (a one-shot
// callback deletes itself, a task's start step does not).
class CallbackNode {
public:
    virtual void run() = 0;   // may throw; the loop reports it and carries on
    virtual void drop() = 0;  // the loop closed before run(): release without running

    // Free for whichever single intrusive list holds the node (a task's done callbacks, the
    // loop's cross-thread inbox); a node is in at most one list at a time.
    CallbackNode* link = nullptr;

protected:
    ~CallbackNode() = default;
};

template <class F>
class OwnedCallback final : public CallbackNode {
public:
    explicit OwnedCallback(F f) : f_(std::move(f)) {}
    static void* operator new(size_t n) { return frame_alloc(n); }
    static void operator delete(void* p, size_t n) noexcept { frame_free(p, n); }
    void run() override {
        struct Deleter {
            OwnedCallback* self;
            ~Deleter() { delete self; }
        } d{this};
        f_();
    }
    void drop() override { delete this; }

private:
    F f_;
};

}  // namespace corio::detail
