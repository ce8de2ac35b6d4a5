// Semaphore, BoundedSemaphore, Lock, Event, Condition: fairness, RAII holders, misuse errors,
// and for each the two cancellation races: cancelled while queued, and cancelled after being
// woken but before resuming. Neither may lose a permit, a wake-up or a notification.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Task;
using corio_test::outcome;

namespace {

// Acquires, logs, holds for `hold`, releases (through the holder) and logs.
Coro<void> use(corio::Semaphore& sem, std::vector<std::string>& log, std::string name,
               std::chrono::milliseconds hold) {
    auto held = co_await sem.acquire();
    log.push_back(name + " in");
    co_await corio::sleep(hold);
    log.push_back(name + " out");
}

Coro<void> locked_use(corio::Lock& lock, std::vector<std::string>& log, std::string name) {
    auto held = co_await lock.acquire();
    log.push_back(name);
    co_await corio::sleep(1ms);
}

}  // namespace

TEST_CASE("a Semaphore(10) guarding 100 tasks never lets more than 10 in; all complete",
          "[sync][semaphore][seed]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    int inside = 0, most = 0, finished = 0;
    auto worker = [&](corio::Semaphore& sem, int i) -> Coro<void> {
        auto held = co_await sem.acquire();
        most = std::max(most, ++inside);
        co_await corio::sleep(std::chrono::milliseconds(1 + i % 5));
        --inside;
        ++finished;
    };
    auto main = [&]() -> Coro<void> {
        corio::Semaphore sem{10};
        std::vector<Coro<void>> workers;
        for (int i = 0; i < 100; ++i) workers.push_back(worker(sem, i));
        co_await corio::gather(std::move(workers));
        REQUIRE(sem.value() == 10);
    };
    loop.run_until_complete(main());
    REQUIRE(most == 10);
    REQUIRE(finished == 100);
}

TEST_CASE("a Semaphore serves waiters first come, first served; try_acquire cannot barge",
          "[sync][semaphore]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto main = [&]() -> Coro<void> {
        corio::Semaphore sem{1};
        auto held = sem.try_acquire();
        REQUIRE(held);
        REQUIRE(sem.locked());
        REQUIRE_FALSE(sem.try_acquire());
        std::vector<Task<void>> ts;
        for (std::string n : {"a", "b", "c"})
            ts.push_back(corio::create_task(use(sem, log, n, 1ms)));
        co_await corio::sleep(0s);  // all three queued
        REQUIRE(sem.waiters() == 3);
        held->release();                   // handed to "a", not to the count...
        REQUIRE_FALSE(sem.try_acquire());  // ...so nobody can slip in before it runs
        REQUIRE(sem.value() == 0);
        for (auto& t : ts) co_await t;
        REQUIRE(sem.value() == 1);
    };
    loop.run_until_complete(main());
    REQUIRE(log == std::vector<std::string>{"a in", "a out", "b in", "b out", "c in", "c out"});
}

TEST_CASE("semaphore holders release on scope exit or early; release() raises the count",
          "[sync][semaphore]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<void> {
        corio::Semaphore sem{2};
        {
            auto a = co_await sem.acquire();
            auto b = co_await sem.acquire();
            REQUIRE(sem.value() == 0);
            a.release();
            a.release();  // idempotent
            REQUIRE(sem.value() == 1);
            corio::Semaphore::Holder moved = std::move(b);
            REQUIRE_FALSE(b.held());
            REQUIRE(moved.held());
        }
        REQUIRE(sem.value() == 2);
        sem.release();  // a plain Semaphore may grow past its initial value
        REQUIRE(sem.value() == 3);
    };
    loop.run_until_complete(main());
}

TEST_CASE("a BoundedSemaphore refuses to be released too often", "[sync][semaphore]") {
    corio::BoundedSemaphore sem{2};
    REQUIRE_THROWS_AS(sem.release(), corio::InvalidStateError);
    auto held = sem.try_acquire();
    REQUIRE(sem.value() == 1);
    held->release();
    REQUIRE(sem.value() == 2);
    REQUIRE_THROWS_AS(sem.release(), corio::InvalidStateError);
}

TEST_CASE("a cancelled semaphore waiter loses no permit: the next waiter gets it",
          "[sync][semaphore]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto race = [&](bool handed_first) -> Coro<void> {
        corio::Semaphore sem{1};
        std::optional<corio::Semaphore::Holder> held{co_await sem.acquire()};
        Task<void> a = corio::create_task(use(sem, log, "a", 1ms));
        Task<void> b = corio::create_task(use(sem, log, "b", 1ms));
        co_await corio::sleep(1ms);
        if (handed_first) {
            held.reset();  // the permit goes to a...
            a.cancel();    // ...which is cancelled before it gets to run
        } else {
            a.cancel();  // while queued
            REQUIRE(sem.waiters() == 1);
            held.reset();
        }
        REQUIRE(co_await outcome(a) == "cancelled");
        co_await b;
        REQUIRE(sem.value() == 1);
    };
    SECTION("cancelled while queued") { loop.run_until_complete(race(false)); }
    SECTION("cancelled after being handed the permit") { loop.run_until_complete(race(true)); }
    REQUIRE(log == std::vector<std::string>{"b in", "b out"});
}

TEST_CASE("a Lock is mutually exclusive and FIFO; releasing it unlocked is an error",
          "[sync][lock]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto main = [&]() -> Coro<void> {
        corio::Lock lock;
        REQUIRE_THROWS_AS(lock.release(), corio::InvalidStateError);
        std::vector<Coro<void>> users;
        for (std::string n : {"a", "b", "c"}) users.push_back(locked_use(lock, log, n));
        co_await corio::gather(std::move(users));
        REQUIRE_FALSE(lock.locked());
        auto held = lock.try_acquire();
        REQUIRE(lock.locked());
        REQUIRE(lock.owns(*held));
        REQUIRE_FALSE(lock.try_acquire());
        held->release();
        REQUIRE_FALSE(lock.locked());
        auto plain = co_await lock.acquire();
        corio::Semaphore other{1};
        auto foreign = co_await other.acquire();
        REQUIRE_FALSE(lock.owns(foreign));
    };
    loop.run_until_complete(main());
    REQUIRE(log == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("a Lock waiter cancelled queued or after being handed the lock loses nothing",
          "[sync][lock]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto main = [&]() -> Coro<void> {
        corio::Lock lock;
        std::optional<corio::Lock::Holder> held{co_await lock.acquire()};
        Task<void> queued = corio::create_task(locked_use(lock, log, "queued"));
        Task<void> woken = corio::create_task(locked_use(lock, log, "woken"));
        Task<void> last = corio::create_task(locked_use(lock, log, "last"));
        co_await corio::sleep(1ms);
        queued.cancel();  // while queued
        co_await corio::sleep(0s);
        held.reset();    // hands the lock to "woken"...
        woken.cancel();  // ...cancelled before it resumes
        REQUIRE(co_await outcome(queued) == "cancelled");
        REQUIRE(co_await outcome(woken) == "cancelled");
        co_await last;
        REQUIRE_FALSE(lock.locked());
    };
    loop.run_until_complete(main());
    REQUIRE(log == std::vector<std::string>{"last"});
}

TEST_CASE("an Event wakes every waiter on set, and waits again after clear", "[sync][event]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        corio::Event ev;
        int woke = 0;
        auto waiter = [](corio::Event& ev, int& woke) -> Coro<void> {
            co_await ev.wait();
            ++woke;
        };
        std::vector<Task<void>> ts;
        for (int i = 0; i < 3; ++i) ts.push_back(corio::create_task(waiter(ev, woke)));
        co_await corio::sleep(1ms);
        REQUIRE(woke == 0);
        REQUIRE_FALSE(ev.is_set());
        ev.set();
        REQUIRE(ev.is_set());
        for (auto& t : ts) co_await t;
        co_await ev.wait();  // set: returns at once
        ev.clear();
        Task<void> again = corio::create_task(waiter(ev, woke));
        co_await corio::sleep(1ms);
        REQUIRE_FALSE(again.done());
        ev.set();
        co_await again;
        co_return woke;
    };
    REQUIRE(loop.run_until_complete(main()) == 4);
}

TEST_CASE("an Event waiter cancelled queued or after set() takes no wake-up from the others",
          "[sync][event]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<void> {
        corio::Event ev;
        auto waiter = [](corio::Event& ev) -> Coro<void> { co_await ev.wait(); };
        Task<void> queued = corio::create_task(waiter(ev));
        Task<void> woken = corio::create_task(waiter(ev));
        Task<void> other = corio::create_task(waiter(ev));
        co_await corio::sleep(1ms);
        queued.cancel();
        co_await corio::sleep(0s);
        ev.set();
        woken.cancel();  // woken by set(), cancelled before it resumes
        REQUIRE(co_await outcome(queued) == "cancelled");
        REQUIRE(co_await outcome(woken) == "cancelled");
        REQUIRE(co_await outcome(other) == "ok");
    };
    loop.run_until_complete(main());
}

TEST_CASE("Condition: notify(1) wakes one waiter, notify_all the rest, each with the lock",
          "[sync][condition]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto waiter = [&](corio::Condition& cond, std::string name) -> Coro<void> {
        auto held = co_await cond.acquire();
        co_await cond.wait(held);
        REQUIRE(held.held());
        REQUIRE(cond.locked());
        log.push_back(name);
    };
    auto main = [&]() -> Coro<void> {
        corio::Condition cond;
        std::vector<Task<void>> ts;
        for (std::string n : {"a", "b", "c"}) ts.push_back(corio::create_task(waiter(cond, n)));
        co_await corio::sleep(1ms);
        REQUIRE(cond.waiters() == 3);
        REQUIRE_FALSE(cond.locked());  // released while waiting
        {
            auto held = co_await cond.acquire();
            cond.notify(1);
        }
        co_await corio::sleep(1ms);
        REQUIRE(log == std::vector<std::string>{"a"});
        {
            auto held = co_await cond.acquire();
            cond.notify_all();
        }
        for (auto& t : ts) co_await t;
    };
    loop.run_until_complete(main());
    REQUIRE(log == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("Condition.wait_for waits for its predicate; misuse is an InvalidStateError",
          "[sync][condition]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        corio::Lock lock;
        corio::Condition cond{lock};
        int stock = 0;
        REQUIRE_THROWS_AS(cond.notify(), corio::InvalidStateError);
        auto consumer = [](corio::Condition& cond, int& stock) -> Coro<int> {
            auto held = co_await cond.acquire();
            co_await cond.wait_for(held, [&] { return stock >= 3; });
            co_return stock;
        };
        Task<int> c = corio::create_task(consumer(cond, stock));
        for (int i = 0; i < 3; ++i) {
            co_await corio::sleep(1ms);
            auto held = co_await lock.acquire();
            ++stock;
            cond.notify();
        }
        int got = co_await c;

        // The one-argument form borrows a hold the caller has without a holder at hand.
        auto held = co_await lock.acquire();
        co_await cond.wait_for([&] { return stock == 3; });
        REQUIRE(held.held());
        REQUIRE(lock.locked());
        held.release();
        REQUIRE_THROWS_AS(co_await cond.wait_for([] { return true; }), corio::InvalidStateError);
        corio::Lock other;
        auto wrong = co_await other.acquire();
        REQUIRE_THROWS_AS(co_await cond.wait(wrong), corio::InvalidStateError);
        co_return got;
    };
    REQUIRE(loop.run_until_complete(main()) == 3);
}

TEST_CASE("a Condition waiter cancelled while waiting gets the lock back before the error",
          "[sync][condition]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto waiter = [&](corio::Condition& cond, std::string name) -> Coro<void> {
        auto held = co_await cond.acquire();
        try {
            co_await cond.wait(held);
        } catch (const corio::CancelledError&) {
            log.push_back(name +
                          " cancelled, lock held: " + (held && cond.locked() ? "yes" : "no"));
            throw;
        }
        log.push_back(name + " notified");
    };
    auto main = [&]() -> Coro<void> {
        corio::Condition cond;
        Task<void> a = corio::create_task(waiter(cond, "a"));
        Task<void> b = corio::create_task(waiter(cond, "b"));
        co_await corio::sleep(1ms);
        auto held = co_await cond.acquire();
        a.cancel();  // cancelled while waiting; must wait for the lock we hold
        co_await corio::sleep(1ms);
        REQUIRE_FALSE(a.done());
        cond.notify(1);  // goes to b: a left the queue when cancelled
        held.release();
        REQUIRE(co_await outcome(a) == "cancelled");
        REQUIRE(co_await outcome(b) == "ok");
    };
    loop.run_until_complete(main());
    REQUIRE(log == std::vector<std::string>{"a cancelled, lock held: yes", "b notified"});
}

TEST_CASE("a Condition waiter notified and cancelled before it runs passes the notification on",
          "[sync][condition]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto waiter = [&](corio::Condition& cond, std::string name) -> Coro<void> {
        auto held = co_await cond.acquire();
        co_await cond.wait(held);
        log.push_back(name + " notified");
    };
    auto main = [&]() -> Coro<void> {
        corio::Condition cond;
        Task<void> a = corio::create_task(waiter(cond, "a"));
        Task<void> b = corio::create_task(waiter(cond, "b"));
        co_await corio::sleep(1ms);
        {
            auto held = co_await cond.acquire();
            cond.notify(1);  // wakes a...
            a.cancel();      // ...which is cancelled before it resumes
        }
        REQUIRE(co_await outcome(a) == "cancelled");
        REQUIRE(co_await outcome(b) == "ok");  // b got the notification a could not use
        REQUIRE_FALSE(cond.locked());
    };
    loop.run_until_complete(main());
    REQUIRE(log == std::vector<std::string>{"b notified"});
}

TEST_CASE("a primitive destroyed under its waiters leaves them suspended, not dangling", "[sync]") {
    Task<void> t;
    std::string err = corio_test::capture_stderr([&] {
        corio::ManualClock clock;
        corio::Loop loop({.clock = &clock});
        auto sem = std::make_unique<corio::Semaphore>(0);
        auto waiter = [](corio::Semaphore& s) -> Coro<void> { auto h = co_await s.acquire(); };
        t = loop.create_task(waiter(*sem));
        loop.run_until_complete(corio_test::after(1ms, 0));
        sem.reset();
    });  // the loop closes, destroying the waiter's frame: its node must not touch the list
    REQUIRE(t.cancelled());
    REQUIRE_THAT(err, Catch::Contains("destroyed but it is pending"));
}
