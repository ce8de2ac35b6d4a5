// The FIFO of coroutines parked on a synchronisation primitive (Semaphore, Lock, Event,
// Condition, Queue): ParkCores of park.hpp, linked in arrival order. Layer 4 plumbing; depends on
// the loop and the parking protocol only.
//
// A WaitNode is the base of the primitive's awaiter, which lives in the waiting coroutine's
// frame, so waiting allocates nothing. Its life, under the parking protocol of task_core.hpp:
//   queued (list_ != null) --wake--> woken (scheduled, holds what it waited for)
//   queued --task cancelled--> removed and scheduled; finish_wait throws CancelledError
// A woken node whose task is cancelled before it resumes must hand back what it was given
// (the permit, the item claim, the notification): the primitive's give-back, called from
// await_resume (when cancel_due()) or from the awaiter's destructor, keeps "no lost permit, no
// lost wake-up".
//
// Invariants: a node is in at most one list; list_ == the list holding it, or null; woken_ is
// set only by WaitList::wake, after the node left the list.
#pragma once

#include <cassert>
#include <coroutine>
#include <cstddef>
#include <utility>

#include "corio/detail/intrusive_list.hpp"
#include "corio/detail/park.hpp"

namespace corio::detail {

class WaitList;

class WaitNode : protected ParkCore {
public:
    WaitNode() = default;
    // Before the first await only (see ParkCore's): an unqueued node carries just its flags.
    WaitNode(WaitNode&& o) noexcept : ParkCore(std::move(o)), cancellable_(o.cancellable_) {
        assert(!o.list_ && !o.woken_);
    }

protected:
    inline ~WaitNode();

    // await_suspend: queues this node at the back of l and parks it on the task running h, so
    // that cancelling that task removes it and resumes it (unless cancellable_ is false).
    template <class P>
    inline void suspend_in(WaitList& l, std::coroutine_handle<P> h);
    // Whether a wake handed this node what it waited for; take_woken also forgets it (first
    // thing in await_resume, so the destructor does not give it back a second time).
    // Both test suspended() first: an awaiter that never suspended (the uncontended path) then
    // pays one test for its whole destruction, as the compiler folds the repeated ones.
    bool woken() const noexcept { return suspended() && woken_; }
    bool take_woken() noexcept { return std::exchange(woken_, false); }

    // False: a cancel stays pending until the task's next suspension (Condition's re-acquire
    // needs that). Here rather than in the awaiter, where it would cost a word.
    bool cancellable_ = true;

private:
    friend class WaitList;
    static inline void leave(ParkCore* p) noexcept;

    bool woken_ = false;  // the flags first: they fit in ParkCore's tail padding
    ListHook<WaitNode> hook_;
    WaitList* list_ = nullptr;
};
// The awaiters of Lock and Event are this and a pointer or two: keep it at eight words.
static_assert(sizeof(void*) != 8 || sizeof(WaitNode) <= 64);

class WaitList {
public:
    WaitList() = default;
    WaitList(const WaitList&) = delete;
    WaitList& operator=(const WaitList&) = delete;
    // A primitive destroyed under its waiters: they stay suspended (until their loop closes)
    // but no longer point at freed memory.
    ~WaitList() {
        while (WaitNode* n = nodes_.pop_front()) n->list_ = nullptr;
    }

    bool empty() const noexcept { return nodes_.empty(); }
    size_t size() const noexcept { return size_; }

    // Takes the oldest node out and schedules it, marked woken. False when nobody waits.
    bool wake_one() noexcept {
        WaitNode* n = nodes_.front();
        if (!n) return false;
        wake(n);
        return true;
    }
    void wake_all() noexcept {
        while (WaitNode* n = nodes_.front()) wake(n);
    }

private:
    friend class WaitNode;
    void push_back(WaitNode* n) noexcept {
        nodes_.push_back(n);
        n->list_ = this;
        ++size_;
    }
    void remove(WaitNode* n) noexcept {
        nodes_.remove(n);
        n->list_ = nullptr;
        --size_;
    }
    // Out of line: the primitives' fast paths (push, pop, a free permit) test for a waiter
    // inline and stay small enough to be inlined themselves; a wake costs a schedule anyway.
    [[gnu::noinline]] void wake(WaitNode* n) noexcept {
        remove(n);
        n->woken_ = true;
        n->wake_waiting();  // queued means waiting
    }

    IntrusiveList<WaitNode, &WaitNode::hook_> nodes_;
    size_t size_ = 0;
};

inline WaitNode::~WaitNode() {
    if (suspended() && list_) list_->remove(this);  // the frame dies while queued (loop closing)
}

template <class P>
inline void WaitNode::suspend_in(WaitList& l, std::coroutine_handle<P> h) {
    TaskCore* t = begin_wait(h);
    woken_ = false;
    l.push_back(this);
    park_on<&WaitNode::leave>(cancellable_ ? t : nullptr);
}

// Cancelled while queued: nothing was handed over, so leaving the queue is all it takes.
inline void WaitNode::leave(ParkCore* p) noexcept {
    auto* self = static_cast<WaitNode*>(p);
    if (self->list_) self->list_->remove(self);
}

}  // namespace corio::detail
