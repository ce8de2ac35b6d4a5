// The untyped task machinery: starting, cancelling, finishing, waking awaiters and callbacks,
// and the unretrieved-exception report. Layer 4.
#include <cstdio>
#include <exception>

#include "corio/detail/loop_access.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/detail/trampoline.hpp"
#include "corio/error.hpp"
#include "corio/loop.hpp"

namespace corio::detail {

namespace {
// Numbers default names (Task-N); per thread, since one loop per thread touches it.
thread_local uint32_t tl_task_counter = 0;
}  // namespace

TaskCore::TaskCore(Loop* loop, std::coroutine_handle<> root, PromiseBase& promise,
                   std::string&& name)
    : root_(root), loop_(loop), id_(++tl_task_counter) {
    if (!name.empty()) name_ = std::make_unique<std::string>(std::move(name));
    promise.task = this;
}

TaskCore::~TaskCore() {
    destroy_frame();
    // Done callbacks never scheduled (loop closed first) are released here.
    while (CallbackNode* cb = callbacks_) {
        callbacks_ = cb->link;
        cb->drop();
    }
}

void TaskCore::report_unretrieved() noexcept {
    // retrieved_ first: it is set for every task that finished without an exception, so the
    // common case does not touch the (cold) frame.
    if (!retrieved_ && state_ == State::Finished && !abandoned_ && promise_base().exception) {
        // A task handle may outlive its loop: the report names the loop it knew, and goes to
        // stderr when that loop is gone.
        try {
            std::string message = "Task exception was never retrieved: " + name() + ": ";
            try {
                std::rethrow_exception(promise_base().exception);
            } catch (const std::exception& e) {
                message += e.what();
            } catch (...) {
                message += "unknown exception";
            }
            LoopAccess::report(loop_, message);
        } catch (...) {  // no memory for the message
            LoopAccess::report(loop_, "Task exception was never retrieved");
        }
    }
}

std::string TaskCore::name() const { return name_ ? *name_ : "Task-" + std::to_string(id_); }

void TaskCore::set_name(std::string name) {
    name_ = name.empty() ? nullptr : std::make_unique<std::string>(std::move(name));
}

void TaskCore::throw_cancelled() { throw CancelledError(); }

std::exception_ptr TaskCore::abandoned_error() {
    return std::make_exception_ptr(CancelledError("task destroyed by loop close"));
}

bool TaskCore::cancel() {
    if (done()) return false;
    if (cancel_requests_ != UINT16_MAX) ++cancel_requests_;
    cancel_requested_ = true;
    if (Waiter* w = waiting_on_) {
        waiting_on_ = nullptr;
        cancel_woke_ = true;
        w->on_cancel(w);
    }
    return true;
}

void TaskCore::run() {
    // The task's first step. A task cancelled before it ever ran finishes without running a
    // line of its body, as in asyncio.
    if (cancel_requested_) {
        cancel_requested_ = false;
        cancel_woke_ = false;
        promise_base().exception = std::make_exception_ptr(CancelledError());
        finish(State::Cancelled);
        return;
    }
    started_ = true;
    drive(root_);
}

void TaskCore::root_finished(PromiseBase& p) {
    State s = State::Finished;
    if (!p.exception) {
        retrieved_ = true;  // nothing to report
    } else {
        try {
            std::rethrow_exception(p.exception);
        } catch (const CancelledError&) {
            s = State::Cancelled;
        } catch (...) {
        }
    }
    finish(s);
}

void TaskCore::finish(State s) {
    state_ = s;
    cancel_requested_ = false;
    cancel_woke_ = false;
    waiting_on_ = nullptr;
    // Awaiters are pushed at the head; wake them oldest first.
    AwaitNode* n = awaiters_.front();
    while (n && awaiters_.next(n)) n = awaiters_.next(n);
    while (n) {
        AwaitNode* prev = awaiters_.prev(n);
        awaiters_.remove(n);
        n->linked = false;
        if (n->waiter) n->waiter->unpark();
        if (n->on_done) {
            n->on_done(n);
        } else {
            detail::LoopAccess::schedule(*loop_, n->handle);
        }
        n = prev;
    }
    while (CallbackNode* cb = callbacks_) {
        callbacks_ = cb->link;
        cb->link = nullptr;
        detail::LoopAccess::schedule(*loop_, cb);
    }
    // Last: may free this task (and its frame) when no handle is left. The caller (final
    // awaiter or run()) touches nothing of the task after this returns.
    detail::LoopAccess::unregister_resident(*loop_, this);
}

void TaskCore::abandon() {
    // The loop is closing with this task pending: its frame chain is destroyed without
    // resuming it. Awaiters' destructors unlink their timers and registrations on the way.
    if (started_) {
        LoopAccess::report(loop_, "Task was destroyed but it is pending: " + name());
    }
    state_ = State::Cancelled;
    waiting_on_ = nullptr;
    abandoned_ = true;
    retrieved_ = true;
    destroy_frame();
    // Tasks that were awaiting this one are being destroyed too: unlink them, wake none.
    while (AwaitNode* n = awaiters_.pop_front()) n->linked = false;
    while (CallbackNode* cb = callbacks_) {
        callbacks_ = cb->link;
        cb->drop();
    }
}

void TaskCore::add_awaiter(AwaitNode* n) {
    awaiters_.push_front(n);
    n->linked = true;
}

void TaskCore::remove_awaiter(AwaitNode* n) {
    if (!n->linked) return;
    awaiters_.remove(n);
    n->linked = false;
}

void TaskCore::add_done_callback(CallbackNode* cb) {
    if (done()) {
        if (loop_ && !loop_->is_closed()) {
            detail::LoopAccess::schedule(*loop_, cb);
        } else {
            cb->drop();
        }
        return;
    }
    // Appended, so callbacks run in the order added.
    cb->link = nullptr;
    CallbackNode** tail = &callbacks_;
    while (*tail) tail = &(*tail)->link;
    *tail = cb;
}

}  // namespace corio::detail
