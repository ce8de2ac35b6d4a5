// The corio exception family: every error the API throws derives from corio::Error.
// Layer 0: depends on nothing but the standard library.
#pragma once

#include <stdexcept>
#include <string>

namespace corio {

// Base of every corio exception, itself a std::runtime_error so what() carries the message.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown at the suspension point of a cancelled task. Like Trio's Cancelled, a broad catch
// that swallows it breaks cancellation: catch, clean up, rethrow.
class CancelledError : public Error {
public:
    CancelledError() : Error("task was cancelled") {}
    using Error::Error;
};

// A deadline passed: wait_for, timeout, connect timeouts.
class TimeoutError : public Error {
public:
    TimeoutError() : Error("timed out") {}
    using Error::Error;
};

// An operation that is not allowed in the object's current state (result() before done()).
class InvalidStateError : public Error {
public:
    using Error::Error;
};

}  // namespace corio
