// The FIFO of coroutines parked on a synchronisation primitive (Semaphore, Lock, Event,
// Condition, Queue). Layer 4 plumbing; depends on the loop and the parking protocol only.
//
// A WaitNode is embedded in the awaiter, which lives in the waiting coroutine's frame, so
// waiting allocates nothing. Its life, under the parking protocol of task_core.hpp:
//   queued (list != null) --wake()--> woken (scheduled, holds what it waited for)
//   queued --task cancelled--> removed and scheduled; await_resume throws CancelledError
// A woken node whose task is cancelled before it resumes must hand back what it was given
// (the permit, the item claim, the notification): the primitive's give-back, called from
// await_resume or from the awaiter's destructor, keeps "no lost permit, no lost wake-up".
//
// Invariants: a node is in at most one list; list == the list holding it, or null; woken is
// set only by wake(), after the node left the list.
#pragma once

#include <coroutine>
#include <cstddef>

#include "corio/detail/intrusive_list.hpp"
#include "corio/detail/loop_access.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/loop.hpp"

namespace corio::detail {

class WaitList;

struct WaitNode : Waiter {
    ListHook<WaitNode> hook;
    WaitList* list = nullptr;  // the list holding it, null when not queued
    Loop* loop = nullptr;
    std::coroutine_handle<> handle{};
    bool woken = false;
};

class WaitList {
public:
    WaitList() = default;
    WaitList(const WaitList&) = delete;
    WaitList& operator=(const WaitList&) = delete;
    // A primitive destroyed under its waiters: they stay suspended (until their loop closes)
    // but no longer point at freed memory.
    ~WaitList() {
        while (WaitNode* n = nodes_.pop_front()) n->list = nullptr;
    }

    bool empty() const noexcept { return nodes_.empty(); }
    size_t size() const noexcept { return size_; }
    WaitNode* front() const noexcept { return nodes_.front(); }

    // Queues n at the back and parks it on the task running h (if any), so that cancelling that
    // task removes n and resumes it. With park false the wait cannot be cancelled: a cancel
    // stays pending until the task's next suspension (Condition's re-acquire needs that).
    template <class P>
    void suspend(WaitNode* n, std::coroutine_handle<P> h, bool park = true) {
        TaskCore* t = task_of(h);
        n->handle = h;
        n->loop = t ? t->loop() : &Loop::current();
        n->woken = false;
        push_back(n);
        n->on_cancel = &WaitList::on_cancel;
        if (t && park) t->park(n);
    }

    // Takes the front node out and schedules it, marked woken. False when nobody waits.
    bool wake_one() noexcept {
        WaitNode* n = nodes_.front();
        if (!n) return false;
        wake(n);
        return true;
    }
    void wake_all() noexcept {
        while (WaitNode* n = nodes_.front()) wake(n);
    }
    static void wake(WaitNode* n) noexcept {
        n->list->remove(n);
        n->woken = true;
        n->unpark();
        detail::LoopAccess::schedule(*n->loop, n->handle);
    }

    void remove(WaitNode* n) noexcept {
        nodes_.remove(n);
        n->list = nullptr;
        --size_;
    }

private:
    void push_back(WaitNode* n) noexcept {
        nodes_.push_back(n);
        n->list = this;
        ++size_;
    }
    // Cancelled while queued: nothing was handed over, so leaving the queue is all it takes.
    static void on_cancel(Waiter* w) {
        auto* n = static_cast<WaitNode*>(w);
        if (n->list) n->list->remove(n);
        detail::LoopAccess::schedule(*n->loop, n->handle);
    }

    IntrusiveList<WaitNode, &WaitNode::hook> nodes_;
    size_t size_ = 0;
};

// Base of the primitives' awaiters: leaves the list if the frame dies while queued (a loop
// closing under it), and tells await_resume whether a cancel is due.
class WaitAwaiterBase : protected WaitNode {
public:
    WaitAwaiterBase() = default;
    WaitAwaiterBase(const WaitAwaiterBase&) = delete;
    WaitAwaiterBase& operator=(const WaitAwaiterBase&) = delete;

protected:
    ~WaitAwaiterBase() {
        if (list) list->remove(this);
        unpark();
    }
    // Called first thing in await_resume. True when the task was cancelled: either while queued
    // (then woken is false) or after being woken (then the caller gives back what it got).
    bool cancel_due() noexcept {
        unpark();
        return task && task->cancel_pending();
    }
    // Throws the pending CancelledError, consuming it.
    void throw_cancel() { task->take_cancel(); }
};

}  // namespace corio::detail
