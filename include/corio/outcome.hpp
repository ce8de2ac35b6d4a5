// corio::Outcome<T>: a value or the exception that took its place, what gather_settled returns
// per child (asyncio's gather(..., return_exceptions=True)). Layer 4; standard library only.
//
// Threads: a plain value; any thread, with the usual rule for one object shared between threads.
#pragma once

#include <exception>
#include <utility>
#include <variant>

namespace corio {

template <class T>
class Outcome {
public:
    Outcome(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Outcome(std::exception_ptr error) : v_(std::in_place_index<1>, std::move(error)) {}

    // True when a value is held. Never throws.
    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    // The value; rethrows the stored exception (whatever its type) when there is none.
    T& value() & {
        check();
        return std::get<0>(v_);
    }
    const T& value() const& {
        check();
        return std::get<0>(v_);
    }
    T&& value() && {
        check();
        return std::get<0>(std::move(v_));
    }
    // The exception, or null when a value is held.
    std::exception_ptr error() const noexcept {
        return has_value() ? std::exception_ptr() : std::get<1>(v_);
    }

private:
    void check() const {
        if (!has_value()) std::rethrow_exception(std::get<1>(v_));
    }
    std::variant<T, std::exception_ptr> v_;
};

template <>
class Outcome<void> {
public:
    Outcome() noexcept = default;
    Outcome(std::exception_ptr error) noexcept : e_(std::move(error)) {}

    bool has_value() const noexcept { return !e_; }
    explicit operator bool() const noexcept { return has_value(); }
    // Rethrows the stored exception, if any.
    void value() const {
        if (e_) std::rethrow_exception(e_);
    }
    std::exception_ptr error() const noexcept { return e_; }

private:
    std::exception_ptr e_{};
};

}  // namespace corio
