// A loop's signal handlers (Loop::add_signal_handler). Layer 3, internal to the library: the
// process-wide part (sigaction, the async-signal-safe handler, the slot table) and this class
// are in signals.cpp.
//
// Delivery uses a self-pipe (wakeup.hpp: an eventfd or a pipe, written by a sigaction handler),
// not signalfd:
// signalfd only sees signals blocked in every thread, and a process with thread-pool workers
// (or any library thread) started before the mask was set would still take the default action
// on those threads; a handler works whatever the threads' masks, and lets several loops on
// several threads each receive the same signal.
#pragma once

#include <cstdint>
#include <memory>

#include "corio/detail/callback.hpp"
#include "corio/detail/io_watcher.hpp"
#include "corio/detail/signal_handler.hpp"
#include "wakeup.hpp"

namespace corio {
class Loop;
}

namespace corio::detail {

struct SignalSlot;

// "SIGINT", "SIGTERM", ...; a static string, safe inside a signal handler.
const char* signal_name(int sig);
// Ends the process the way sig's default action would (async-signal-safe).
void exit_by_signal(int sig);

// Invariants: handlers_[s] is set exactly when this loop's slot wants signal s; the dispatch
// node is in the ready queue at most once (queued_); the self-pipe stays open until the slot is
// quiet (no handler inside it), so a handler never writes to a closed descriptor.
class SignalSet {
public:
    static constexpr int kMaxSignal = 64;

    explicit SignalSet(Loop& loop);  // throws corio::Error when every slot is taken
    SignalSet(const SignalSet&) = delete;
    SignalSet& operator=(const SignalSet&) = delete;
    ~SignalSet();  // removes every handler (restoring dispositions) and frees the slot

    // Adds or replaces the handler of sig. exit_on_repeat (corio::run's SIGINT/SIGTERM): a
    // second arrival of such a signal ends the process from the signal handler itself, which
    // works even when the loop thread is stuck.
    void add(int sig, std::unique_ptr<SignalHandlerBase> h, bool exit_on_repeat);
    bool remove(int sig);

private:
    struct Watcher : IoWatcher {
        SignalSet* set = nullptr;
    };
    struct Dispatch final : CallbackNode {
        SignalSet* set = nullptr;
        void run() override { set->dispatch(); }
        void drop() override { set->queued_ = false; }
    };

    static void on_ready(IoWatcher* w, uint32_t events);
    void dispatch();
    void retire(int sig);
    void release_slot() noexcept;

    Loop& loop_;
    SignalSlot* slot_;
    WakeupFd pipe_;  // the slot publishes pipe_.write_fd; watcher_ reads pipe_.read_fd
    Watcher watcher_;
    Dispatch node_;
    bool queued_ = false;
    int calling_ = 0;  // the signal whose handler is running, 0 outside dispatch()
    std::unique_ptr<SignalHandlerBase> retired_;
    std::unique_ptr<SignalHandlerBase> handlers_[kMaxSignal + 1];
};

}  // namespace corio::detail
