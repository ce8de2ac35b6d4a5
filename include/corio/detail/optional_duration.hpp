// OptionalDuration: an optional timeout that accepts any std::chrono::duration, so that
// `WaitOptions{.timeout = 1.5s}` compiles (std::optional<nanoseconds> refuses floating-point
// durations). Layer 0 helper; standard library and clock.hpp's to_ns only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "corio/clock.hpp"

namespace corio::detail {

class OptionalDuration {
public:
    constexpr OptionalDuration() noexcept = default;
    constexpr OptionalDuration(std::nullopt_t) noexcept {}
    template <class Rep, class Period>
    constexpr OptionalDuration(std::chrono::duration<Rep, Period> d) noexcept
        : ns_(to_ns(d).count()), set_(true) {}

    constexpr bool has_value() const noexcept { return set_; }
    constexpr explicit operator bool() const noexcept { return set_; }
    // Nanoseconds, never negative; meaningless without a value.
    constexpr int64_t ns() const noexcept { return ns_; }

private:
    int64_t ns_ = 0;
    bool set_ = false;
};

}  // namespace corio::detail
