#pragma once
/// lmaster's metrics about itself (carbon-c-relay's model: overload is data), sent
/// through the same sink as agents' points every `self metrics interval`, under
/// "fructosa.lmaster.<short host>.<name>" (the sink adds the configured prefix).

#include <chrono>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/metric.h"
#include "common/status_file.h"
#include "master/agent_server.h"
#include "master/graphite_sink.h"
#include "master/job_event_handler.h"

namespace fructosa {

/// The points of one report, in a fixed order: agents_connected, batches_in,
/// points_in (from agents), points_out, points_dropped, points_invalid, points_queued,
/// bad_frames, graphite_connected (0/1), job_events_in, connections_refused,
/// auth_failures, points_refused (outside the sending agent's own series),
/// connections_pending (without a Hello now), handshakes_evicted, job_events_lost
/// (registry write failed; the event was acked), job_events_refused, hellos_verifying
/// (at the authentication worker now), hellos_queue_full (Hellos that waited for room
/// there), job_events_recording (at the registry worker now), job_events_queue_full
/// (job events that waited for room there); then, for a Graphite
/// cluster, destinations.<server:port:instance>.{connected, points_out, points_queued,
/// points_dropped} of each carbon-cache.
Points self_metric_points(std::string_view host, double timestamp, const AgentServerStats& server,
                          const SinkStats& sink, const JobEventStats& jobs = {},
                          const std::vector<std::pair<std::string, SinkStats>>& destinations = {});

/// Reports on a timer, without drift, until stop().
class SelfMetrics {
public:
    /// `jobs`: the job event handler's counters (nullptr: none, reported as zero).
    SelfMetrics(boost::asio::io_context& io, std::chrono::milliseconds interval, std::string host,
                const AgentServer& server, GraphiteSink& sink, const JobEventStats* jobs = nullptr);
    void start();
    void stop();
    /// Also writes every report to this status file (common/status_file.h); empty: none.
    void set_status_file(std::string path) { status_ = StatusFile(std::move(path)); }

private:
    void schedule();

    boost::asio::steady_timer timer_;
    std::chrono::milliseconds interval_;
    std::string host_;
    const AgentServer& server_;
    GraphiteSink& sink_;
    const JobEventStats* jobs_;
    bool stopped_ = false;
    StatusFile status_{""};
};

}  // namespace fructosa
