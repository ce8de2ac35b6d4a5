// ThreadSanitizer support for the one hand-off it cannot follow. Layer 0 plumbing for the
// thread bridges; compiles to nothing unless the build uses -fsanitize=thread.
//
// libstdc++ is not built with TSan, so the atomics that count references to an exception
// object (std::exception_ptr) are invisible to it. When an exception crosses threads and the
// thread that did not read it last drops the last reference, TSan reports the free as a race
// with the other thread's reads although the reference count orders them. TsanIgnoreScope
// tells TSan not to record the accesses (the free included) of the calling thread while it
// lives; it is used only around dropping such a reference, never around real work.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define CORIO_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CORIO_TSAN 1
#endif
#endif

#ifdef CORIO_TSAN
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
#endif

namespace corio::detail {

struct TsanIgnoreScope {
#ifdef CORIO_TSAN
    TsanIgnoreScope() { __tsan_ignore_thread_begin(); }
    ~TsanIgnoreScope() { __tsan_ignore_thread_end(); }
#else
    TsanIgnoreScope() = default;
#endif
    TsanIgnoreScope(const TsanIgnoreScope&) = delete;
    TsanIgnoreScope& operator=(const TsanIgnoreScope&) = delete;
};

}  // namespace corio::detail
