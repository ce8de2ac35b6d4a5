// AllDone: counting finished children, cancelling the rest at the first failure, waking the
// waiter once (see detail/all_done.hpp). Layer 4.
#include <utility>

#include "corio/detail/all_done.hpp"
#include "corio/detail/loop_access.hpp"

namespace corio::detail {

AllDone::~AllDone() {
    // Only reached with children pending when the waiting frame is destroyed without resuming
    // (a loop closing): leave no node behind in a task that outlives us.
    // A node its task unlinked when the loop closed (abandon) must not touch that task again:
    // it may be gone.
    while (Node* n = pending_.pop_front()) {
        if (n->linked) n->watched->remove_awaiter(n);
    }
    unpark();
}

void AllDone::watch(TaskCore* t, Node* n) {
    n->owner = this;
    n->watched = t;
    if (t->done()) {
        record(t);
        return;
    }
    n->on_done = &AllDone::on_child_done;
    n->waiter = nullptr;
    t->add_awaiter(n);
    // Appended, so cancel_pending() cancels in the order children were watched.
    pending_.push_back(n);
    ++remaining_;
    // Joining a set already cancelled: this one goes the way of its siblings.
    if (cancelled_all_) t->cancel();
}

void AllDone::cancel_pending() noexcept {
    // Once: children ending cancelled because of it must not cancel the others again, which
    // would interrupt the cleanup they are running. cancel() only schedules (parking protocol):
    // no child finishes, and so no node leaves the list, while we walk it.
    if (std::exchange(cancelled_all_, true)) return;
    for (Node* n = pending_.front(); n; n = pending_.next(n)) {
        if (n->linked) n->watched->cancel();
    }
}

void AllDone::record(TaskCore* t) {
    std::exception_ptr e = t->take_exception();
    if (!e || (t->cancelled() && !opts_.cancelled_fails)) return;
    if (opts_.keep_failures) failures_.push_back(e);
    if (first_failure_) return;
    first_failure_ = e;
    if (opts_.cancel_on_failure) cancel_pending();
    // cancel() may run inside a child's finish(): allowed (see TaskCore::AwaitNode).
    if (cancel_also_ && cancel_also_->cancel()) cancelled_also_ = true;
}

void AllDone::on_child_done(TaskCore::AwaitNode* a) {
    auto* n = static_cast<Node*>(a);
    AllDone* self = n->owner;
    self->pending_.remove(n);
    --self->remaining_;
    if (self->opts_.recycle) {
        n->pending.next = self->free_;
        self->free_ = n;
    }
    self->record(n->watched);
    if (self->remaining_ == 0 && self->handle_) {
        self->unpark();
        detail::LoopAccess::schedule(*self->loop_, std::exchange(self->handle_, {}));
    }
}

void AllDone::on_waiter_cancelled(Waiter* w) {
    // The waiter stays suspended until the children it cancels have all finished; the last
    // one to finish schedules it, and await_resume then throws CancelledError.
    auto* self = static_cast<AllDone*>(w);
    self->cancel_pending();
    if (self->remaining_ == 0 && self->handle_) {
        detail::LoopAccess::schedule(*self->loop_, std::exchange(self->handle_, {}));
    }
}

void AllDone::await_resume() {
    handle_ = {};
    unpark();
    // Forget the task: a TaskGroup may outlive the task that waited on it, and the destructor's
    // unpark() must not touch it then.
    if (TaskCore* t = std::exchange(task, nullptr)) t->take_cancel();
}

AllDone::Node* AllDone::reusable() noexcept {
    Node* n = free_;
    if (n) free_ = n->pending.next;
    return n;
}

}  // namespace corio::detail
