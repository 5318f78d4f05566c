#include "master/aggregating_sink.h"

#include <algorithm>
#include <cmath>

namespace fructosa {

namespace {

double epoch_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

AggregatingSink::AggregatingSink(boost::asio::io_context& io, std::unique_ptr<GraphiteSink> inner,
                                 ClusterAggregator aggregator)
    : inner_(std::move(inner)),
      aggregator_(std::move(aggregator)),
      timer_(io),
      interval_(std::max<std::chrono::milliseconds>(
          std::chrono::milliseconds(static_cast<std::int64_t>(aggregator_.settings().interval * 1000.0 + 0.5)),
          std::chrono::milliseconds(1))) {}

void AggregatingSink::start() {
    inner_->start();
    // First report just after the next multiple of the interval in wall-clock time:
    // every lmaster then stamps its report with the same multiple (the end of the interval).
    double interval = aggregator_.settings().interval;
    double now = epoch_now();
    double next = (std::floor(now / interval) + 1) * interval + std::min(0.25, interval / 4);
    timer_.expires_after(std::chrono::milliseconds(static_cast<std::int64_t>((next - now) * 1000.0)));
    schedule();
}

void AggregatingSink::offer(Points&& points) {
    aggregator_.observe(points, epoch_now());
    inner_->offer(std::move(points));
}

void AggregatingSink::on_job_event(std::string_view host, const std::string& json_text) {
    aggregator_.on_job_event(host, json_text, epoch_now());
}

void AggregatingSink::stop(std::chrono::milliseconds grace, std::function<void()> done) {
    stopped_ = true;
    timer_.cancel();
    inner_->stop(grace, std::move(done));
}

void AggregatingSink::schedule() {
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        inner_->offer(aggregator_.report(epoch_now()));
        // As SelfMetrics: no drift, and no burst after a stall.
        auto next = timer_.expiry() + interval_;
        if (next < std::chrono::steady_clock::now()) next = std::chrono::steady_clock::now() + interval_;
        timer_.expires_at(next);
        schedule();
    });
}

}  // namespace fructosa
