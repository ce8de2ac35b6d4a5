// corio::TaskGroup: adopting children, the group's end (waiting for them, settling the owner's
// cancel, choosing what to throw), and the destructor's last resort (see task_group.hpp).
// Layer 4.
#include "corio/task_group.hpp"

#include <string>

#include "corio/detail/loop_access.hpp"

namespace corio {

namespace {
bool is_cancel(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const CancelledError&) {
        return true;
    } catch (...) {
        return false;
    }
}
}  // namespace

TaskGroup::~TaskGroup() {
    if (size_t n = all_.remaining()) {
        detail::LoopAccess::report(Loop::running(),
                                   "TaskGroup destroyed with " + std::to_string(n) +
                                       " unfinished children (cancelled); await group.wait() "
                                       "before it goes");
        all_.cancel_pending();
    }
}

void TaskGroup::check_open() const {
    if (finished_) throw InvalidStateError("TaskGroup is finished");
    if (all_.failed()) throw InvalidStateError("TaskGroup is shutting down: a child failed");
}

void TaskGroup::adopt(detail::TaskCore* t) {
    detail::AllDone::Node* n = all_.reusable();
    if (!n) n = &nodes_.emplace_back();
    all_.watch(t, n);
}

void TaskGroup::bind_owner(detail::TaskCore* t) noexcept {
    owner_ = t;
    all_.cancel_also(t);
}

Coro<void> TaskGroup::wait() { return end(nullptr); }

Coro<void> TaskGroup::end(std::exception_ptr body_error) {
    if (waiting_ || finished_) throw InvalidStateError("TaskGroup.wait() is awaited only once");
    waiting_ = true;
    struct Finish {
        TaskGroup* g;
        ~Finish() {
            g->waiting_ = false;
            g->finished_ = true;
        }
    } finish{this};
    // From here on the owner waits right here: a failure only has to end this wait, which
    // AllDone does by itself.
    all_.cancel_also(nullptr);
    if (!owner_) {
        detail::CurrentTask current;
        owner_ = co_await current;
    }
    std::exception_ptr cancelled;  // the CancelledError that would propagate, if any
    if (body_error) {
        if (is_cancel(body_error)) {
            cancelled = body_error;
        }
        all_.cancel_pending();  // the body failed or was cancelled: the children go too
    }
    try {
        co_await all_;
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    // Our own cancel of the owner is answered: take it back. When nothing else asked for one,
    // the CancelledError it caused is swallowed (asyncio's TaskGroup.__aexit__).
    if (all_.cancelled_also()) {
        all_.forget_cancelled_also();
        if (owner_ && owner_->uncancel() == 0) cancelled = nullptr;
    }
    if (all_.failed()) {
        report_other_failures();
        std::rethrow_exception(all_.first_failure());
    }
    if (cancelled) std::rethrow_exception(cancelled);
    if (body_error) std::rethrow_exception(body_error);
}

void TaskGroup::report_other_failures() const noexcept {
    const std::vector<std::exception_ptr>& errors = all_.failures();
    Loop* loop = owner_ ? owner_->loop() : Loop::running();
    if (!loop) return;
    for (size_t i = 1; i < errors.size(); ++i) {
        detail::LoopAccess::report(*loop, "TaskGroup: another child failed too", errors[i]);
    }
}

}  // namespace corio
