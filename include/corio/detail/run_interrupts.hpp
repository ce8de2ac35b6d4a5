// corio::run's answer to Ctrl-C (asyncio.run's): the first SIGINT or SIGTERM cancels the main
// task so its cleanup runs, then the program exits with a message; a second one exits at once,
// even when the loop thread is stuck. Layer 4 plumbing for run.hpp.
#pragma once

#include "corio/detail/task_core.hpp"

namespace corio {
class Loop;
}

namespace corio::detail {

class RunInterrupts {
public:
    // Takes SIGINT and SIGTERM on loop only on the process's main thread and only while they
    // have their default disposition: a program (or another loop) that handles them keeps them.
    RunInterrupts(Loop& loop, TaskCore* main) noexcept;
    RunInterrupts(const RunInterrupts&) = delete;
    RunInterrupts& operator=(const RunInterrupts&) = delete;

    // Call after the loop shut down: if a signal cancelled the main task and the task ended
    // cancelled, says so on stderr and ends the process the way the signal would have (as
    // Python does after KeyboardInterrupt), so shells and supervisors see the real cause.
    void finish() noexcept;

private:
    void on_signal(int sig) noexcept;

    TaskCore* main_;
    int received_ = 0;
};

}  // namespace corio::detail
