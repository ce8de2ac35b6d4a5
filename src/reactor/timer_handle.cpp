// call_later/call_at callbacks: firing hands the node to the ready queue; cancel() unlinks it.
#include "corio/timer_handle.hpp"

#include "corio/detail/loop_access.hpp"
#include "corio/loop.hpp"

namespace corio {

namespace detail {

void TimerCallbackBase::on_fire(TimerNode* n) {
    auto* self = static_cast<TimerCallbackBase*>(n);
    // The loop's reference moves from the wheel to the ready queue.
    detail::LoopAccess::schedule(*self->loop, static_cast<CallbackNode*>(self));
}

void TimerCallbackBase::run() {
    struct Release {
        TimerCallbackBase* self;
        ~Release() { self->release(); }
    } r{this};
    if (!cancelled) invoke();
}

void TimerCallbackBase::drop() { release(); }

}  // namespace detail

void TimerHandle::cancel() noexcept {
    if (!n_ || n_->cancelled) return;
    n_->cancelled = true;
    if (n_->linked() && n_->loop && !n_->loop->is_closed()) {
        detail::LoopAccess::cancel_timer(*n_->loop, n_);
        n_->release();  // the loop's reference: the node will never reach the ready queue
    }
}

}  // namespace corio
