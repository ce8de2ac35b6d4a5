// corio::run's SIGINT/SIGTERM handling (see detail/run_interrupts.hpp). Layer 4, over the
// loop's signal handlers (signals.cpp), which also count the second interrupt.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "corio/detail/loop_access.hpp"
#include "corio/detail/run_interrupts.hpp"
#include "corio/loop.hpp"
#include "reactor/signals.hpp"
#if defined(__linux__)
#include <sys/syscall.h>
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#include <pthread.h>
#endif

namespace corio::detail {

namespace {

bool on_main_thread() {
#if defined(__linux__)
    return ::syscall(SYS_gettid) == ::getpid();
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__)
    return pthread_main_np() != 0;
#else
    return false;
#endif
}

bool has_default_disposition(int sig) {
    struct sigaction cur {};
    if (::sigaction(sig, nullptr, &cur) != 0) return false;
    return !(cur.sa_flags & SA_SIGINFO) && cur.sa_handler == SIG_DFL;
}

}  // namespace

RunInterrupts::RunInterrupts(Loop& loop, TaskCore* main) noexcept : main_(main) {
    if (!on_main_thread()) return;
    for (int sig : {SIGINT, SIGTERM}) {
        if (!has_default_disposition(sig)) continue;
        auto handler = [this, sig] { on_signal(sig); };
        try {
            detail::LoopAccess::add_signal_handler_node(
                loop, sig, std::make_unique<SignalHandler<decltype(handler)>>(handler), true);
        } catch (...) {
            // No slot or no sigaction: run without graceful interrupts rather than not at all.
        }
    }
}

void RunInterrupts::on_signal(int sig) noexcept {
    if (received_ == 0 && !main_->done()) {
        received_ = sig;
        LoopAccess::report(main_->loop(), std::string(signal_name(sig)) +
                                              " received: cancelling the main task (send it "
                                              "again to exit at once)");
        main_->cancel();
        return;
    }
    // The main task is already over (the loop is cleaning up what it left): nothing graceful
    // is left to do.
    LoopAccess::report(main_->loop(), std::string(signal_name(sig)) +
                                          " received during shutdown, exiting at once");
    std::fflush(nullptr);
    exit_by_signal(sig);
}

void RunInterrupts::finish() noexcept {
    if (received_ == 0 || !main_->cancelled()) return;
    LoopAccess::report(main_->loop(), std::string("main task cancelled by ") +
                                          signal_name(received_) + ", exiting");
    std::fflush(nullptr);
    exit_by_signal(received_);
    _exit(128 + received_);  // only if the signal could not be raised
}

}  // namespace corio::detail
