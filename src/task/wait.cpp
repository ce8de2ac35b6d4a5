// WaitSet: the condition and the clean-up behind corio::wait (see detail/wait_set.hpp).
// Layer 4.
#include "corio/detail/wait_set.hpp"

namespace corio::detail {

namespace {
bool ended_in_exception(TaskCore* t) {
    // take_exception marks the exception retrieved, as asyncio.wait's t.exception() does.
    return !t->cancelled() && t->take_exception();
}
}  // namespace

void WaitSet::watch(size_t i, TaskCore* t) {
    Node* n = &nodes_[i];
    n->owner = this;
    n->watched = t;
    if (t->done()) {
        ++done_;
        if (when_ == ReturnWhen::FirstException && ended_in_exception(t)) failed_ = true;
        return;
    }
    n->on_done = &WaitSet::on_child_done;
    t->add_awaiter(n);
}

bool WaitSet::satisfied() const noexcept {
    if (done_ == total_) return true;
    switch (when_) {
        case ReturnWhen::FirstCompleted:
            return done_ > 0;
        case ReturnWhen::FirstException:
            return failed_;
        case ReturnWhen::AllCompleted:
            break;
    }
    return false;
}

void WaitSet::on_child_done(TaskCore::AwaitNode* a) {
    auto* n = static_cast<Node*>(a);
    WaitSet* self = n->owner;
    ++self->done_;
    if (self->when_ == ReturnWhen::FirstException && ended_in_exception(n->watched)) {
        self->failed_ = true;
    }
    if (self->satisfied()) self->wake();
}

void WaitSet::unlink_all() noexcept {
    for (size_t i = 0; i < total_; ++i) {
        if (nodes_[i].linked) nodes_[i].watched->remove_awaiter(&nodes_[i]);
    }
}

}  // namespace corio::detail
