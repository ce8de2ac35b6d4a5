// What went wrong with one URL, in the words of its JSON line ("timeout (connect)", "refused",
// ...), and whether trying again may help. The one place that maps the HTTP layer's exception
// types to crawl's error strings.
#pragma once

#include <exception>
#include <string>

namespace crawl {

struct Failure {
    std::string kind;  // the JSON line's "error"
    bool retryable;    // timeouts, refused and reset connections: worth a retry
};

// Classifies a failed request's exception. CancelledError is not a failure: callers rethrow it.
Failure classify(std::exception_ptr error);

// Whether an HTTP status asks to come back later (429 Too Many Requests, 503 Unavailable).
inline bool retryable_status(int status) { return status == 429 || status == 503; }

}  // namespace crawl
