#include "master/cluster_aggregator.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "master/aggregating_sink.h"
#include "recording_sink.h"

using namespace fructosa;

namespace {

constexpr double T0 = 1'700'000'000;

AggregateSettings settings(std::size_t max_nodes = 1000) {
    AggregateSettings s;
    s.interval = 10;
    s.reporting_window = 120;
    s.forget_after = 3600;
    s.max_nodes = max_nodes;
    return s;
}

std::map<std::string, double> by_path(const Points& points) {
    std::map<std::string, double> m;
    for (const auto& p : points) m[p.path] = p.value;
    return m;
}

std::optional<double> value(const Points& points, const std::string& path) {
    auto m = by_path(points);
    auto it = m.find(path);
    if (it == m.end()) return std::nullopt;
    return it->second;
}

/// What lagent sends for one node sample: CPUs' percent and memory percent.
Points sample(const std::string& host, double t, std::vector<double> cpus, double memory) {
    Points ps;
    for (std::size_t i = 0; i < cpus.size(); ++i) ps.push_back({host + ".CPUPercent." + std::to_string(i), t, cpus[i]});
    ps.push_back({host + ".VirtualMemory.percent", t, memory});
    return ps;
}

std::string job_event(const std::string& type, std::uint64_t job, const std::string& host, const std::string& partition) {
    return R"({"type":")" + type + R"(","job_id":)" + std::to_string(job) + R"(,"host":")" + host +
           R"(","time":1,"step_id":"0","reason":"last step ended","meta":{"partition":")" + partition +
           R"(","nnodes":2}})";
}

const std::string B = "fructosa.cluster.lm1.";

}  // namespace

TEST(ClusterAggregator, NodeMeanIsOverItsCpusAndSamplesAndClusterFiguresAreSumsAndCounts) {
    ClusterAggregator a(settings(), "lm1");
    a.observe(sample("n1", T0, {10, 30}, 40), T0);
    a.observe(sample("n1", T0 + 5, {50, 70}, 60), T0 + 5);  // n1: CPU mean 40, memory mean 50
    a.observe(sample("n2", T0 + 5, {100, 100, 100, 96}, 95), T0 + 5);  // n2: CPU 99, memory 95
    Points r = a.report(T0 + 10);

    EXPECT_EQ(value(r, "n1.node.cpu_percent_mean"), 40);
    EXPECT_EQ(value(r, "n2.node.cpu_percent_mean"), 99);
    EXPECT_EQ(value(r, B + "nodes_reporting"), 2);
    EXPECT_EQ(value(r, B + "nodes_silent"), 0);
    EXPECT_EQ(value(r, B + "cpu_percent_sum"), 139);
    EXPECT_EQ(value(r, B + "cpu_percent_count"), 2);
    EXPECT_EQ(value(r, B + "memory_percent_sum"), 145);
    EXPECT_EQ(value(r, B + "memory_percent_count"), 2);
    // Heat map buckets: (ub-10, ub].
    EXPECT_EQ(value(r, B + "cpu_percent_nodes.40"), 1);
    EXPECT_EQ(value(r, B + "cpu_percent_nodes.100"), 1);
    EXPECT_EQ(value(r, B + "cpu_percent_nodes.50"), 0);
    EXPECT_EQ(value(r, B + "memory_percent_nodes.50"), 1);
    EXPECT_EQ(value(r, B + "memory_percent_nodes.100"), 1);
    for (const auto& p : r) EXPECT_EQ(p.timestamp, T0 + 10) << p.path;
}

TEST(ClusterAggregator, AFigureNoNodeMeasuredHasACountOfZeroAndNoSum) {
    ClusterAggregator a(settings(), "lm1");
    a.observe(sample("n1", T0, {0}, 10), T0);
    Points r = a.report(T0 + 10);
    EXPECT_EQ(value(r, B + "gpu_util_percent_count"), 0);
    EXPECT_EQ(value(r, B + "gpu_util_percent_sum"), std::nullopt);
    EXPECT_EQ(value(r, B + "cpu_percent_nodes.10"), 1);  // 0 % lies in the first bucket
    EXPECT_EQ(value(r, B + "lagents.points_dropped"), std::nullopt);
}

TEST(ClusterAggregator, ANodeKeepsItsLatestFiguresWithinTheWindowThenIsSilentThenForgotten) {
    ClusterAggregator a(settings(), "lm1");
    a.observe(sample("n1", T0, {20}, 30), T0);
    a.observe(sample("n2", T0, {60}, 70), T0);
    a.report(T0 + 10);
    // n1 samples every 60 s: it sends nothing in the next intervals but still counts.
    a.observe(sample("n2", T0 + 15, {80}, 70), T0 + 15);
    Points r = a.report(T0 + 20);
    EXPECT_EQ(value(r, "n1.node.cpu_percent_mean"), std::nullopt);  // nothing measured: nothing published
    EXPECT_EQ(value(r, "n2.node.cpu_percent_mean"), 80);
    EXPECT_EQ(value(r, B + "nodes_reporting"), 2);
    EXPECT_EQ(value(r, B + "cpu_percent_sum"), 100);

    // Past the window without a point, n1 is silent and its figures no longer count.
    a.observe(sample("n2", T0 + 125, {40}, 70), T0 + 125);
    r = a.report(T0 + 130);
    EXPECT_EQ(value(r, B + "nodes_reporting"), 1);
    EXPECT_EQ(value(r, B + "nodes_silent"), 1);
    EXPECT_EQ(value(r, B + "cpu_percent_sum"), 40);
    EXPECT_EQ(value(r, B + "cpu_percent_count"), 1);
    EXPECT_EQ(value(r, B + "nodes_tracked"), 2);

    // After `forget after` its state is dropped and counted.
    a.observe(sample("n2", T0 + 3605, {40}, 70), T0 + 3605);
    r = a.report(T0 + 3610);
    EXPECT_EQ(value(r, B + "nodes_silent"), 0);
    EXPECT_EQ(value(r, B + "nodes_tracked"), 1);
    EXPECT_EQ(value(r, B + "nodes_expired"), 1);
    EXPECT_EQ(a.stats().nodes_tracked, 1u);
}

TEST(ClusterAggregator, JobsRunningAreDistinctJobsAndJobNodesArePairsUntilJobEndOrTheWindow) {
    ClusterAggregator a(settings(), "lm1");
    a.observe({{"jobs.17.n1.cpu.usage_percent", T0, 100}, {"jobs.17.n1.memory.current", T0, 5}}, T0);
    a.observe({{"jobs.17.n2.cpu.usage_percent", T0, 100}}, T0);
    a.observe({{"jobs.18.n2.cpu.usage_percent", T0, 100}}, T0);
    Points r = a.report(T0 + 10);
    EXPECT_EQ(value(r, B + "jobs_running"), 2);
    EXPECT_EQ(value(r, B + "job_nodes"), 3);

    // A job_end counts in the interval it came in (a job shorter than an interval
    // still shows), and no longer after.
    a.on_job_event("n1", job_event("job_end", 17, "n1", ""), T0 + 12);
    r = a.report(T0 + 20);
    EXPECT_EQ(value(r, B + "job_nodes"), 3);
    r = a.report(T0 + 30);
    EXPECT_EQ(value(r, B + "jobs_running"), 2);
    EXPECT_EQ(value(r, B + "job_nodes"), 2);

    // Job 18 stops sending (its job_end lost): it ends with the window.
    a.observe({{"jobs.17.n2.cpu.usage_percent", T0 + 100, 100}}, T0 + 100);
    r = a.report(T0 + 125);
    EXPECT_EQ(value(r, B + "jobs_running"), 1);
    EXPECT_EQ(value(r, B + "job_nodes"), 1);
}

TEST(ClusterAggregator, PartitionsComeFromJobEventsOfNodesAndJobs) {
    ClusterAggregator a(settings(), "lm1");
    a.on_job_event("n1", job_event("step_start", 5, "n1", "gpu"), T0);
    a.on_job_event("n2", job_event("step_start", 6, "n2", "cpu"), T0);
    a.on_job_event("n3", job_event("step_start", 6, "n3", "cpu"), T0);
    a.observe(sample("n1", T0, {90}, 20), T0);
    a.observe(sample("n2", T0, {10}, 40), T0);
    a.observe(sample("n3", T0, {30}, 60), T0);
    a.observe(sample("n4", T0, {50}, 80), T0);  // no job event: in no partition
    a.observe({{"jobs.5.n1.cpu.usage_percent", T0, 1}, {"jobs.6.n2.cpu.usage_percent", T0, 1},
               {"jobs.6.n3.cpu.usage_percent", T0, 1}},
              T0);
    Points r = a.report(T0 + 10);
    EXPECT_EQ(value(r, B + "nodes_reporting"), 4);
    EXPECT_EQ(value(r, B + "partition.gpu.nodes_reporting"), 1);
    EXPECT_EQ(value(r, B + "partition.gpu.cpu_percent_sum"), 90);
    EXPECT_EQ(value(r, B + "partition.gpu.jobs_running"), 1);
    EXPECT_EQ(value(r, B + "partition.cpu.nodes_reporting"), 2);
    EXPECT_EQ(value(r, B + "partition.cpu.cpu_percent_sum"), 40);
    EXPECT_EQ(value(r, B + "partition.cpu.cpu_percent_count"), 2);
    EXPECT_EQ(value(r, B + "partition.cpu.memory_percent_sum"), 100);
    EXPECT_EQ(value(r, B + "partition.cpu.jobs_running"), 1);
    EXPECT_EQ(value(r, B + "partitions_refused"), 0);

    // A node's partition is that of the last job it ran.
    a.on_job_event("n1", job_event("step_start", 7, "n1", "cpu"), T0 + 12);
    r = a.report(T0 + 20);
    EXPECT_EQ(value(r, B + "partition.cpu.nodes_reporting"), 3);
    EXPECT_EQ(value(r, B + "partition.gpu.nodes_reporting"), 0);  // its job 5 still runs there
    EXPECT_EQ(value(r, B + "partition.gpu.jobs_running"), 1);
}

TEST(ClusterAggregator, SumsOfSeveralLmastersGiveTheClusterFigures) {
    // Six nodes, agents spread over two lmasters; the dashboard's sumSeries(sum)/sumSeries(count).
    ClusterAggregator one(settings(), "lm1"), two(settings(), "lm2");
    const double cpu[] = {10, 20, 30, 40, 50, 90};
    const double mem[] = {15, 25, 35, 45, 55, 65};
    for (int i = 0; i < 6; ++i) {
        std::string host = "n" + std::to_string(i);
        (i % 3 == 0 ? one : two).observe(sample(host, T0, {cpu[i]}, mem[i]), T0);
        (i % 3 == 0 ? one : two).observe({{"jobs.42." + host + ".cpu.usage_percent", T0, 1}}, T0);
    }
    auto r1 = by_path(one.report(T0 + 10)), r2 = by_path(two.report(T0 + 10));
    auto both = [&](const std::string& f) {
        return r1.at("fructosa.cluster.lm1." + f) + r2.at("fructosa.cluster.lm2." + f);
    };
    EXPECT_EQ(both("nodes_reporting"), 6);
    EXPECT_DOUBLE_EQ(both("cpu_percent_sum") / both("cpu_percent_count"), 40);
    EXPECT_DOUBLE_EQ(both("memory_percent_sum") / both("memory_percent_count"), 40);
    EXPECT_EQ(both("cpu_percent_nodes.10") + both("cpu_percent_nodes.90"), 2);
    EXPECT_EQ(both("job_nodes"), 6);
    // jobs_running does not add up: the job on both lmasters counts twice.
    EXPECT_EQ(both("jobs_running"), 2);
}

TEST(ClusterAggregator, RatesOfCountersAndSumsOfLagentFigures) {
    ClusterAggregator a(settings(), "lm1");
    a.observe({{"n1.NetIOCounters.bytes_recv", T0, 1000}, {"n1.NetIOCounters.bytes_sent", T0, 0}}, T0);
    a.observe({{"n1.NetIOCounters.bytes_recv", T0 + 2, 3000}, {"n1.NetIOCounters.bytes_sent", T0 + 2, 400}}, T0 + 2);
    a.observe({{"n1.NetIOCounters.bytes_recv", T0 + 4, 7000}}, T0 + 4);  // 1000 B/s, then 2000 B/s
    a.observe({{"n2.NetIOCounters.bytes_recv", T0, 500}, {"n2.NetIOCounters.bytes_recv", T0 + 1, 100}}, T0 + 1);
    a.observe({{"fructosa.lagent.n1.points_queued", T0, 7}, {"fructosa.lagent.n2.points_queued", T0, 5},
               {"fructosa.lagent.n2.points_dropped", T0, 3}},
              T0 + 1);
    Points r = a.report(T0 + 10);
    EXPECT_EQ(value(r, B + "net_recv_bytes_per_s_sum"), 1500);
    EXPECT_EQ(value(r, B + "net_recv_bytes_per_s_count"), 1);  // n2's counter went back: no rate
    EXPECT_EQ(value(r, B + "net_sent_bytes_per_s_sum"), 200);
    EXPECT_EQ(value(r, B + "lagents.points_queued"), 12);
    EXPECT_EQ(value(r, B + "lagents.points_dropped"), 3);
}

TEST(ClusterAggregator, OtherFiguresOfTheTableAreReadFromTheirSeries) {
    ClusterAggregator a(settings(), "lm1");
    a.observe({{"n1.CPUTimesPercent.iowait", T0, 4},
               {"n1.CPUTimesPercent.user", T0, 50},  // not a figure
               {"n1.SwapMemory.percent", T0, 12},
               {"n1.DiskUsage.percent", T0, 70},
               {"n1.DiskUsage.scratch.percent", T0, 10},  // a second path: not the node's root
               {"n1.GPU.0.util_percent", T0, 40},
               {"n1.GPU.1_mig0.util_percent", T0, 20},
               {"n1.GPU.0.memory_used", T0, 1e9}},
              T0);
    Points r = a.report(T0 + 10);
    EXPECT_EQ(value(r, B + "iowait_percent_sum"), 4);
    EXPECT_EQ(value(r, B + "swap_percent_sum"), 12);
    EXPECT_EQ(value(r, B + "disk_percent_sum"), 70);
    EXPECT_EQ(value(r, B + "gpu_util_percent_sum"), 30);
    EXPECT_EQ(value(r, B + "gpu_util_percent_count"), 1);
    EXPECT_EQ(value(r, B + "cpu_percent_count"), 0);
}

TEST(ClusterAggregator, OwnSeriesLatePointsAndNodesBeyondTheBoundAreNotAggregated) {
    ClusterAggregator a(settings(2), "lm1");
    a.observe({{"fructosa.lmaster.lm1.points_in", T0, 5}, {"fructosa.cluster.lm1.nodes_reporting", T0, 9},
               {"fructosa.perad.jobs.4.class.idle", T0, 1}, {"not a path", T0, 1}},
              T0);
    a.observe(sample("n1", T0 - 500, {50}, 50), T0);  // a replay from a spool
    EXPECT_EQ(a.stats().points_late, 2u);
    EXPECT_EQ(a.stats().nodes_tracked, 0u);
    a.observe(sample("n1", T0, {50}, 50), T0);
    a.observe(sample("n2", T0, {50}, 50), T0);
    a.observe(sample("n3", T0, {50}, 50), T0);  // beyond max nodes = 2
    Points r = a.report(T0 + 10);
    EXPECT_EQ(value(r, B + "nodes_reporting"), 2);
    EXPECT_EQ(value(r, B + "nodes_tracked"), 2);
    EXPECT_EQ(value(r, B + "points_over_max_nodes"), 2);
    EXPECT_EQ(value(r, B + "points_late"), 2);
    EXPECT_EQ(value(r, "n3.node.cpu_percent_mean"), std::nullopt);
}

TEST(ClusterAggregator, JobsPerNodeAreBounded) {
    ClusterAggregator a(settings(), "lm1");
    for (std::size_t j = 0; j < ClusterAggregator::kMaxJobsPerNode + 3; ++j)
        a.observe({{"jobs." + std::to_string(100 + j) + ".n1.cpu.usage_percent", T0, 1}}, T0);
    Points r = a.report(T0 + 10);
    EXPECT_EQ(value(r, B + "job_nodes"), static_cast<double>(ClusterAggregator::kMaxJobsPerNode));
    EXPECT_EQ(value(r, B + "job_nodes_refused"), 3);
}

TEST(ClusterAggregator, ABadJobEventIsIgnored) {
    ClusterAggregator a(settings(), "lm1");
    a.on_job_event("n1", "{not json", T0);
    a.on_job_event("n1", R"({"type":"job_end"})", T0);
    EXPECT_EQ(a.stats().nodes_tracked, 0u);
}

TEST(AggregatingSink, PassesEveryPointOnAndObservesIt) {
    boost::asio::io_context io;
    auto inner = std::make_unique<test_support::RecordingSink>();
    auto* recorded = inner.get();
    AggregatingSink sink(io, std::move(inner), ClusterAggregator(settings(), "lm1"));
    double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    sink.offer(sample("n1", now, {10, 20}, 30));
    sink.on_job_event("n1", job_event("step_start", 3, "n1", "batch"));
    EXPECT_EQ(recorded->points().size(), 3u);
    EXPECT_EQ(sink.aggregator().stats().nodes_tracked, 1u);
}
