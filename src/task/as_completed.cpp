// CompletionQueue: completion order, the overall deadline and clean-up behind
// corio::as_completed (see detail/completion_queue.hpp). Layer 4.
#include "corio/detail/completion_queue.hpp"
#include "corio/detail/loop_access.hpp"

namespace corio::detail {

CompletionQueue::CompletionQueue(const std::vector<TaskCore*>& tasks, OptionalDuration timeout)
    : nodes_(tasks.size()), order_(tasks.size()), total_(tasks.size()) {
    if (timeout) {
        loop_ = &Loop::current();
        deadline_ = deadline_after(detail::LoopAccess::now_ns(*loop_), timeout.ns());
        has_deadline_ = true;
    }
    for (size_t i = 0; i < tasks.size(); ++i) {
        Node& n = nodes_[i];
        n.owner = this;
        n.watched = tasks[i];
        n.index = static_cast<uint32_t>(i);
        if (tasks[i]->done()) {
            order_[written_++] = n.index;
        } else {
            n.on_done = &CompletionQueue::on_child_done;
            tasks[i]->add_awaiter(&n);
        }
    }
}

CompletionQueue::~CompletionQueue() {
    for (Node& n : nodes_) {
        if (n.linked) n.watched->remove_awaiter(&n);
    }
}

bool CompletionQueue::ready() const {
    bool expired = has_deadline_ && detail::LoopAccess::now_ns(*loop_) >= deadline_;
    return read_ < written_ || read_ == total_ || expired;
}

void CompletionQueue::on_child_done(TaskCore::AwaitNode* a) {
    auto* n = static_cast<Node*>(a);
    CompletionQueue* self = n->owner;
    self->order_[self->written_++] = n->index;
    self->wake();
}

int64_t CompletionQueue::resume() {
    finish_wait();
    if (read_ < written_) return order_[read_++];
    if (read_ == total_) return -1;
    throw TimeoutError("as_completed: timed out");
}

}  // namespace corio::detail
