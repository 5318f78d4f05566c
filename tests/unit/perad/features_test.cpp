#include "perad/features.h"
#include "perad/classifier.h"

#include <cmath>

#include <gtest/gtest.h>

#include "tests/unit/common/registry/registry_test_util.h"

namespace fructosa {
namespace {

using json = nlohmann::json;

NodeRecord node(const std::string& host, double cpus, std::uint64_t mem_mb, json summary) {
    NodeRecord n;
    n.host = host;
    n.cpus = cpus;
    n.mem_mb = mem_mb;
    n.ended = true;
    n.summary = std::move(summary);
    return n;
}

JobRecord job(std::vector<NodeRecord> nodes, double start = 1000, double end = 4600) {
    JobRecord r;
    r.info.job_id = 1;
    r.info.status = "finished";
    r.info.start_time = start;
    r.info.end_time = end;
    r.info.nnodes = static_cast<std::uint32_t>(nodes.size());
    r.nodes = std::move(nodes);
    return r;
}

TEST(Features, CpuEfficiencyTable) {
    struct Case {
        double cpus, cpu_seconds, elapsed, expected_eff, expected_cores;
    };
    const Case cases[] = {
        {16, 3600, 3600, 1.0 / 16, 1.0},  // serial on 16 cores
        {4, 4 * 3600, 3600, 1.0, 4.0},     // full use
        {4, 0, 3600, 0.0, 0.0},
        {2, 3 * 100, 100, 1.5, 3.0},      // more than allocated
    };
    for (const auto& c : cases) {
        auto f = compute_features(job({node("n1", c.cpus, 1000, test::summary(0, 0, c.cpus, c.cpu_seconds))}, 0, c.elapsed));
        ASSERT_TRUE(f.cpu_efficiency);
        EXPECT_NEAR(*f.cpu_efficiency, c.expected_eff, 1e-12);
        EXPECT_NEAR(*f.mean_cores_used, c.expected_cores, 1e-12);
        EXPECT_NEAR(*f.allocated_core_s, c.cpus * c.elapsed, 1e-9);
        EXPECT_NEAR(*f.nodes[0].cpu_efficiency, c.expected_eff, 1e-12);
    }
}

TEST(Features, PerNodeAndOverall) {
    auto f = compute_features(job({node("n1", 8, 8000, test::summary(1000, 4600, 8, 8 * 3600 * 0.9, 0.0, 6000)),
                                   node("n2", 8, 8000, test::summary(1000, 4600, 8, 8 * 3600 * 0.1, 0.8, 2000))}));
    EXPECT_EQ(f.nodes_reported, 2u);
    EXPECT_DOUBLE_EQ(*f.elapsed_s, 3600);
    EXPECT_DOUBLE_EQ(f.allocated_cpus, 16);
    EXPECT_NEAR(*f.cpu_efficiency, 0.5, 1e-12);
    EXPECT_NEAR(*f.nodes[0].cpu_efficiency, 0.9, 1e-12);
    EXPECT_NEAR(*f.nodes[1].cpu_efficiency, 0.1, 1e-12);
    EXPECT_NEAR(*f.idle_fraction, 0.4, 1e-12);  // equal interval counts
    EXPECT_NEAR(*f.imbalance_cv, 0.8, 1e-12);     // sd 0.4 / mean 0.5
    EXPECT_NEAR(*f.imbalance_max_min, 9, 1e-9);
    EXPECT_EQ(f.busiest_node, "n1");
    EXPECT_EQ(f.idlest_node, "n2");
    EXPECT_NEAR(*f.memory_peak_fraction, 0.75, 1e-12);
    EXPECT_EQ(*f.memory_peak_bytes, 6000ull * 1048576);
}

TEST(Features, IdleFractionWeightedByIntervals) {
    auto s1 = test::summary(0, 100, 1, 10, 1.0);
    s1["intervals"] = 30;
    auto s2 = test::summary(0, 100, 1, 10, 0.0);
    s2["intervals"] = 10;
    s1.erase("idle_threshold_percent");
    s2.erase("idle_threshold_percent");
    auto f = compute_features(job({node("a", 1, 0, s1), node("b", 1, 0, s2)}, 0, 100));
    EXPECT_NEAR(*f.idle_fraction, 0.75, 1e-12);
    EXPECT_FALSE(f.idle_threshold_percent);  // not in these summaries: not said
    s1["idle_threshold_percent"] = 5.0;
    s2["idle_threshold_percent"] = 10.0;
    f = compute_features(job({node("a", 1, 0, s1), node("b", 1, 0, s2)}, 0, 100));
    EXPECT_EQ(f.idle_threshold_percent, 10.0);  // what "idle" meant on the node that counted most loosely
}

TEST(Features, IoMemoryPressureWalltimeAndTail) {
    json s = test::summary(0, 1000, 2, 1000);
    s["io_read_bytes"] = 600 * 1048576;
    s["io_write_bytes"] = 400 * 1048576;
    s["oom_kills"] = 2;
    s["limit_hits"] = 5;
    s["swap_max_bytes"] = 1048576;
    s["last_busy_time"] = 700;
    s["gpu_util_mean_percent"] = 40;
    JobRecord r = job({node("n1", 2, 1000, s), node("n2", 2, 1000, s)}, 0, 1000);
    r.info.time_limit_s = 4000;
    r.info.gpus = 2;
    auto f = compute_features(r);
    EXPECT_EQ(*f.io_read_bytes, 1200ull * 1048576);
    EXPECT_NEAR(*f.io_rate_bytes_per_s, 2000.0 * 1048576 / 1000, 1e-6);
    EXPECT_EQ(*f.oom_kills, 4u);
    EXPECT_EQ(*f.limit_hits, 10u);
    EXPECT_EQ(*f.swap_max_bytes, 1048576u);
    EXPECT_NEAR(*f.walltime_fraction, 0.25, 1e-12);
    EXPECT_NEAR(*f.idle_tail_s, 300, 1e-9);
    EXPECT_NEAR(*f.gpu_util_percent, 40, 1e-12);
}

TEST(Features, GpuKeysOfTheSummaries) {
    json a = test::summary(0, 1000, 2, 1000);
    a["gpu_ids"] = {"0", "1"};
    a["gpu_util_mean_percent"] = 10;
    a["gpu_util_max_percent"] = 50;
    a["gpu_process_fraction"] = 0.9;
    a["gpu_memory_peak_bytes"] = 4000;
    a["gpu_memory_total_bytes"] = 80000;
    a["gpu_shared"] = false;
    json b = test::summary(0, 1000, 2, 1000);
    b["gpu_ids"] = {"0"};
    b["gpu_util_mean_percent"] = 30;
    b["gpu_util_max_percent"] = 90;
    b["gpu_process_fraction"] = 0.25;
    b["gpu_memory_peak_bytes"] = 8000;
    b["gpu_memory_total_bytes"] = 16000;
    b["gpu_shared"] = true;
    JobRecord r = job({node("n1", 2, 1000, a), node("n2", 2, 1000, b)}, 0, 1000);
    auto f = compute_features(r);
    EXPECT_EQ(f.gpus, 3u);  // Slurm's count unknown: the GPUs lagent found
    EXPECT_EQ(f.gpu_ids, (std::vector<std::string>{"n1:0", "n1:1", "n2:0"}));
    EXPECT_NEAR(*f.gpu_util_percent, 20, 1e-12);
    EXPECT_EQ(f.gpu_util_max_percent, 90);
    EXPECT_EQ(f.gpu_process_fraction, 0.25);  // the node that used its GPUs least
    EXPECT_EQ(f.gpu_memory_peak_bytes, 8000u);  // the node that filled its GPU most
    EXPECT_EQ(f.gpu_memory_total_bytes, 16000u);
    EXPECT_EQ(f.gpu_memory_fraction, 0.5);
    EXPECT_TRUE(f.gpu_shared);
    r.info.gpus = 4;
    EXPECT_EQ(compute_features(r).gpus, 4u);  // Slurm's count when it has one
}

TEST(Features, NoGpuKeysNoGpuFigures) {
    auto f = compute_features(job({node("n1", 2, 1000, test::summary(0, 1000, 2, 1000))}, 0, 1000));
    EXPECT_EQ(f.gpus, 0u);
    EXPECT_TRUE(f.gpu_ids.empty());
    EXPECT_FALSE(f.gpu_process_fraction);
    EXPECT_FALSE(f.gpu_memory_fraction);
    EXPECT_FALSE(f.to_json().contains("gpu_ids"));
    EXPECT_FALSE(f.to_json().contains("gpu_shared"));
}

TEST(Features, AnonymousMemoryStallRunQueueAndBusyTimes) {
    json a = test::summary(0, 1000, 2, 1000);
    a["memory_anon_peak_bytes"] = 900 * 1048576;
    a["memory_limit_bytes"] = 1000 * 1048576;
    a["limit_hits"] = 7;
    a["memory_pressure_stall_seconds"] = 50;
    a["runqueue_delay_mean_percent"] = 150;
    a["first_busy_time"] = 10;
    a["last_busy_time"] = 400;
    a["busy_intervals"] = 39;
    json b = test::summary(0, 1000, 2, 1000);
    b["memory_anon_peak_bytes"] = 100 * 1048576;  // no cgroup limit seen: the allocation (2000 MB) is the limit
    b["memory_pressure_stall_seconds"] = 200;
    b["runqueue_delay_seconds"] = 500;  // no mean: 500 s over 1000 s elapsed is 50%
    b["first_busy_time"] = 5;
    b["last_busy_time"] = 600;
    b["busy_intervals"] = 12;
    auto f = compute_features(job({node("n1", 2, 1000, a), node("n2", 2, 2000, b)}, 0, 1000));
    EXPECT_NEAR(*f.nodes[0].memory_anon_fraction, 0.9, 1e-12);
    EXPECT_EQ(*f.nodes[1].memory_limit_bytes, 2000ull * 1048576);
    EXPECT_NEAR(*f.nodes[1].memory_anon_fraction, 0.05, 1e-12);
    EXPECT_EQ(*f.nodes[0].limit_hits, 7u);
    EXPECT_EQ(*f.nodes[1].limit_hits, 0u);
    EXPECT_EQ(*f.memory_anon_peak_bytes, 900ull * 1048576);
    EXPECT_NEAR(*f.memory_anon_fraction, 0.9, 1e-12);
    EXPECT_NEAR(*f.memory_stall_s, 200, 1e-12);  // the node that stalled longest
    EXPECT_NEAR(*f.memory_stall_fraction, 0.2, 1e-12);
    EXPECT_NEAR(*f.nodes[0].runqueue_delay_percent, 150, 1e-12);
    EXPECT_NEAR(*f.nodes[1].runqueue_delay_percent, 50, 1e-12);
    EXPECT_NEAR(*f.runqueue_delay_percent, 200, 1e-12);
    EXPECT_DOUBLE_EQ(*f.first_busy_time, 5);
    EXPECT_DOUBLE_EQ(*f.last_busy_time, 600);  // the job as a whole stopped at 600
    EXPECT_EQ(*f.busy_intervals, 39u);          // the busiest node's
    EXPECT_NEAR(*f.idle_tail_s, 400, 1e-9);
    json j = f.to_json();
    EXPECT_EQ(j["busy_intervals"], 39);
    EXPECT_EQ(j["nodes"][1]["runqueue_delay_percent"], 50.0);
}

TEST(Features, UnknownStaysUnknown) {
    json s{{"samples", 0}, {"intervals", 0}, {"allocated_cpus", 4}};
    auto f = compute_features(job({node("n1", 4, 0, s)}, 0, 100));
    EXPECT_FALSE(f.used_core_s);
    EXPECT_FALSE(f.cpu_efficiency);
    EXPECT_FALSE(f.idle_fraction);
    EXPECT_FALSE(f.memory_peak_fraction);
    EXPECT_FALSE(f.oom_kills);
    EXPECT_FALSE(f.io_rate_bytes_per_s);
    EXPECT_FALSE(f.imbalance_cv);
    EXPECT_FALSE(f.walltime_fraction);
    EXPECT_FALSE(f.idle_tail_s);
    EXPECT_FALSE(f.gpu_util_percent);
    EXPECT_FALSE(f.memory_anon_fraction);
    EXPECT_FALSE(f.memory_stall_fraction);
    EXPECT_FALSE(f.runqueue_delay_percent);
    EXPECT_FALSE(f.busy_intervals);
    EXPECT_FALSE(f.last_busy_time);
    // A node that never reported is not idle allocation: the figures cover the others,
    // and the node is named as missing (so is one the registry lists as never heard of).
    JobRecord r = job({node("n1", 4, 0, test::summary(0, 100, 4, 400)), node("n2", 4, 0, nullptr)}, 0, 100);
    r.info.missing_nodes = "n2,n3";
    auto g = compute_features(r);
    EXPECT_EQ(g.nodes_reported, 1u);
    EXPECT_DOUBLE_EQ(g.allocated_cpus, 8);
    EXPECT_DOUBLE_EQ(*g.measured_cpus, 4);
    EXPECT_NEAR(*g.allocated_core_s, 400, 1e-9);
    EXPECT_NEAR(*g.cpu_efficiency, 1.0, 1e-12);
    EXPECT_EQ(g.missing_nodes, (std::vector<std::string>{"n2", "n3"}));
    EXPECT_FALSE(g.imbalance_cv);
    Verdict v = classify(g, Thresholds{});
    EXPECT_EQ(v.job_class, "efficient");
    EXPECT_EQ(v.recommendations["efficient"],
              "the job used what it asked for: nothing to change (n2, n3 never reported: the figures cover the "
              "other nodes only)");
    EXPECT_EQ(v.evidence["efficient"]["missing_nodes"], (json{"n2", "n3"}));
    // A reporting node that does not know its cores leaves the efficiency unknown.
    JobRecord h = job({node("n1", 4, 0, test::summary(0, 100, 4, 400)), node("n2", 0, 0, test::summary(0, 100, 1, 100))},
                      0, 100);
    h.nodes[1].summary.erase("allocated_cpus");
    auto u = compute_features(h);
    EXPECT_TRUE(u.used_core_s);
    EXPECT_FALSE(u.measured_cpus);
    EXPECT_FALSE(u.cpu_efficiency);
    EXPECT_FALSE(u.allocated_core_s);
}

TEST(Features, ElapsedFallsBackToSampleTimes) {
    JobRecord r = job({node("n1", 1, 0, test::summary(50, 250, 1, 100))});
    r.info.start_time.reset();
    r.info.end_time.reset();
    auto f = compute_features(r);
    EXPECT_DOUBLE_EQ(*f.elapsed_s, 200);
    EXPECT_NEAR(*f.cpu_efficiency, 0.5, 1e-12);
}

TEST(Features, SlurmsSpanAndAllocationAreTheJobs) {
    // A 2-core allocation whose one profiled srun step used 1 core for 100 of the job's 120 s.
    JobRecord r = job({node("n1", 1, 0, test::summary(1010, 1110, 1, 100))}, 1010, 1110);
    auto steps_only = compute_features(r);
    EXPECT_DOUBLE_EQ(*steps_only.elapsed_s, 100);
    EXPECT_NEAR(*steps_only.cpu_efficiency, 1.0, 1e-12);

    r.info.slurm_start_time = 1000;
    r.info.slurm_end_time = 1120;
    r.info.slurm_cpus_per_node = json{{"n1", 2}};
    auto f = compute_features(r);
    EXPECT_DOUBLE_EQ(*f.elapsed_s, 120);
    EXPECT_DOUBLE_EQ(f.allocated_cpus, 2);
    EXPECT_DOUBLE_EQ(f.nodes[0].cpus, 2);
    EXPECT_DOUBLE_EQ(*f.measured_cpus, 2);
    EXPECT_DOUBLE_EQ(*f.allocated_core_s, 240);
    EXPECT_NEAR(*f.cpu_efficiency, 100.0 / 240, 1e-12);
    EXPECT_NEAR(*f.nodes[0].cpu_efficiency, 100.0 / 240, 1e-12);
}

TEST(Features, SlurmsAllocationCountsNodesThatNeverReported) {
    // n1 reported under its full name; n2 was allocated 4 cores and never sent anything.
    JobRecord r = job({node("n1.cluster.example", 1, 0, test::summary(0, 100, 1, 50))}, 0, 100);
    r.info.slurm_cpus_per_node = json{{"n1", 2}, {"n2", 4}};
    auto f = compute_features(r);
    EXPECT_DOUBLE_EQ(f.nodes[0].cpus, 2);
    EXPECT_DOUBLE_EQ(f.allocated_cpus, 6);
    EXPECT_DOUBLE_EQ(*f.measured_cpus, 2);  // efficiency over the nodes that reported
    EXPECT_NEAR(*f.cpu_efficiency, 0.25, 1e-12);
    EXPECT_EQ(f.missing_nodes, std::vector<std::string>{"n2"});
    EXPECT_EQ(f.elapsed_s, 100.0);  // no Slurm span: the nodes' one
}

TEST(Features, SlurmSpanNeedsBothEnds) {
    JobRecord r = job({node("n1", 1, 0, test::summary(0, 100, 1, 50))}, 0, 100);
    r.info.slurm_start_time = 0;
    EXPECT_DOUBLE_EQ(*compute_features(r).elapsed_s, 100);
    r.info.slurm_start_time.reset();
    r.info.slurm_end_time = 500;
    EXPECT_DOUBLE_EQ(*compute_features(r).elapsed_s, 100);
}

}  // namespace
}  // namespace fructosa
