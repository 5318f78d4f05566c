#include "master/self_metrics.h"

#include <algorithm>

#include "common/metric_path.h"

namespace fructosa {

Points self_metric_points(std::string_view host, double timestamp, const AgentServerStats& server,
                          const SinkStats& sink, const JobEventStats& jobs,
                          const std::vector<std::pair<std::string, SinkStats>>& destinations) {
    std::string base = lmaster_series_base(sanitize_component(host));
    Points out;
    auto add = [&](std::string_view name, double value) {
        out.push_back(Point{child_path(base, name), timestamp, value});
    };
    add("agents_connected", static_cast<double>(server.agents_connected));
    add("batches_in", static_cast<double>(server.batches_in));
    add("points_in", static_cast<double>(server.points_in));
    add("points_out", static_cast<double>(sink.points_out));
    add("points_dropped", static_cast<double>(sink.points_dropped));
    add("points_invalid", static_cast<double>(sink.points_invalid));
    add("points_queued", static_cast<double>(sink.points_queued));
    add("bad_frames", static_cast<double>(server.bad_frames));
    add("graphite_connected", sink.connected ? 1.0 : 0.0);
    add("job_events_in", static_cast<double>(server.job_events_in));
    add("connections_refused", static_cast<double>(server.connections_refused));
    add("auth_failures", static_cast<double>(server.auth_failures));
    add("points_refused", static_cast<double>(server.points_refused));
    add("connections_pending", static_cast<double>(server.connections_pending));
    add("handshakes_evicted", static_cast<double>(server.handshakes_evicted));
    add("job_events_lost", static_cast<double>(jobs.events_lost));
    add("job_events_refused", static_cast<double>(jobs.events_refused));
    add("hellos_verifying", static_cast<double>(server.hellos_verifying));
    add("hellos_queue_full", static_cast<double>(server.hellos_queue_full));
    add("job_events_recording", static_cast<double>(server.job_events_recording));
    add("job_events_queue_full", static_cast<double>(server.job_events_queue_full));
    for (const auto& [name, d] : destinations) {
        std::string dest = "destinations." + sanitize_component(name);
        add(dest + ".connected", d.connected ? 1.0 : 0.0);
        add(dest + ".points_out", static_cast<double>(d.points_out));
        add(dest + ".points_queued", static_cast<double>(d.points_queued));
        add(dest + ".points_dropped", static_cast<double>(d.points_dropped));
    }
    return out;
}

SelfMetrics::SelfMetrics(boost::asio::io_context& io, std::chrono::milliseconds interval, std::string host,
                         const AgentServer& server, GraphiteSink& sink, const JobEventStats* jobs)
    : timer_(io),
      interval_(std::max(interval, std::chrono::milliseconds(1))),
      host_(std::move(host)),
      server_(server),
      sink_(sink),
      jobs_(jobs) {}

void SelfMetrics::start() {
    timer_.expires_after(interval_);
    schedule();
}

void SelfMetrics::stop() {
    stopped_ = true;
    timer_.cancel();
}

void SelfMetrics::schedule() {
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        static const JobEventStats none;
        Points points = self_metric_points(host_, now, server_.stats(), sink_.stats(), jobs_ ? *jobs_ : none,
                                           sink_.destination_stats());
        status_.write(points, now);
        sink_.offer(std::move(points));
        // Next tick relative to the last one, so the reports do not drift; after a
        // long stall skip the missed ticks instead of firing a burst.
        auto next = timer_.expiry() + interval_;
        if (next < std::chrono::steady_clock::now()) next = std::chrono::steady_clock::now() + interval_;
        timer_.expires_at(next);
        schedule();
    });
}

}  // namespace fructosa
