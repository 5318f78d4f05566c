#pragma once
/// One thread for work that may block (a MUNGE decode waiting on munged, a registry
/// write waiting on SQLite's lock or a PostgreSQL round-trip), so that lmaster's network
/// thread never waits on it: work is queued here, runs on the worker's thread in the
/// order it was queued, and its result comes back to the io_context thread.
///
/// The queue is bounded: try_post refuses (queues nothing) while `capacity` tasks are in
/// flight, counting from the post until their `done` has run on the io_context thread,
/// so results waiting to be handled count too. A refused caller keeps its work and asks
/// when_room() to be called back; it loses nothing and the network thread never blocks.
///
/// Everything but the worker's own thread is used from the io_context thread only:
/// try_post, when_room, stop and the counters.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace fructosa {

struct BlockingWorkerStats {
    std::uint64_t done = 0;       ///< tasks whose `done` ran
    std::uint64_t refused = 0;    ///< try_post calls refused because the queue was full
    std::uint64_t discarded = 0;  ///< queued tasks dropped unrun by stop()
    std::size_t peak_in_flight = 0;
};

class BlockingWorker {
public:
    /// Starts the thread. `name` is for log lines; `capacity` 0 is taken as 1.
    BlockingWorker(boost::asio::io_context& io, std::string name, std::size_t capacity);
    /// stop().
    ~BlockingWorker();
    BlockingWorker(const BlockingWorker&) = delete;
    BlockingWorker& operator=(const BlockingWorker&) = delete;

    /// Runs `work()` on the worker thread, then `done(result)` on the io_context thread.
    /// Returns false, queueing nothing, when the queue is full or the worker stopped.
    /// `work` should not throw: an exception is logged and `done` is then not run.
    template <class Work, class Done>
    bool try_post(Work work, Done done) {
        return try_push([gate = gate_, &io = io_, work = std::move(work), done = std::move(done)]() mutable {
            using Result = std::invoke_result_t<Work&>;
            auto finished = [gate, done = std::move(done)](Result r) mutable {
                if (gate->closed) return;
                gate->finished();
                done(std::move(r));
                gate->wake();
            };
            try {
                Result r = work();
                boost::asio::post(io, [f = std::move(finished), r = std::move(r)]() mutable { f(std::move(r)); });
            } catch (const std::exception& e) {
                log_task_failure(gate->name, e.what());
                boost::asio::post(io, [gate] {
                    if (gate->closed) return;
                    gate->finished();
                    gate->wake();
                });
            }
        });
    }

    /// Calls `retry` (on the io_context thread) once a task has finished and there is
    /// room; waiters are called oldest first, each once. Dropped unrun by stop().
    void when_room(std::function<void()> retry);

    /// Drops the tasks not yet started (counted as discarded and logged: their `done`
    /// never runs, so a job event among them is never acknowledged and its agent sends
    /// it again), waits for the running one, and ends the thread. No `done` runs after
    /// stop(), not even one already on its way. Idempotent.
    void stop();

    /// Tasks posted whose `done` has not run yet.
    std::size_t in_flight() const { return gate_->in_flight; }
    std::size_t capacity() const { return capacity_; }
    /// Tasks waiting for the thread (not the running one); any thread.
    std::size_t queued();
    BlockingWorkerStats stats() const { return gate_->stats; }

private:
    /// What results on their way back to the io_context share with the worker: it
    /// outlives the worker, so a result arriving after stop() finds `closed` and stops.
    struct Gate {
        std::string name;
        std::size_t capacity = 1;
        std::atomic<bool> closed{false};  ///< set by stop(); read where results arrive
        std::size_t in_flight = 0;
        BlockingWorkerStats stats;
        std::deque<std::function<void()>> waiters;
        void finished() {
            --in_flight;
            ++stats.done;
        }
        void wake();
    };

    static void log_task_failure(const std::string& name, const char* what);
    bool try_push(std::function<void()> task);
    void run();

    boost::asio::io_context& io_;
    std::size_t capacity_;
    std::shared_ptr<Gate> gate_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace fructosa
