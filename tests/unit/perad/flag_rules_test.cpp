// Every flag rule of flag_rules.cpp at, just below and just above its threshold.
#include <gtest/gtest.h>

#include "perad/rule.h"
#include "tests/unit/perad/rule_test_util.h"

namespace fructosa {
namespace {

using test::fires;
using test::healthy;
using test::kMB;
using test::Point;

TEST(Rules, MemoryOverrequested) {
    auto with_peak = [](double fraction, std::uint64_t mem_mb) {
        JobFeatures f = healthy();
        f.nodes[0].mem_mb = mem_mb;
        f.nodes[0].memory_peak_fraction = fraction;
        f.nodes[0].memory_peak_bytes = static_cast<std::uint64_t>(fraction * static_cast<double>(mem_mb) * kMB);
        return f;
    };
    for (Point p : {Point{0.24, true}, Point{0.25, false}, Point{0.26, false}})
        EXPECT_EQ(fires("memory-overrequested", with_peak(p.value, 64000)), p.expected) << p.value;
    // Unused memory at, below and above 1024 MB (peak 10% of the request).
    for (Point p : {Point{1137, false}, Point{1138, true}, Point{1200, true}}) {
        JobFeatures f = with_peak(0.1, static_cast<std::uint64_t>(p.value));
        EXPECT_EQ(fires("memory-overrequested", f), p.expected) << p.value;
    }
    auto found = find_rule("memory-overrequested")->evaluate(with_peak(0.1, 64000), Thresholds{});
    EXPECT_NE(found->recommendation.find("asked for 64000 MB per node, the peak was 6400 MB"), std::string::npos)
        << found->recommendation;
}

TEST(Rules, GpuUnused) {
    auto with_fraction = [](double fraction) {
        JobFeatures f = healthy();
        f.gpus = 1;
        f.gpu_process_fraction = fraction;
        return f;
    };
    for (Point p : {Point{0.49, true}, Point{0.5, false}, Point{0.51, false}})
        EXPECT_EQ(fires("gpu-unused", with_fraction(p.value)), p.expected) << p.value;
    JobFeatures f = with_fraction(0);
    f.gpus = 0;  // no GPU allocated: nothing held
    EXPECT_FALSE(fires("gpu-unused", f));
    EXPECT_FALSE(fires("gpu-unused", healthy()));  // not measured: silent
}

TEST(Rules, GpuMemoryOverrequested) {
    constexpr std::uint64_t kGB = 1ull << 30;
    auto with_peak = [&](double fraction, double total_gb) {
        JobFeatures f = healthy();
        f.gpus = 1;
        f.gpu_memory_total_bytes = static_cast<std::uint64_t>(total_gb * kGB);
        f.gpu_memory_peak_bytes = static_cast<std::uint64_t>(fraction * total_gb * kGB);
        f.gpu_memory_fraction = fraction;
        return f;
    };
    for (Point p : {Point{0.24, true}, Point{0.25, false}, Point{0.26, false}})
        EXPECT_EQ(fires("gpu-memory-overrequested", with_peak(p.value, 80)), p.expected) << p.value;
    // Unused GPU memory below, at and above 8 GB (peak 10% of the GPU).
    for (Point p : {Point{8.8, false}, Point{8.9, true}, Point{10, true}})
        EXPECT_EQ(fires("gpu-memory-overrequested", with_peak(0.1, p.value)), p.expected) << p.value;
    EXPECT_FALSE(fires("gpu-memory-overrequested", healthy()));  // not measured: silent
}

TEST(Rules, WalltimeOverrequested) {
    for (Point p : {Point{0.249, true}, Point{0.25, false}, Point{0.251, false}}) {
        JobFeatures f = healthy();
        f.time_limit_s = 3600 / p.value;
        f.walltime_fraction = p.value;
        EXPECT_EQ(fires("walltime-overrequested", f), p.expected) << p.value;
    }
    JobFeatures f = healthy();
    f.time_limit_s = 86400;
    f.walltime_fraction = 3600.0 / 86400;
    EXPECT_TRUE(fires("walltime-overrequested", f));
    f.exit_status = 2;  // a failed job says nothing about the time it needs
    EXPECT_FALSE(fires("walltime-overrequested", f));
}

TEST(Rules, SerialOnManyCores) {
    auto serial = [](double cpus, double used) {
        JobFeatures f = healthy();
        f.allocated_cpus = f.nodes[0].cpus = cpus;
        f.mean_cores_used = f.nodes[0].cores_used = used;
        return f;
    };
    for (Point p : {Point{3, false}, Point{4, true}, Point{5, true}})
        EXPECT_EQ(fires("serial-on-many-cores", serial(p.value, 1.0)), p.expected) << "cores " << p.value;
    for (Point p : {Point{1.19, true}, Point{1.2, true}, Point{1.21, false}})
        EXPECT_EQ(fires("serial-on-many-cores", serial(16, p.value)), p.expected) << "used " << p.value;
    auto found = find_rule("serial-on-many-cores")->evaluate(serial(16, 1.0), Thresholds{});
    EXPECT_EQ(found->recommendation,
              "asked for 16 cores, used 1.0 on average: the program ran serially; ask for 1 core or parallelise it");
}

TEST(Rules, Oversubscribed) {
    for (Point p : {Point{1.04, false}, Point{1.05, false}, Point{1.06, true}}) {
        JobFeatures f = healthy();
        f.nodes[0].cpu_efficiency = p.value;
        EXPECT_EQ(fires("oversubscribed", f), p.expected) << p.value;
    }
    JobFeatures f = healthy();
    f.ntasks = 5;  // 5 tasks on 4 cores
    EXPECT_TRUE(fires("oversubscribed", f));
    f.ntasks = 4;
    EXPECT_FALSE(fires("oversubscribed", f));
}

TEST(Rules, OversubscribedByRunQueueDelayPerCore) {
    // 4 cores: 200% of run-queue wait is 50% per core.
    for (Point p : {Point{196, false}, Point{200, true}, Point{204, true}}) {
        JobFeatures f = healthy();
        f.nodes[0].runqueue_delay_percent = p.value;
        EXPECT_EQ(fires("oversubscribed", f), p.expected) << p.value;
    }
    JobFeatures f = healthy();
    f.nodes[0].runqueue_delay_percent = 0;
    Thresholds zero;
    zero.oversubscribed_runqueue_percent = 0;
    EXPECT_FALSE(fires("oversubscribed", f, zero));  // no wait at all is never oversubscribed
    f.nodes[0].runqueue_delay_percent = 200;
    f.nodes[0].cores_used.reset();  // CPU time unknown: the cores wanted cannot be said
    EXPECT_FALSE(fires("oversubscribed", f));
}

TEST(Rules, OversubscribedNeverSuggestsTheCoresItHad) {
    JobFeatures f = healthy();  // 4 cores, 3.6 busy
    f.nodes[0].cores_used = 2.0;
    f.nodes[0].runqueue_delay_percent = 200;  // 2 + 2 = 4: no more cores would help
    auto found = find_rule("oversubscribed")->evaluate(f, Thresholds{});
    ASSERT_TRUE(found);
    EXPECT_EQ(found->recommendation,
              "asked for 4 cores and kept 2.0 busy with 2.0 threads on average waiting for a CPU: its threads took "
              "turns on the cores they were bound to; start no more threads or processes than cores "
              "(OMP_NUM_THREADS) and check their binding (--cpu-bind)");
    EXPECT_FALSE(found->evidence.contains("wanted_cpus"));
}

/// Busy for `busy` intervals, then idle for the last `tail` seconds of the job.
JobFeatures busy_then_idle(double tail, std::uint64_t busy = 100, double elapsed = 3600) {
    JobFeatures f = healthy();
    f.elapsed_s = elapsed;
    f.idle_tail_s = tail;
    f.last_busy_time = 1'700'000'000 + elapsed - tail;
    f.first_busy_time = 1'700'000'000;
    f.busy_intervals = busy;
    return f;
}

TEST(Rules, Stalled) {
    // Tail share at 0.2 of a 3600 s job (720 s, above the 600 s minimum).
    for (Point p : {Point{0.19, false}, Point{0.2, true}, Point{0.21, true}})
        EXPECT_EQ(fires("stalled", busy_then_idle(p.value * 3600)), p.expected) << "share " << p.value;
    // Tail length at 600 s of a 1000 s job (share above 0.2).
    for (Point p : {Point{599, false}, Point{600, true}, Point{601, true}})
        EXPECT_EQ(fires("stalled", busy_then_idle(p.value, 100, 1000)), p.expected) << "seconds " << p.value;
    // Busy before: at least 2 busy intervals (one is a start-up blip).
    for (Point p : {Point{0, false}, Point{1, false}, Point{2, true}, Point{3, true}})
        EXPECT_EQ(fires("stalled", busy_then_idle(3000, static_cast<std::uint64_t>(p.value))), p.expected)
            << "busy intervals " << p.value;
    EXPECT_FALSE(fires("stalled", healthy()));  // no last_busy_time: silent
    JobFeatures f = busy_then_idle(3000);
    f.busy_intervals.reset();  // an older lagent: busy before cannot be told from a blip
    EXPECT_FALSE(fires("stalled", f));
}

}  // namespace
}  // namespace fructosa
