// LoopAccess: the loop's internals that awaiters, tasks, threads and sockets use (scheduling a
// coroutine, timers, watching fds, the task registry, diagnostics). Layer 3. Kept out of
// loop.hpp's public section so that a reader of Loop sees only what an application may call.
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <string_view>

#include "corio/loop.hpp"

namespace corio::detail {

class LoopAccess {
public:
    static void schedule(Loop& l, std::coroutine_handle<> h) { l.schedule(h); }
    static void schedule(Loop& l, CallbackNode* cb) { l.schedule(cb); }
    static int64_t now_ns(const Loop& l) { return l.now_ns(); }
    static void add_timer(Loop& l, TimerNode* t) { l.add_timer(t); }
    static void cancel_timer(Loop& l, TimerNode* t) noexcept { l.cancel_timer(t); }
    static int watch(Loop& l, IoWatcher* w, uint32_t interest) { return l.watch(w, interest); }
    static int rewatch(Loop& l, IoWatcher* w, uint32_t interest) { return l.rewatch(w, interest); }
    static int unwatch(Loop& l, IoWatcher* w) noexcept { return l.unwatch(w); }
    static void external_begin(Loop& l) noexcept { l.external_begin(); }
    static void external_end(Loop& l) noexcept { l.external_end(); }
    static void post_threadsafe(Loop& l, CallbackNode* cb) { l.post_threadsafe(cb); }
    static void add_signal_handler_node(Loop& l, int sig, std::unique_ptr<SignalHandlerBase> h,
                                        bool exit_on_repeat) {
        l.add_signal_handler_node(sig, std::move(h), exit_on_repeat);
    }
    static void report(Loop& l, const char* context, std::exception_ptr e) noexcept {
        l.report(context, std::move(e));
    }
    // To l's reporter when l is a live loop of this thread, else to stderr: callers that may
    // outlive their loop (a task handle, a thread pool) pass the loop they knew.
    static void report(Loop* l, std::string_view message) noexcept;
    static void register_resident(Loop& l, Resident* r) noexcept { l.register_resident(r); }
    static void unregister_resident(Loop& l, Resident* r) noexcept { l.unregister_resident(r); }
};

}  // namespace corio::detail
