// corio::TaskGroup: adopting children, waiting for them, and the destructor's last resort (see
// task_group.hpp). Layer 4.
#include "corio/task_group.hpp"

#include <string>

#include "corio/detail/loop_access.hpp"

namespace corio {

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

Coro<void> TaskGroup::wait() {
    if (waiting_ || finished_) throw InvalidStateError("TaskGroup.wait() is awaited only once");
    waiting_ = true;
    struct Finish {
        TaskGroup* g;
        ~Finish() {
            g->waiting_ = false;
            g->finished_ = true;
        }
    } finish{this};
    co_await all_;
    if (all_.failed()) std::rethrow_exception(all_.first_failure());
}

}  // namespace corio
