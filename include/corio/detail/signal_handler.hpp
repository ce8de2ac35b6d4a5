// The callable behind Loop::add_signal_handler: type-erased, called on the loop thread each time
// its signal arrives (unlike a CallbackNode, which runs once). Public only because the template
// in loop.hpp wraps user callables in it.
#pragma once

#include <utility>

namespace corio::detail {

class SignalHandlerBase {
public:
    virtual ~SignalHandlerBase() = default;
    virtual void call() = 0;
};

template <class F>
class SignalHandler final : public SignalHandlerBase {
public:
    explicit SignalHandler(F f) : f_(std::move(f)) {}
    void call() override { f_(); }

private:
    F f_;
};

}  // namespace corio::detail
