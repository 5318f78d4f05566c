#pragma once
/// A gate a test opens once: threads that wait() block until release(). Holds a worker
/// "inside" a slow call without sleeping, so what happens meanwhile is asserted, not timed.

#include <condition_variable>
#include <mutex>

namespace fructosa::test_support {

class Latch {
public:
    void wait() {
        std::unique_lock lock(mutex_);
        ++waiting_;
        cv_.notify_all();
        cv_.wait(lock, [this] { return open_; });
    }
    void release() {
        std::lock_guard lock(mutex_);
        open_ = true;
        cv_.notify_all();
    }
    /// Blocks until `n` threads have entered wait() (in all, released or not).
    void await_waiters(int n) {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return waiting_ >= n; });
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool open_ = false;
    int waiting_ = 0;
};

/// Opens `latch` when it goes: declared after the fixture whose worker may be waiting,
/// so a failing test never leaves the fixture's destructor joining a blocked thread.
struct ReleaseOnExit {
    Latch& latch;
    ~ReleaseOnExit() { latch.release(); }
};

}  // namespace fructosa::test_support
