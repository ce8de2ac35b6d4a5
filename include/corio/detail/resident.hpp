// Resident: work that lives on a loop until it finishes (a task, as the loop sees it). Layer 3:
// the loop keeps a registry of residents, holds a reference to each, and at shutdown either
// cancels them (Loop::shutdown) or abandons them (Loop::close). The task core (layer 4)
// implements the hooks, so the loop needs nothing from the layers above it.
#pragma once

#include "corio/detail/callback.hpp"

namespace corio::detail {

// Invariants: a resident is in at most one registry; while it is, the registry owns one of
// its references, given back by release_resident() when it leaves. The registry's forward
// link is CallbackNode::link, which nothing else uses while a resident is registered (its
// start step sits in the ready queue by value, its done callbacks are other nodes).
class Resident : public CallbackNode {
public:
    virtual bool resident_done() const noexcept = 0;
    virtual void hold_resident() noexcept = 0;     // one more reference
    virtual void release_resident() noexcept = 0;  // one less; may free the resident
    // Loop::shutdown: ask it to finish; it leaves the registry itself when it has.
    virtual void cancel_resident() = 0;
    // Loop::close: end it without running it any further; the loop then unregisters it.
    virtual void abandon_resident() = 0;

    Resident* reg_prev = nullptr;
    Resident* reg_next() const noexcept { return static_cast<Resident*>(link); }

protected:
    ~Resident() = default;
};

}  // namespace corio::detail
