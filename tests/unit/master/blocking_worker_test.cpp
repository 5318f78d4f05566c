// BlockingWorker: work off the io_context thread, results back on it in order, a bounded
// queue that refuses instead of blocking, waiters called back when there is room, and a
// stop that reports what it dropped. Slow work is held on a latch: nothing is timed.
#include "master/blocking_worker.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "tests/unit/master/latch.h"

namespace fructosa {
namespace {

using test_support::Latch;
using test_support::ReleaseOnExit;

/// Runs `io` until `pred` holds (or it runs out of work).
template <class Pred>
void run_until(boost::asio::io_context& io, Pred pred) {
    io.restart();
    while (!pred()) {
        if (io.run_one() == 0) io.restart();
    }
}

TEST(BlockingWorker, ResultsComeBackOnTheIoThreadInPostOrder) {
    boost::asio::io_context io;
    BlockingWorker worker(io, "test", 100);
    std::vector<int> results;
    std::vector<std::thread::id> work_threads;
    auto io_thread = std::this_thread::get_id();  // run_until runs the io_context here
    bool done_on_io_thread = true;
    for (int i = 0; i < 100; ++i) {
        ASSERT_TRUE(worker.try_post(
            [i, &work_threads] {
                work_threads.push_back(std::this_thread::get_id());  // one worker thread: no race
                return i;
            },
            [&](int r) {
                results.push_back(r);
                done_on_io_thread = done_on_io_thread && std::this_thread::get_id() == io_thread;
            }));
    }
    run_until(io, [&] { return results.size() == 100; });
    EXPECT_TRUE(done_on_io_thread);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(results[i], i);
    worker.stop();
    ASSERT_EQ(work_threads.size(), 100u);
    for (auto id : work_threads) EXPECT_NE(id, io_thread);  // the work never ran on the io thread
    EXPECT_EQ(worker.in_flight(), 0u);
    EXPECT_EQ(worker.stats().done, 100u);
    EXPECT_EQ(worker.stats().refused, 0u);
}

TEST(BlockingWorker, AFullQueueRefusesWithoutBlocking) {
    boost::asio::io_context io;
    Latch latch;
    BlockingWorker worker(io, "test", 2);
    ReleaseOnExit release{latch};
    int done = 0;
    auto slow = [&latch] {
        latch.wait();
        return 1;
    };
    EXPECT_TRUE(worker.try_post(slow, [&](int) { ++done; }));
    EXPECT_TRUE(worker.try_post(slow, [&](int) { ++done; }));
    EXPECT_FALSE(worker.try_post(slow, [&](int) { ++done; }));  // returns at once: the worker is stuck
    EXPECT_EQ(worker.in_flight(), 2u);
    EXPECT_EQ(worker.stats().refused, 1u);
    EXPECT_EQ(worker.stats().peak_in_flight, 2u);
    latch.release();
    run_until(io, [&] { return done == 2; });
    EXPECT_EQ(worker.in_flight(), 0u);
    EXPECT_TRUE(worker.try_post([] { return 0; }, [&](int) { ++done; }));  // room again
    run_until(io, [&] { return done == 3; });
}

TEST(BlockingWorker, ResultsNotYetHandledStillTakeRoom) {
    boost::asio::io_context io;
    BlockingWorker worker(io, "test", 1);
    std::atomic<bool> ran{false};
    ASSERT_TRUE(worker.try_post(
        [&] {
            ran = true;
            return 1;
        },
        [](int) {}));
    while (!ran) std::this_thread::yield();
    // The work is over, but its result waits for the io_context: still in flight.
    EXPECT_FALSE(worker.try_post([] { return 2; }, [](int) {}));
    run_until(io, [&] { return worker.in_flight() == 0; });
    EXPECT_TRUE(worker.try_post([] { return 2; }, [](int) {}));
    worker.stop();
}

TEST(BlockingWorker, AWaiterIsCalledBackOnceThereIsRoomAndLosesNothing) {
    boost::asio::io_context io;
    Latch latch;
    BlockingWorker worker(io, "test", 1);
    ReleaseOnExit release{latch};
    std::vector<int> results;
    ASSERT_TRUE(worker.try_post(
        [&latch] {
            latch.wait();
            return 1;
        },
        [&](int r) { results.push_back(r); }));
    int retries = 0;
    std::function<void()> post_second = [&] {
        ++retries;
        if (!worker.try_post([] { return 2; }, [&](int r) { results.push_back(r); })) worker.when_room(post_second);
    };
    post_second();
    EXPECT_EQ(retries, 1);
    EXPECT_EQ(worker.stats().refused, 1u);
    latch.release();
    run_until(io, [&] { return results.size() == 2; });
    EXPECT_EQ(results, (std::vector<int>{1, 2}));
    EXPECT_EQ(retries, 2);  // called back once, when the first result had been handled
    worker.stop();
}

TEST(BlockingWorker, StopDropsWhatIsQueuedReportsItAndRunsNoMoreResults) {
    boost::asio::io_context io;
    Latch latch;
    BlockingWorker worker(io, "test", 10);
    ReleaseOnExit release{latch};
    std::atomic<int> ran{0};
    int done = 0;
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(worker.try_post(
            [&latch, &ran, i] {
                if (i == 0) latch.wait();
                ++ran;
                return i;
            },
            [&](int) { ++done; }));
    latch.await_waiters(1);  // the first task runs; the other two are queued
    std::thread stopper([&] { worker.stop(); });
    while (worker.queued() != 0) std::this_thread::yield();  // stop() has taken them off the queue
    latch.release();                                          // the running task may finish now
    stopper.join();
    EXPECT_EQ(ran, 1);
    EXPECT_EQ(worker.stats().discarded, 2u);
    io.restart();
    io.poll();  // the first task's result was posted: stop() closed the gate before it could run
    EXPECT_EQ(done, 0);
    EXPECT_FALSE(worker.try_post([] { return 0; }, [&](int) { ++done; }));  // stopped: refuses
    worker.when_room([&] { ++done; });                                       // and never calls back
    io.poll();
    EXPECT_EQ(done, 0);
}

TEST(BlockingWorker, AThrowingTaskIsLoggedAndGivesItsRoomBack) {
    boost::asio::io_context io;
    BlockingWorker worker(io, "test", 1);
    bool done = false;
    ASSERT_TRUE(worker.try_post(
        []() -> int { throw std::runtime_error("registry on fire"); }, [&](int) { done = true; }));
    run_until(io, [&] { return worker.in_flight() == 0; });
    EXPECT_FALSE(done);
    EXPECT_TRUE(worker.try_post([] { return 0; }, [&](int) { done = true; }));
    run_until(io, [&] { return done; });
}

}  // namespace
}  // namespace fructosa
