#pragma once
/// A GraphiteSink in front of lmaster's real one: every batch offered to it feeds the
/// ClusterAggregator on its way through, and every `[aggregates] interval` the
/// aggregator's report goes to the real sink (spool, carbon, ring) like any other point.
/// Sitting in the sink chain keeps the agent server unaware of it: one construction in
/// the daemon, nothing where batches are accepted.

#include <chrono>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "master/cluster_aggregator.h"
#include "master/graphite_sink.h"

namespace fructosa {

class AggregatingSink : public GraphiteSink {
public:
    AggregatingSink(boost::asio::io_context& io, std::unique_ptr<GraphiteSink> inner, ClusterAggregator aggregator);

    void start() override;
    void offer(Points&& points) override;
    SinkStats stats() const override { return inner_->stats(); }
    std::vector<std::pair<std::string, SinkStats>> destination_stats() const override {
        return inner_->destination_stats();
    }
    void on_written(std::function<void()> callback) override { inner_->on_written(std::move(callback)); }
    void stop(std::chrono::milliseconds grace, std::function<void()> done) override;

    /// A job event lmaster accepted from agent `host` (its JSON text).
    void on_job_event(std::string_view host, const std::string& json_text);

    const ClusterAggregator& aggregator() const { return aggregator_; }

private:
    void schedule();

    std::unique_ptr<GraphiteSink> inner_;
    ClusterAggregator aggregator_;
    boost::asio::steady_timer timer_;
    std::chrono::milliseconds interval_;
    bool stopped_ = false;
};

}  // namespace fructosa
