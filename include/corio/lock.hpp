// corio::Lock: asyncio.Lock, FIFO fair. Layer 4. A lock is a bounded semaphore of one permit,
// so it shares the semaphore's hand-off fairness and its cancellation guarantees.
//
// Threads: everything here runs on the thread of the one loop that uses the lock (not a
// thread lock). Throws: as noted; awaiting acquire() throws CancelledError when cancelled.
#pragma once

#include <optional>

#include "corio/error.hpp"
#include "corio/semaphore.hpp"

namespace corio {

class Lock {
public:
    using Holder = Semaphore::Holder;

    Lock() noexcept = default;
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

    // co_await lock.acquire() -> Holder, which unlocks on scope exit (or on its release()).
    // try_acquire(): a Holder now, or nullopt; never suspends nor throws.
    [[nodiscard]] Semaphore::AcquireAwaiter acquire() noexcept { return sem_.acquire(); }
    std::optional<Holder> try_acquire() noexcept { return sem_.try_acquire(); }
    // Unlocks a lock acquired without keeping its Holder. InvalidStateError if not locked.
    void release() {
        if (!locked()) throw InvalidStateError("release of an unlocked Lock");
        sem_.release();
    }
    bool locked() const noexcept { return sem_.locked(); }  // never throws
    // Whether h holds this lock (Condition checks the holder it is given).
    bool owns(const Holder& h) const noexcept { return h.semaphore() == &sem_; }

private:
    friend class Condition;
    BoundedSemaphore sem_{1};
};

}  // namespace corio
