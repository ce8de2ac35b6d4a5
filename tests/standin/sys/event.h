/* NOT A REAL KQUEUE. A declarations-only stand-in for the BSDs' <sys/event.h>, written from
 * FreeBSD's kqueue(2) manual page (Debian's freebsd-manpages), so that Linux CI can compile
 * corio's kqueue backend (make check-portable) and a test can drive its change-list logic
 * through a fake kevent (tests/test_poller_kqueue.cpp). Nothing here talks to a kernel: kqueue()
 * and kevent() are declared, never defined. The manual names the flags but not their values;
 * the values below only need to be distinct bits (filters distinct negatives), and follow
 * FreeBSD's header where known. Never put this directory on a real BSD's include path. */
#ifndef CORIO_STANDIN_SYS_EVENT_H
#define CORIO_STANDIN_SYS_EVENT_H

#include <stdint.h>
#include <time.h>

#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)
#define EVFILT_AIO (-3)
#define EVFILT_VNODE (-4)
#define EVFILT_PROC (-5)
#define EVFILT_SIGNAL (-6)
#define EVFILT_TIMER (-7)
#define EVFILT_PROCDESC (-8)
#define EVFILT_USER (-11)
#define EVFILT_EMPTY (-13)

/* actions */
#define EV_ADD 0x0001
#define EV_DELETE 0x0002
#define EV_ENABLE 0x0004
#define EV_DISABLE 0x0008
/* flags */
#define EV_ONESHOT 0x0010
#define EV_CLEAR 0x0020
#define EV_RECEIPT 0x0040
#define EV_DISPATCH 0x0080
/* returned values */
#define EV_EOF 0x8000
#define EV_ERROR 0x4000

/* EVFILT_USER */
#define NOTE_FFNOP 0x00000000
#define NOTE_FFAND 0x40000000
#define NOTE_FFOR 0x80000000
#define NOTE_FFCOPY 0xc0000000
#define NOTE_FFCTRLMASK 0xc0000000
#define NOTE_FFLAGSMASK 0x00ffffff
#define NOTE_TRIGGER 0x01000000

/* EVFILT_READ, EVFILT_WRITE */
#define NOTE_LOWAT 0x0001

struct kevent {
    uintptr_t ident;      /* identifier for this event */
    short filter;         /* filter for event */
    unsigned short flags; /* action flags for kqueue */
    unsigned int fflags;  /* filter flag value */
    int64_t data;         /* filter data value */
    void* udata;          /* opaque user data identifier */
    uint64_t ext[4];      /* extensions */
};

#define EV_SET(kevp, a, b, c, d, e, f) \
    do {                               \
        struct kevent* kevp_ = (kevp); \
        kevp_->ident = (a);            \
        kevp_->filter = (b);           \
        kevp_->flags = (c);            \
        kevp_->fflags = (d);           \
        kevp_->data = (e);             \
        kevp_->udata = (f);            \
        kevp_->ext[0] = 0;             \
        kevp_->ext[1] = 0;             \
        kevp_->ext[2] = 0;             \
        kevp_->ext[3] = 0;             \
    } while (0)

#ifdef __cplusplus
extern "C" {
#endif
int kqueue(void);
int kevent(int kq, const struct kevent* changelist, int nchanges, struct kevent* eventlist,
           int nevents, const struct timespec* timeout);
#ifdef __cplusplus
}
#endif

#endif /* CORIO_STANDIN_SYS_EVENT_H */
