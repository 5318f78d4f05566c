#pragma once
/// A GraphiteSink for tests that keeps what the server hands on; read from the test
/// thread while the server runs on its own, hence the lock.

#include <mutex>

#include "master/graphite_sink.h"

namespace fructosa::test_support {

class RecordingSink : public GraphiteSink {
public:
    void offer(Points&& points) override {
        std::lock_guard lock(mutex_);
        for (auto& p : points) points_.push_back(std::move(p));
    }
    SinkStats stats() const override { return {}; }
    void stop(std::chrono::milliseconds, std::function<void()> done) override { done(); }
    Points points() const {
        std::lock_guard lock(mutex_);
        return points_;
    }

private:
    mutable std::mutex mutex_;
    Points points_;
};

}  // namespace fructosa::test_support
