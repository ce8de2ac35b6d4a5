// The loop's diagnostics: one reporting hook (Loop::set_reporter), stderr by default. Every
// message the library cannot throw to anyone goes through here.
#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "corio/detail/loop_access.hpp"

namespace corio {

namespace {
// Loops are made and destroyed rarely and a thread has one or two: a vector is enough.
thread_local std::vector<Loop*> tl_live;

void to_stderr(std::string_view message) noexcept {
    std::fprintf(stderr, "corio: %.*s\n", static_cast<int>(message.size()), message.data());
}
}  // namespace

void detail::loop_born(Loop* l) { tl_live.push_back(l); }

void detail::loop_gone(Loop* l) noexcept {
    auto it = std::find(tl_live.begin(), tl_live.end(), l);
    if (it != tl_live.end()) tl_live.erase(it);
}

void Loop::report(std::string_view message) noexcept {
    if (!reporter_) return to_stderr(message);
    try {
        reporter_(message);
    } catch (...) {
        to_stderr(message);  // a reporter that throws loses nothing
    }
}

void Loop::report(const char* context, std::exception_ptr e) noexcept {
    try {
        std::string message = context;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            message.append(": ").append(ex.what());
        } catch (...) {
            message.append(": unknown exception");
        }
        report(message);
    } catch (...) {  // no memory for the message: say what we can
        to_stderr(context);
    }
}

void detail::LoopAccess::report(Loop* l, std::string_view message) noexcept {
    if (l && std::find(tl_live.begin(), tl_live.end(), l) != tl_live.end()) {
        l->report(message);
    } else {
        to_stderr(message);
    }
}

}  // namespace corio
