#pragma once
/// The sink for `[Graphite] send = no`: counts points and drops them, the 0.3.2
/// behaviour of an lmaster that forwarded nothing, made visible in the counters.

#include "master/graphite_sink.h"

namespace fructosa {

class NullSink : public GraphiteSink {
public:
    /// Logs once that nothing will be forwarded.
    void start() override;
    void offer(Points&& points) override;
    SinkStats stats() const override { return stats_; }
    void stop(std::chrono::milliseconds grace, std::function<void()> done) override;

private:
    SinkStats stats_;
};

}  // namespace fructosa
