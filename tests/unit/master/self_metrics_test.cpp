#include "master/self_metrics.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

using namespace fructosa;
using namespace std::chrono_literals;

namespace {

class CollectingSink : public GraphiteSink {
public:
    void offer(Points&& points) override {
        ++offers;
        for (auto& p : points) received.push_back(std::move(p));
    }
    SinkStats stats() const override {
        SinkStats s;
        s.points_out = 7;
        s.points_dropped = 3;
        s.points_queued = 2;
        s.connected = true;
        return s;
    }
    void stop(std::chrono::milliseconds, std::function<void()> done) override { done(); }
    Points received;
    int offers = 0;
};

}  // namespace

TEST(SelfMetrics, PointsNameLmasterAndItsHost) {
    AgentServerStats server;
    server.agents_connected = 12;
    server.batches_in = 100;
    server.points_in = 5000;
    server.bad_frames = 4;
    server.job_events_in = 9;
    server.auth_failures = 2;
    server.points_refused = 5;
    server.connections_pending = 7;
    server.handshakes_evicted = 8;
    server.hellos_verifying = 10;
    server.hellos_queue_full = 11;
    server.job_events_recording = 12;
    server.job_events_queue_full = 13;
    SinkStats sink;
    sink.points_out = 4990;
    sink.points_dropped = 6;
    sink.points_invalid = 1;
    sink.points_queued = 3;
    sink.connected = true;
    JobEventStats jobs;
    jobs.events_lost = 3;
    jobs.events_refused = 4;
    auto pts = self_metric_points("master01", 1700000000, server, sink, jobs);
    Points expected = {
        {"fructosa.lmaster.master01.agents_connected", 1700000000, 12},
        {"fructosa.lmaster.master01.batches_in", 1700000000, 100},
        {"fructosa.lmaster.master01.points_in", 1700000000, 5000},
        {"fructosa.lmaster.master01.points_out", 1700000000, 4990},
        {"fructosa.lmaster.master01.points_dropped", 1700000000, 6},
        {"fructosa.lmaster.master01.points_invalid", 1700000000, 1},
        {"fructosa.lmaster.master01.points_queued", 1700000000, 3},
        {"fructosa.lmaster.master01.bad_frames", 1700000000, 4},
        {"fructosa.lmaster.master01.graphite_connected", 1700000000, 1},
        {"fructosa.lmaster.master01.job_events_in", 1700000000, 9},
        {"fructosa.lmaster.master01.connections_refused", 1700000000, 0},
        {"fructosa.lmaster.master01.auth_failures", 1700000000, 2},
        {"fructosa.lmaster.master01.points_refused", 1700000000, 5},
        {"fructosa.lmaster.master01.connections_pending", 1700000000, 7},
        {"fructosa.lmaster.master01.handshakes_evicted", 1700000000, 8},
        {"fructosa.lmaster.master01.job_events_lost", 1700000000, 3},
        {"fructosa.lmaster.master01.job_events_refused", 1700000000, 4},
        {"fructosa.lmaster.master01.hellos_verifying", 1700000000, 10},
        {"fructosa.lmaster.master01.hellos_queue_full", 1700000000, 11},
        {"fructosa.lmaster.master01.job_events_recording", 1700000000, 12},
        {"fructosa.lmaster.master01.job_events_queue_full", 1700000000, 13},
    };
    EXPECT_EQ(pts, expected);
    // A host name can never add path levels.
    EXPECT_EQ(self_metric_points("a.b c", 1, server, sink).front().path, "fructosa.lmaster.a_b_c.agents_connected");
}

TEST(SelfMetrics, AGraphiteClusterReportsEachDestination) {
    AgentServerStats server;
    SinkStats sink, a, b;
    a.connected = true;
    a.points_out = 10;
    b.points_queued = 7;
    b.points_dropped = 2;
    auto pts = self_metric_points("m1", 5, server, sink, {}, {{"127.0.0.1:2104:a", a}, {"cache2:2004", b}});
    Points tail(pts.end() - 8, pts.end());
    Points expected = {
        {"fructosa.lmaster.m1.destinations.127_0_0_1:2104:a.connected", 5, 1},
        {"fructosa.lmaster.m1.destinations.127_0_0_1:2104:a.points_out", 5, 10},
        {"fructosa.lmaster.m1.destinations.127_0_0_1:2104:a.points_queued", 5, 0},
        {"fructosa.lmaster.m1.destinations.127_0_0_1:2104:a.points_dropped", 5, 0},
        {"fructosa.lmaster.m1.destinations.cache2:2004.connected", 5, 0},
        {"fructosa.lmaster.m1.destinations.cache2:2004.points_out", 5, 0},
        {"fructosa.lmaster.m1.destinations.cache2:2004.points_queued", 5, 7},
        {"fructosa.lmaster.m1.destinations.cache2:2004.points_dropped", 5, 2},
    };
    EXPECT_EQ(tail, expected);
    EXPECT_EQ(pts.size(), self_metric_points("m1", 5, server, sink).size() + 8);
}

TEST(SelfMetrics, ReportsEveryIntervalThroughTheSink) {
    boost::asio::io_context io;
    CollectingSink sink;
    AgentServerSettings settings;
    settings.host = "127.0.0.1";
    settings.port = 0;
    AgentServer server(io, settings, sink, nullptr);
    SelfMetrics self(io, 20ms, "m", server, sink);
    self.start();
    io.run_for(110ms);
    self.stop();
    EXPECT_GE(sink.offers, 3);
    EXPECT_LE(sink.offers, 6);
    ASSERT_FALSE(sink.received.empty());
    EXPECT_EQ(sink.received[3].path, "fructosa.lmaster.m.points_out");
    EXPECT_EQ(sink.received[3].value, 7);
    double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_NEAR(sink.received[0].timestamp, now, 5);
}
