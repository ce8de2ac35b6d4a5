// AllDone: waits until every task in a set is done, optionally cancelling the rest at the first
// failure. Layer 4 plumbing shared by gather, gather_settled and TaskGroup.
//
// Each watched task gets a Node (a TaskCore::AwaitNode whose on_done reports here), so a set of
// n tasks costs n nodes the caller provides and no wake-up per child: the waiting coroutine is
// scheduled once, when the last child is done. Cancelling the waiting task cancels every child
// still pending and keeps waiting until they all finished their cleanup; only then does
// CancelledError surface, so no child is ever left running behind the waiter's back.
//
// Invariants: pending_ lists exactly the linked nodes, in watch order (remaining_ of them); a node
// is linked on its task from watch() until that task finishes; first_failure_ is the earliest
// failure in completion order (tasks already done when watched count in watch() order).
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <vector>

#include "corio/detail/intrusive_list.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/loop.hpp"

namespace corio::detail {

class AllDone : Waiter {
public:
    struct Options {
        bool cancel_on_failure = true;  // cancel the others when one fails
        bool cancelled_fails = true;    // a child ending cancelled counts as a failure
        bool keep_failures = false;     // collect every failure, not only the first
        bool recycle = false;           // offer finished nodes back through reusable()
    };

    struct Node : TaskCore::AwaitNode {
        AllDone* owner = nullptr;
        TaskCore* watched = nullptr;
        ListHook<Node> pending;  // in owner's pending_ list, or (next only) its free list
    };

    explicit AllDone(Options o) noexcept : opts_(o) {}
    AllDone(const AllDone&) = delete;
    AllDone& operator=(const AllDone&) = delete;
    ~AllDone();

    // Starts watching t through n (which must stay put until t is done or this is destroyed).
    // A task already done is accounted for at once.
    void watch(TaskCore* t, Node* n);
    // Cancels every child still pending (they report back as they finish), and any watched
    // later. Only the first call does anything.
    void cancel_pending() noexcept;

    bool await_ready() const noexcept { return remaining_ == 0; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        handle_ = h;
        TaskCore* t = task_of(h);
        loop_ = t ? t->loop() : &Loop::current();
        on_cancel = &AllDone::on_waiter_cancelled;
        if (t) t->park(this);
    }
    // Throws CancelledError if the waiting task was cancelled; failures are left to the caller.
    void await_resume();

    size_t remaining() const noexcept { return remaining_; }
    bool failed() const noexcept { return static_cast<bool>(first_failure_); }
    std::exception_ptr first_failure() const noexcept { return first_failure_; }
    const std::vector<std::exception_ptr>& failures() const noexcept { return failures_; }
    // A node whose task finished, free for another watch() (only with Options::recycle).
    Node* reusable() noexcept;
    // A task cancelled too at the first failure (a TaskGroup's owner); null for none. Whether
    // that cancel was made: its maker takes it back (uncancel) when it is answered.
    void cancel_also(TaskCore* t) noexcept { cancel_also_ = t; }
    bool cancelled_also() const noexcept { return cancelled_also_; }
    void forget_cancelled_also() noexcept { cancelled_also_ = false; }

private:
    static void on_child_done(TaskCore::AwaitNode* a);
    static void on_waiter_cancelled(Waiter* w);
    void record(TaskCore* t);

    Options opts_;
    IntrusiveList<Node, &Node::pending> pending_;  // oldest first
    Node* free_ = nullptr;                         // singly linked through pending.next
    size_t remaining_ = 0;
    bool cancelled_all_ = false;
    bool cancelled_also_ = false;
    std::coroutine_handle<> handle_{};  // set while a coroutine waits
    Loop* loop_ = nullptr;
    TaskCore* cancel_also_ = nullptr;
    std::exception_ptr first_failure_{};
    std::vector<std::exception_ptr> failures_;
};

}  // namespace corio::detail
