// The per-job energy estimate: the job's share of the node's package energy by CPU time,
// of its DRAM energy by memory in use, in the interval figures, the summary and its JSON.
#include "collector/job/job_energy.h"

#include <gtest/gtest.h>

#include "collector/job/job_metrics.h"
#include "collector/job/job_summary.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

namespace fructosa {
namespace {

/// A job sample at `time` with `cpu_s` of job CPU and `memory` bytes, and the node's
/// totals then: package and DRAM joules, busy CPU seconds, memory in use.
JobSample at(double time, double cpu_s, std::uint64_t memory, std::optional<double> package,
             std::optional<double> dram, double node_cpu_s, std::uint64_t node_memory) {
    JobSample s;
    s.present = true;
    s.time = time;
    s.cpu_usage_ns = static_cast<std::uint64_t>(cpu_s * 1e9);
    s.memory_current = memory;
    s.node_energy = NodeEnergySample{.package_joules = package,
                                     .dram_joules = dram,
                                     .cpu_seconds = node_cpu_s,
                                     .memory_used_bytes = node_memory};
    return s;
}

}  // namespace

TEST(JobEnergy, CpuShareOfPackageAndMemoryShareOfDram) {
    // 10 s: the job used 20 of the node's 80 busy CPU seconds (1/4) while the packages
    // took 1000 J; it held 2 then 4 GiB of 12 GiB in use (mean 3 of 12: 1/4) while DRAM took 80 J.
    auto a = at(100, 5, 2ull << 30, 5000, 300, 1000, 12ull << 30);
    auto b = at(110, 25, 4ull << 30, 6000, 380, 1080, 12ull << 30);
    IntervalEnergy e = interval_energy(a, b);
    EXPECT_EQ(e.cpu_joules, 250.0);
    EXPECT_EQ(e.dram_joules, 20.0);
}

TEST(JobEnergy, ShareIsAtMostTheWholeAndZeroWhenTheNodeWasIdle) {
    // /proc/stat ticks are coarser than the cgroup's nanoseconds: more than the node is all of it.
    auto a = at(100, 0, 1000, 0, 0, 1000, 500);
    auto b = at(110, 10.5, 1000, 100, 10, 1010, 500);
    IntervalEnergy e = interval_energy(a, b);
    EXPECT_EQ(e.cpu_joules, 100.0);
    EXPECT_EQ(e.dram_joules, 10.0);
    auto idle = at(120, 10.5, 1000, 150, 10, 1010, 500);
    EXPECT_EQ(interval_energy(b, idle).cpu_joules, 0.0);  // measured: the job used no CPU
}

TEST(JobEnergy, NothingWithoutFiguresNeverZero) {
    auto a = at(100, 5, 1000, std::nullopt, 300, 1000, 5000);
    auto b = at(110, 25, 1000, std::nullopt, 380, 1080, 5000);
    IntervalEnergy e = interval_energy(a, b);
    EXPECT_EQ(e.cpu_joules, std::nullopt);  // no package zone readable
    EXPECT_EQ(e.dram_joules, 16.0);

    JobSample plain = b;
    plain.node_energy.reset();  // no Energy sensor
    EXPECT_EQ(interval_energy(a, plain).cpu_joules, std::nullopt);
    EXPECT_EQ(interval_energy(a, plain).dram_joules, std::nullopt);

    JobSample restarted = at(110, 25, 1000, 10, 1, 1080, 5000);  // totals went back: lagent restarted
    EXPECT_EQ(interval_energy(a, restarted).dram_joules, std::nullopt);
}

TEST(JobEnergy, NodeSampleReadsProcStatAndMeminfo) {
    test::TempTree t;
    t.write("/proc/stat", "cpu  1000 100 200 9000 50 30 20 7 0 0\ncpu0 1000 100 200 9000 50 30 20 7 0 0\n")
        .write("/proc/meminfo", "MemTotal:       16000000 kB\nMemFree:         4000000 kB\n");
    auto n = node_energy_sample(t.reader(), {.package_joules = 12.5, .dram_joules = 3});
    ASSERT_TRUE(n);
    EXPECT_EQ(n->package_joules, 12.5);
    EXPECT_EQ(n->dram_joules, 3.0);
    // user + nice + system + irq + softirq, not idle, iowait or steal
    EXPECT_DOUBLE_EQ(*n->cpu_seconds, 1350 / sensors::clock_ticks_per_second());
    EXPECT_EQ(n->memory_used_bytes, 12000000ull * 1024);

    EXPECT_EQ(node_energy_sample(t.reader(), {}), std::nullopt);  // nothing measured, nothing read
}

TEST(JobEnergy, SummaryAddsTheIntervalsAndTheTotal) {
    JobSummaryAccumulator acc(4, CounterBase::cgroup_start);
    acc.add(at(100, 5, 2ull << 30, 5000, 300, 1000, 12ull << 30));
    acc.add(at(110, 25, 4ull << 30, 6000, 380, 1080, 12ull << 30));   // 250 J + 20 J
    acc.add(at(120, 35, 3ull << 30, 6500, 400, 1100, 12ull << 30));   // 500 * 10/20 = 250 J, 20 * 3.5/12 J
    JobSummary s = acc.summary();
    EXPECT_DOUBLE_EQ(*s.energy_cpu_joules, 500.0);
    EXPECT_DOUBLE_EQ(*s.energy_dram_joules, 20.0 + 20.0 * 3.5 / 12);
    auto j = s.to_json();
    EXPECT_DOUBLE_EQ(j.at("energy_cpu_joules").get<double>(), 500.0);
    EXPECT_DOUBLE_EQ(j.at("energy_joules").get<double>(), 500.0 + 20.0 + 20.0 * 3.5 / 12);
}

TEST(JobEnergy, SummaryWithoutEnergyHasNoEnergyKeys) {
    JobSummaryAccumulator acc(4, CounterBase::cgroup_start);
    auto a = at(100, 5, 1000, 0, 0, 1000, 5000);
    auto b = at(110, 25, 1000, 0, 0, 1080, 5000);
    a.node_energy.reset();
    b.node_energy.reset();
    acc.add(a);
    acc.add(b);
    auto j = acc.summary().to_json();
    for (const char* key : {"energy_cpu_joules", "energy_dram_joules", "energy_joules"})
        EXPECT_FALSE(j.contains(key)) << key;
}

TEST(JobEnergy, TotalIncludesTheGpusAndIsRemovedWhenNothingWasMeasured) {
    nlohmann::json j = {{"energy_cpu_joules", 100.0}, {"energy_dram_joules", 5.0}, {"gpu_energy_joules", 900.0}};
    add_energy_total(j);
    EXPECT_EQ(j.at("energy_joules"), 1005.0);
    nlohmann::json gpu_only = {{"gpu_energy_joules", 900.0}};
    add_energy_total(gpu_only);
    EXPECT_EQ(gpu_only.at("energy_joules"), 900.0);
    nlohmann::json none = {{"samples", 3}, {"energy_joules", 7.0}};
    add_energy_total(none);
    EXPECT_FALSE(none.contains("energy_joules"));
}

TEST(JobEnergy, MetricsGiveTheJobsWattsOverTheInterval) {
    JobMetrics m(4);
    auto first = m.update(at(100, 5, 2ull << 30, 5000, 300, 1000, 12ull << 30));
    EXPECT_FALSE(test::has(first, "energy.watts"));
    auto second = m.update(at(110, 25, 4ull << 30, 6000, 380, 1080, 12ull << 30));
    EXPECT_DOUBLE_EQ(test::at(second, "energy.watts"), 27.0);  // (250 + 20) J in 10 s
}

}  // namespace fructosa
