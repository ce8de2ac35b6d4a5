// The client's connection pool (src/http/pool.hpp) on its own: limits, FIFO hand-off, reuse,
// idle expiry on a manual clock, cancelled waiters, closing. Connections here carry no socket.
#include <catch2/catch.hpp>
#include <chrono>
#include <vector>

#include "corio/corio.hpp"
#include "corio/http/errors.hpp"
#include "http/client_connection.hpp"
#include "http/pool.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::http::detail::Connection;
using corio::http::detail::Lease;
using corio::http::detail::Pool;
using corio::http::detail::PoolOptions;

namespace {

template <class F>
void run_manual(F body) {
    corio::ManualClock clock;
    corio::Loop loop(corio::LoopOptions{.clock = &clock});
    loop.run_until_complete(body(clock));
}

// Acquires key and records the order in which acquires were granted.
Coro<Lease> take(Pool& pool, std::string key, std::vector<std::string>* order, std::string tag) {
    Lease l = co_await pool.acquire(key);
    if (order) order->push_back(tag);
    co_return l;
}

}  // namespace

TEST_CASE("the pool grants slots up to its total limit, then makes requests wait", "[http][pool]") {
    run_manual([](corio::ManualClock&) -> Coro<void> {
        Pool pool(PoolOptions{.limit = 2});
        Lease a = co_await pool.acquire("h:80");
        Lease b = co_await pool.acquire("h:80");
        CHECK(pool.open_count() == 2);
        CHECK_FALSE(a.connection());
        auto third = corio::create_task(take(pool, "h:80", nullptr, ""));
        co_await corio::sleep(1s);
        CHECK_FALSE(third.done());
        a.discard();
        Lease c = co_await std::move(third);
        CHECK(pool.open_count() == 2);
        CHECK(pool.opened_total() == 3);
    });
}

TEST_CASE("a released connection is reused by the next request to its host", "[http][pool]") {
    run_manual([](corio::ManualClock&) -> Coro<void> {
        Pool pool(PoolOptions{});
        Lease a = co_await pool.acquire("h:80");
        Connection* conn = &a.attach(corio::Stream());
        a.release();
        CHECK(pool.idle_count() == 1);
        Lease b = co_await pool.acquire("h:80");
        CHECK(b.connection() == conn);
        CHECK(b.reused());
        CHECK(conn->responses == 1);
        Lease other = co_await pool.acquire("g:80");
        CHECK_FALSE(other.connection());
        b.release();
        Lease fresh = co_await pool.acquire("h:80", true);
        CHECK_FALSE(fresh.connection());
        CHECK(pool.idle_count() == 1);
    });
}

TEST_CASE("a released connection goes straight to the oldest waiter for its host", "[http][pool]") {
    run_manual([](corio::ManualClock&) -> Coro<void> {
        Pool pool(PoolOptions{.limit = 1});
        std::vector<std::string> order;
        Lease a = co_await pool.acquire("h:80");
        Connection* conn = &a.attach(corio::Stream());
        auto w1 = corio::create_task(take(pool, "h:80", &order, "w1"));
        auto w2 = corio::create_task(take(pool, "h:80", &order, "w2"));
        co_await corio::sleep(10ms);
        a.release();
        Lease l1 = co_await std::move(w1);
        CHECK(l1.connection() == conn);
        l1.release();
        Lease l2 = co_await std::move(w2);
        CHECK(l2.connection() == conn);
        CHECK(order == std::vector<std::string>{"w1", "w2"});
        CHECK(pool.opened_total() == 1);
    });
}

TEST_CASE("the per-host limit holds one host back and lets others through", "[http][pool]") {
    run_manual([](corio::ManualClock&) -> Coro<void> {
        Pool pool(PoolOptions{.limit = 10, .limit_per_host = 1});
        Lease a = co_await pool.acquire("a:80");
        auto more_a = corio::create_task(take(pool, "a:80", nullptr, ""));
        Lease b = co_await pool.acquire("b:80");
        co_await corio::sleep(10ms);
        CHECK_FALSE(more_a.done());
        CHECK(pool.open_count() == 2);
        a.discard();
        Lease a2 = co_await std::move(more_a);
        CHECK(pool.open_count() == 2);
    });
}

TEST_CASE("at the total limit an idle connection of another host makes way", "[http][pool]") {
    run_manual([](corio::ManualClock&) -> Coro<void> {
        Pool pool(PoolOptions{.limit = 1});
        Lease a = co_await pool.acquire("a:80");
        a.attach(corio::Stream());
        a.release();
        Lease b = co_await pool.acquire("b:80");
        CHECK(pool.idle_count() == 0);
        CHECK(pool.open_count() == 1);
        // And a waiter for another host takes the slot of a connection released meanwhile.
        auto c = corio::create_task(take(pool, "c:80", nullptr, ""));
        co_await corio::sleep(10ms);
        b.attach(corio::Stream());
        b.release();
        Lease lc = co_await std::move(c);
        CHECK_FALSE(lc.connection());
        CHECK(pool.idle_count() == 0);
    });
}

TEST_CASE("idle connections close after the keepalive time", "[http][pool]") {
    run_manual([](corio::ManualClock& clock) -> Coro<void> {
        Pool pool(PoolOptions{.keepalive = 15s});
        Lease a = co_await pool.acquire("h:80");
        a.attach(corio::Stream());
        Lease b = co_await pool.acquire("h:80");
        b.attach(corio::Stream());
        a.release();
        clock.advance(10s);
        b.release();
        CHECK(pool.idle_count() == 2);
        co_await corio::sleep(6s);  // a has been idle 16 s, b 6 s
        CHECK(pool.idle_count() == 1);
        CHECK(pool.open_count() == 1);
        co_await corio::sleep(10s);
        CHECK(pool.idle_count() == 0);
        CHECK(pool.open_count() == 0);
        // An expired connection is never handed out, even before the sweep ran.
        Lease c = co_await pool.acquire("h:80");
        c.attach(corio::Stream());
        c.release();
        clock.advance(20s);
        Lease d = co_await pool.acquire("h:80");
        CHECK_FALSE(d.connection());
    });
}

TEST_CASE("a waiter cancelled before its turn leaves the counts as they were", "[http][pool]") {
    run_manual([](corio::ManualClock&) -> Coro<void> {
        Pool pool(PoolOptions{.limit = 1});
        Lease a = co_await pool.acquire("h:80");
        bool timed_out = false;
        try {
            co_await corio::wait_for(pool.acquire("h:80"), 1s);
        } catch (const corio::TimeoutError&) {
            timed_out = true;
        }
        CHECK(timed_out);
        // Cancelled after being handed the slot, before it resumed: the slot passes on.
        auto w = corio::create_task(take(pool, "h:80", nullptr, ""));
        co_await corio::sleep(10ms);
        a.discard();
        w.cancel();
        co_await corio::sleep(10ms);
        CHECK(w.cancelled());
        CHECK(pool.open_count() == 0);
        Lease b = co_await pool.acquire("h:80");
        CHECK(pool.open_count() == 1);
    });
}

TEST_CASE("closing the pool wakes its waiters with an error and refuses new requests",
          "[http][pool]") {
    run_manual([](corio::ManualClock&) -> Coro<void> {
        Pool pool(PoolOptions{.limit = 1});
        Lease a = co_await pool.acquire("h:80");
        a.attach(corio::Stream());
        auto w = corio::create_task(take(pool, "h:80", nullptr, ""));
        co_await corio::sleep(10ms);
        pool.close();
        bool refused = false;
        try {
            co_await std::move(w);
        } catch (const corio::http::HttpError& e) {
            refused = std::string(e.what()).find("closed") != std::string::npos;
        }
        CHECK(refused);
        a.release();  // a connection in use when the pool closed is closed, not kept
        CHECK(pool.idle_count() == 0);
        CHECK(pool.open_count() == 0);
    });
}
