// Signals: the process-wide half (sigaction, the handler, a fixed table of per-loop slots) and
// each loop's SignalSet, which turns a slot's pending bits into handler calls on the loop
// thread. Layer 3. Why a self-pipe and not signalfd: see signals.hpp.
//
// The handler runs in whatever thread the kernel picks and may interrupt anything, so it only
// touches async-signal-safe things: atomics in static storage that is never freed, write(2)
// to a self-pipe, and, for corio::run's second interrupt, signal(2) and raise(3).
//
// Slot protocol (g_slots): a loop claims a free slot under g_mu and publishes its self-pipe's
// write end in it; the handler brackets its use of a slot with busy++/busy--; releasing stores
// wanted = 0 and fd = -1, then waits for busy to drain before closing the pipe, so the handler
// never writes to a closed (or reused) descriptor. All of it seq_cst: the release's store of fd and
// its load of busy pair with the handler's increment of busy and load of fd (Dekker style).
#include "signals.hpp"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

#include "corio/detail/loop_access.hpp"
#include "corio/error.hpp"
#include "corio/loop.hpp"

namespace corio::detail {

struct SignalSlot {
    std::atomic<bool> used{false};
    std::atomic<int> fd{-1};
    std::atomic<uint64_t> wanted{0};          // bit s-1: this loop has a handler for s
    std::atomic<uint64_t> pending{0};         // bit s-1: s arrived since the last dispatch
    std::atomic<uint64_t> exit_on_repeat{0};  // corio::run's SIGINT/SIGTERM
    std::atomic<int> interrupts{0};           // arrivals of exit_on_repeat signals
    std::atomic<int> busy{0};                 // handlers inside this slot right now
};

namespace {

constexpr int kSlots = 64;  // loops with signal handlers at once, process-wide
SignalSlot g_slots[kSlots];
std::mutex g_mu;  // slot claims and releases, sigaction changes, the two arrays below
int g_users[SignalSet::kMaxSignal + 1];               // loops that handle each signal
struct sigaction g_saved[SignalSet::kMaxSignal + 1];  // the disposition before the first

uint64_t bit(int sig) { return uint64_t{1} << (sig - 1); }

void write_all(int fd, const char* s) {
    size_t n = std::strlen(s);
    while (n > 0) {
        ssize_t w = ::write(fd, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        s += w;
        n -= static_cast<size_t>(w);
    }
}

void on_signal(int sig) {
    int saved_errno = errno;
    uint64_t b = bit(sig);
    for (SignalSlot& s : g_slots) {
        s.busy.fetch_add(1);
        if (s.wanted.load() & b) {
            if ((s.exit_on_repeat.load() & b) && s.interrupts.fetch_add(1) >= 1) {
                write_all(2, "corio: second ");
                write_all(2, signal_name(sig));
                write_all(2, ", exiting at once\n");
                exit_by_signal(sig);
            }
            s.pending.fetch_or(b);
            int fd = s.fd.load();
            if (fd >= 0) {
                uint64_t one = 1;
                ssize_t r = ::write(fd, &one, sizeof one);
                (void)r;  // EAGAIN: the pipe is full (or the counter saturated), a wake-up waits
            }
        }
        s.busy.fetch_sub(1);
    }
    errno = saved_errno;
}

}  // namespace

const char* signal_name(int sig) {
    switch (sig) {
        case SIGINT:
            return "SIGINT";
        case SIGTERM:
            return "SIGTERM";
        case SIGHUP:
            return "SIGHUP";
        case SIGQUIT:
            return "SIGQUIT";
        case SIGUSR1:
            return "SIGUSR1";
        case SIGUSR2:
            return "SIGUSR2";
        default:
            return "a signal";
    }
}

void exit_by_signal(int sig) {
    // Back to the default action and raise it again: the process ends as the signal would have
    // ended it, so the shell and supervisors see "killed by SIGINT". Inside a handler the
    // signal is blocked; it is delivered as soon as the handler returns.
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

SignalSet::SignalSet(Loop& loop) : loop_(loop), slot_(nullptr) {
    pipe_.open();
    {
        std::lock_guard<std::mutex> g(g_mu);
        for (SignalSlot& s : g_slots) {
            if (!s.used.load()) {
                slot_ = &s;
                break;
            }
        }
        if (!slot_) {
            throw Error("add_signal_handler: too many loops with signal handlers");
        }
        slot_->used = true;
        slot_->wanted = 0;
        slot_->pending = 0;
        slot_->exit_on_repeat = 0;
        slot_->interrupts = 0;
        slot_->fd = pipe_.write_fd;
    }
    watcher_.fd = pipe_.read_fd;
    watcher_.on_ready = &SignalSet::on_ready;
    watcher_.set = this;
    node_.set = this;
    int rc = detail::LoopAccess::watch(loop_, &watcher_, kReadable);
    if (rc < 0) {
        release_slot();
        throw std::system_error(-rc, std::generic_category(), "registering the signal fd");
    }
}

SignalSet::~SignalSet() {
    for (int sig = 1; sig <= kMaxSignal; ++sig) remove(sig);
    detail::LoopAccess::unwatch(loop_, &watcher_);
    release_slot();
}

void SignalSet::release_slot() noexcept {
    slot_->wanted = 0;
    slot_->fd = -1;
    while (slot_->busy.load() != 0) std::this_thread::yield();
    pipe_.close();
    watcher_.fd = -1;
    std::lock_guard<std::mutex> g(g_mu);
    slot_->used = false;
}

void SignalSet::add(int sig, std::unique_ptr<SignalHandlerBase> h, bool exit_on_repeat) {
    if (sig < 1 || sig > kMaxSignal) throw Error("add_signal_handler: invalid signal number");
    if (sig == SIGKILL || sig == SIGSTOP) {
        throw Error("add_signal_handler: SIGKILL and SIGSTOP cannot be handled");
    }
    if (!handlers_[sig]) {
        std::lock_guard<std::mutex> g(g_mu);
        if (g_users[sig] == 0) {
            struct sigaction sa {};
            sa.sa_handler = &on_signal;
            sigfillset(&sa.sa_mask);  // the handler never nests
            sa.sa_flags = SA_RESTART;
            if (::sigaction(sig, &sa, &g_saved[sig]) != 0) {
                throw std::system_error(errno, std::generic_category(), "sigaction");
            }
        }
        ++g_users[sig];
    }
    retire(sig);
    handlers_[sig] = std::move(h);
    if (exit_on_repeat) {
        slot_->exit_on_repeat.fetch_or(bit(sig));
    } else {
        slot_->exit_on_repeat.fetch_and(~bit(sig));
    }
    slot_->wanted.fetch_or(bit(sig));
}

bool SignalSet::remove(int sig) {
    if (sig < 1 || sig > kMaxSignal || !handlers_[sig]) return false;
    slot_->wanted.fetch_and(~bit(sig));
    slot_->exit_on_repeat.fetch_and(~bit(sig));
    retire(sig);
    std::lock_guard<std::mutex> g(g_mu);
    if (--g_users[sig] == 0) ::sigaction(sig, &g_saved[sig], nullptr);
    return true;
}

void SignalSet::retire(int sig) {
    // A handler may replace or remove itself while it runs: keep it alive until it returns.
    if (sig == calling_) {
        retired_ = std::move(handlers_[sig]);
    } else {
        handlers_[sig].reset();
    }
}

void SignalSet::on_ready(IoWatcher* w, uint32_t) {
    auto* self = static_cast<Watcher*>(w)->set;
    self->pipe_.drain();
    // No user code in the poll phase: the handlers run from the ready queue.
    if (!self->queued_) {
        self->queued_ = true;
        detail::LoopAccess::schedule(self->loop_, &self->node_);
    }
}

void SignalSet::dispatch() {
    queued_ = false;
    uint64_t bits = slot_->pending.exchange(0);
    for (int sig = 1; sig <= kMaxSignal; ++sig) {
        if (!(bits & bit(sig)) || !handlers_[sig]) continue;
        calling_ = sig;
        try {
            handlers_[sig]->call();
        } catch (...) {
            detail::LoopAccess::report(loop_, "exception in signal handler",
                                       std::current_exception());
        }
        calling_ = 0;
        retired_.reset();
    }
}

}  // namespace corio::detail

namespace corio {

void Loop::add_signal_handler_node(int sig, std::unique_ptr<detail::SignalHandlerBase> h,
                                   bool exit_on_repeat) {
    if (closed_) throw Error("add_signal_handler on a closed loop");
    if (!signals_) signals_ = std::make_unique<detail::SignalSet>(*this);
    signals_->add(sig, std::move(h), exit_on_repeat);
}

bool Loop::remove_signal_handler(int sig) { return signals_ && signals_->remove(sig); }

}  // namespace corio
