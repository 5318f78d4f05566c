#include "collector/job/job_metrics.h"

#include <gtest/gtest.h>

#include <set>

namespace fructosa {
namespace {

std::optional<double> value(const Readings& r, const std::string& field) {
    for (const auto& x : r)
        if (x.field == field) return x.value;
    return std::nullopt;
}

std::set<std::string> fields(const Readings& r) {
    std::set<std::string> out;
    for (const auto& x : r) out.insert(x.field);
    return out;
}

JobSample cpu_sample(double time, std::uint64_t usage_ns) {
    JobSample s;
    s.present = true;
    s.time = time;
    s.cpu_usage_ns = usage_ns;
    return s;
}

JobSample full_sample(double time) {
    JobSample s = cpu_sample(time, 0);
    s.cpu_user_s = 1.5;
    s.cpu_system_s = 0.5;
    s.memory_current = 1000;
    s.memory_peak = 1500;
    s.memory_rss = 800;
    s.memory_cache = 200;
    s.memory_swap = 0;
    s.memory_limit = 4096;
    s.memory_limit_hits = 2;
    s.memory_oom_kills = 0;
    s.io_read_bytes = 100;
    s.io_write_bytes = 200;
    s.io_read_ops = 1;
    s.io_write_ops = 2;
    s.processes = 3;
    s.threads = 7;
    s.cpu_pressure = PressureSample{1.5, 0.5, 10, 5};
    s.memory_pressure = PressureSample{0.25, std::nullopt, 3, std::nullopt};
    s.io_pressure = PressureSample{2.0, 1.0, 30, 20};
    return s;
}

TEST(JobMetrics, RunQueueDelayPercentOfOneCore) {
    JobMetrics m(8);
    JobSample a = cpu_sample(100.0, 0), b = cpu_sample(110.0, 0), c = cpu_sample(110.1, 0);
    a.runqueue_delay_ns = 1'000'000'000;
    b.runqueue_delay_ns = 31'000'000'000;  // 30 thread-seconds waiting in 10 s: 3 threads on average
    c.runqueue_delay_ns = 32'000'000'000;
    EXPECT_FALSE(value(m.update(a), "cpu.runqueue_delay_percent"));  // no interval yet
    EXPECT_DOUBLE_EQ(value(m.update(b), "cpu.runqueue_delay_percent").value(), 300.0);
    EXPECT_FALSE(value(m.update(c), "cpu.runqueue_delay_percent"));  // under kMinRateInterval_s
    JobSample d = cpu_sample(120.0, 0);  // not measured this time
    EXPECT_FALSE(value(m.update(d), "cpu.runqueue_delay_percent"));
}

TEST(JobMetrics, UsagePercentOfOneCoreFromTwoSamples) {
    JobMetrics m(8);
    auto first = m.update(cpu_sample(100.0, 5'000'000'000));
    EXPECT_FALSE(value(first, "cpu.usage_percent"));  // no interval yet
    EXPECT_FALSE(value(first, "cpu.efficiency_percent"));
    // 40 CPU seconds in 10 s: 4 busy cores = 400 %, half of 8 allocated cpus.
    auto second = m.update(cpu_sample(110.0, 45'000'000'000));
    EXPECT_DOUBLE_EQ(value(second, "cpu.usage_percent").value(), 400.0);
    EXPECT_DOUBLE_EQ(value(second, "cpu.efficiency_percent").value(), 50.0);
    // 1.5 s over 0.5 s: 300 %
    auto third = m.update(cpu_sample(110.5, 46'500'000'000));
    EXPECT_DOUBLE_EQ(value(third, "cpu.usage_percent").value(), 300.0);
    EXPECT_DOUBLE_EQ(value(third, "cpu.efficiency_percent").value(), 37.5);
}

TEST(JobMetrics, EfficiencyCanExceedHundredAndNeedsCpus) {
    JobMetrics two(2);
    two.update(cpu_sample(0, 0));
    EXPECT_DOUBLE_EQ(value(two.update(cpu_sample(1, 3'000'000'000)), "cpu.efficiency_percent").value(), 150.0);

    JobMetrics unknown(0);
    unknown.update(cpu_sample(0, 0));
    auto r = unknown.update(cpu_sample(1, 1'000'000'000));
    EXPECT_DOUBLE_EQ(value(r, "cpu.usage_percent").value(), 100.0);
    EXPECT_FALSE(value(r, "cpu.efficiency_percent"));
}

TEST(JobMetrics, NoRateWhenTimeStandsStillOrCounterGoesBack) {
    JobMetrics m(1);
    m.update(cpu_sample(10, 5'000'000'000));
    EXPECT_FALSE(value(m.update(cpu_sample(10, 6'000'000'000)), "cpu.usage_percent"));
    EXPECT_FALSE(value(m.update(cpu_sample(20, 1'000'000'000)), "cpu.usage_percent"));
    EXPECT_DOUBLE_EQ(value(m.update(cpu_sample(30, 2'000'000'000)), "cpu.usage_percent").value(), 10.0);
}

TEST(JobMetrics, EveryFieldOfAFullSample) {
    JobMetrics m(4);
    m.update(full_sample(0));
    JobSample later = full_sample(2);
    later.cpu_usage_ns = 1'000'000'000;
    later.io_read_bytes = 300;
    later.io_write_bytes = 1200;
    auto r = m.update(later);
    const std::set<std::string> expected = {
        "cpu.user_seconds",       "cpu.system_seconds",     "cpu.usage_percent",       "cpu.efficiency_percent",
        "memory.current",         "memory.peak",            "memory.rss",              "memory.cache",
        "memory.swap",            "memory.limit",           "memory.limit_hits",       "memory.oom_kills",
        "io.read_bytes",          "io.write_bytes",         "io.read_ops",             "io.write_ops",
        "io.read_bytes_per_s",    "io.write_bytes_per_s",   "tasks.processes",         "tasks.threads",
        "pressure.cpu.some_avg10", "pressure.cpu.full_avg10", "pressure.memory.some_avg10",
        "pressure.io.some_avg10", "pressure.io.full_avg10"};
    EXPECT_EQ(fields(r), expected);
    EXPECT_EQ(r.size(), expected.size());  // each once
    EXPECT_DOUBLE_EQ(value(r, "cpu.usage_percent").value(), 50.0);
    EXPECT_DOUBLE_EQ(value(r, "cpu.efficiency_percent").value(), 12.5);
    EXPECT_DOUBLE_EQ(value(r, "io.read_bytes_per_s").value(), 100.0);
    EXPECT_DOUBLE_EQ(value(r, "io.write_bytes_per_s").value(), 500.0);
    EXPECT_DOUBLE_EQ(value(r, "memory.limit").value(), 4096.0);
    EXPECT_DOUBLE_EQ(value(r, "memory.swap").value(), 0.0);
    EXPECT_DOUBLE_EQ(value(r, "tasks.threads").value(), 7.0);
    EXPECT_DOUBLE_EQ(value(r, "pressure.io.full_avg10").value(), 1.0);
}

TEST(JobMetrics, AbsentSourcesEmitNoField) {
    JobMetrics m(4);
    JobSample s;
    s.present = true;
    s.time = 1;
    s.memory_current = 10;
    auto r = m.update(s);
    // only what was read, plus the peak derived from it
    EXPECT_EQ(fields(r), (std::set<std::string>{"memory.current", "memory.peak"}));

    JobSample unlimited = s;
    unlimited.time = 2;
    unlimited.memory_limit = kMemoryUnlimited;
    EXPECT_FALSE(value(m.update(unlimited), "memory.limit"));  // no limit is not a number
}

TEST(JobMetrics, PeakIsMaxOfKernelPeakAndEveryCurrent) {
    JobMetrics m(1);
    JobSample s;
    s.present = true;
    s.memory_current = 100;
    s.memory_peak = 150;
    EXPECT_DOUBLE_EQ(value(m.update(s), "memory.peak").value(), 150.0);
    s.time = 1;
    s.memory_current = 400;  // above the kernel's mark (v1 max_usage reset, or v2 without memory.peak)
    EXPECT_DOUBLE_EQ(value(m.update(s), "memory.peak").value(), 400.0);
    s.time = 2;
    s.memory_current = 50;
    EXPECT_DOUBLE_EQ(value(m.update(s), "memory.peak").value(), 400.0);
    EXPECT_EQ(m.memory_peak(), 400u);
}

TEST(JobMetrics, VanishedCgroupGivesNothingAndKeepsThePrevious) {
    JobMetrics m(1);
    m.update(cpu_sample(0, 0));
    JobSample gone;
    gone.time = 5;
    EXPECT_TRUE(m.update(gone).empty());
    EXPECT_DOUBLE_EQ(value(m.update(cpu_sample(10, 1'000'000'000)), "cpu.usage_percent").value(), 10.0);
}

}  // namespace
}  // namespace fructosa

TEST(JobMetricsRate, NoRateOverAFewMilliseconds) {
    fructosa::JobSample a, b;
    a.present = b.present = true;
    a.time = 100;
    b.time = 100.02;  // the final sample, 20 ms after a timer sample
    a.cpu_usage_ns = 0;
    b.cpu_usage_ns = 24'000'000;  // one 4 ms tick too many would read as 120 %
    EXPECT_FALSE(fructosa::interval_usage_percent(a, b).has_value());
    b.time = 100.5;
    ASSERT_TRUE(fructosa::interval_usage_percent(a, b).has_value());
    EXPECT_NEAR(*fructosa::interval_usage_percent(a, b), 4.8, 1e-9);
}
