// The untyped half of run_in_executor/to_thread: a job's trip worker -> inbox -> loop, and the
// awaiter's cancel and clean-up. Layer 4. The ownership steps are in executor.hpp.
#include "corio/executor.hpp"

#include "corio/detail/loop_access.hpp"
#include "corio/error.hpp"

namespace corio::detail {

void ExecutorJobBase::execute() noexcept {
    uint8_t expected = kQueued;
    // acq_rel: on failure we must see everything the loop thread did before it gave the job
    // up, since we free it.
    if (!state_.compare_exchange_strong(expected, kRunning, std::memory_order_acq_rel)) {
        destroy();
        return;
    }
    try {
        invoke();
    } catch (...) {
        error = std::current_exception();
    }
    // The inbox's mutex is the hand-off: nothing here touches the node after this call.
    detail::LoopAccess::post_threadsafe(*loop_, this);
}

void ExecutorJobBase::discard() noexcept {
    uint8_t expected = kQueued;
    if (!state_.compare_exchange_strong(expected, kDropped, std::memory_order_acq_rel)) {
        destroy();
        return;
    }
    detail::LoopAccess::post_threadsafe(*loop_, this);
}

void ExecutorJobBase::run() {
    detail::LoopAccess::external_end(*loop_);
    if (waiter) {
        waiter->job_finished();
    } else {
        destroy();
    }
}

void ExecutorJobBase::drop() {
    // The loop is closing; an awaiter still attached sits in a frame that will never resume.
    detail::LoopAccess::external_end(*loop_);
    if (waiter) waiter->job_lost();
    destroy();
}

void ExecutorJobBase::abandon() noexcept {
    waiter = nullptr;
    uint8_t expected = kQueued;
    if (state_.compare_exchange_strong(expected, kCancelled, std::memory_order_acq_rel)) {
        // Never started: the worker that dequeues it frees it and posts nothing back.
        detail::LoopAccess::external_end(*loop_);
    }
    // Otherwise it is running (or dropped by the pool) and frees itself when it comes back.
}

ExecutorWait::~ExecutorWait() {
    if (job_) {
        if (finished_) {
            job_->destroy();
        } else {
            job_->abandon();
        }
    }
    unpark();
}

void ExecutorWait::start(std::coroutine_handle<> h, TaskCore* task, ExecutorJobBase* job) {
    handle_ = h;
    job->waiter = this;
    detail::LoopAccess::external_begin(loop_);
    try {
        pool_.submit(job);
    } catch (...) {
        detail::LoopAccess::external_end(loop_);
        job->destroy();
        throw;
    }
    job_ = job;
    on_cancel = [](Waiter* w) {
        auto* self = static_cast<ExecutorWait*>(w);
        // The blocking call cannot be interrupted: stop waiting for it at once and let its
        // result be dropped when it comes back.
        self->job_->abandon();
        self->job_ = nullptr;
        detail::LoopAccess::schedule(self->loop_, self->handle_);
    };
    if (task) task->park(this);
}

void ExecutorWait::job_finished() noexcept {
    finished_ = true;
    unpark();
    detail::LoopAccess::schedule(loop_, handle_);
}

void ExecutorWait::check_result() {
    unpark();
    if (task) task->take_cancel();
    if (!job_) throw CancelledError("the loop closed before the blocking call returned");
    if (job_->dropped()) throw CancelledError("the thread pool shut down before the call ran");
    if (job_->error) std::rethrow_exception(job_->error);
}

}  // namespace corio::detail
