// The corio exception family, all of it: every error the API throws derives from corio::Error.
// Layer 0: depends on nothing but the standard library. The headers of the features that throw
// them (stream.hpp, connect.hpp, dns.hpp, queue.hpp) include this one.
//
// Threads: plain exception types, usable on any thread; their members never throw (but
// the constructors may throw std::bad_alloc copying the message).
#pragma once

#include <cstddef>
#include <optional>
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

// ---- queues (queue.hpp) ----

// put_nowait on a full queue.
class QueueFull : public Error {
public:
    QueueFull() : Error("queue is full") {}
};

// get_nowait on an empty queue.
class QueueEmpty : public Error {
public:
    QueueEmpty() : Error("queue is empty") {}
};

// ---- streams and connections (stream.hpp, connect.hpp, dns.hpp) ----

// A connection failed or was lost; code() is the errno behind it (0 when there is none).
class ConnectionError : public Error {
public:
    explicit ConnectionError(const std::string& what, int code = 0) : Error(what), code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

// The peer reset the connection (ECONNRESET), or it is gone while we write (EPIPE).
class ConnectionResetError : public ConnectionError {
public:
    using ConnectionError::ConnectionError;
};

// The stream ended before read_exactly or read_until had what it asked for. partial holds the
// bytes read (they are consumed); expected is the count asked for, empty for read_until.
class IncompleteReadError : public Error {
public:
    IncompleteReadError(std::string partial, std::optional<size_t> expected);
    std::string partial;
    std::optional<size_t> expected;
};

// read_until found no separator within its limit. The data stays buffered; consumed is how far
// the search went (asyncio's meaning).
class LimitOverrunError : public Error {
public:
    LimitOverrunError(const std::string& what, size_t consumed) : Error(what), consumed(consumed) {}
    size_t consumed;
};

// Nobody listens at the address (ECONNREFUSED).
class ConnectionRefusedError : public ConnectionError {
public:
    using ConnectionError::ConnectionError;
};

// A name could not be resolved. code() is getaddrinfo's EAI_* value; the message names the
// host and port.
class DnsError : public Error {
public:
    DnsError(const std::string& what, int code) : Error(what), code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

}  // namespace corio
