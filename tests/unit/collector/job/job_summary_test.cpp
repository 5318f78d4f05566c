#include "collector/job/job_summary.h"

#include <gtest/gtest.h>

namespace fructosa {
namespace {

JobSample at(double time, std::uint64_t usage_ns, std::uint64_t memory) {
    JobSample s;
    s.present = true;
    s.time = time;
    s.cpu_usage_ns = usage_ns;
    s.cpu_user_s = static_cast<double>(usage_ns) / 1e9 * 0.75;
    s.cpu_system_s = static_cast<double>(usage_ns) / 1e9 * 0.25;
    s.memory_current = memory;
    return s;
}

/// 4 intervals: 10 s at 200 %, 10 s at 1 % (idle), 20 s at 100 %, 10 s at 0 % (idle).
std::vector<JobSample> run() {
    std::vector<JobSample> v = {at(100, 10'000'000'000, 1000), at(110, 30'000'000'000, 3000),
                                at(120, 30'100'000'000, 2000), at(140, 50'100'000'000, 5000),
                                at(150, 50'100'000'000, 4000)};
    v[0].memory_peak = 1200;
    v[4].memory_peak = 5000;
    v[1].memory_swap = 10;
    v[3].memory_swap = 40;
    v[4].memory_swap = 20;
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i].io_read_bytes = 1000 * (i + 1);
        v[i].io_write_bytes = 10 * i;
        v[i].io_read_ops = i;
        v[i].io_write_ops = 2 * i;
        v[i].memory_oom_kills = i >= 3 ? 1 : 0;
        v[i].memory_limit_hits = 5 + i;
        v[i].memory_limit = 8192;
    }
    return v;
}

TEST(JobSummary, WholeJobFromCgroupTotals) {
    JobSummaryAccumulator acc(4, CounterBase::cgroup_start);
    for (const auto& s : run()) acc.add(s);
    JobSummary sum = acc.summary();
    EXPECT_EQ(sum.samples, 5u);
    EXPECT_EQ(sum.intervals, 4u);
    EXPECT_DOUBLE_EQ(sum.first_time.value(), 100.0);
    EXPECT_DOUBLE_EQ(sum.last_time.value(), 150.0);
    EXPECT_DOUBLE_EQ(sum.cpu_seconds.value(), 50.1);  // the cgroup's whole total
    EXPECT_DOUBLE_EQ(sum.cpu_user_seconds.value(), 50.1 * 0.75);
    // time-weighted: 40.1 CPU seconds over 50 s
    EXPECT_DOUBLE_EQ(sum.cpu_usage_mean_percent.value(), 40.1 / 50.0 * 100.0);
    EXPECT_DOUBLE_EQ(sum.cpu_usage_max_percent.value(), 200.0);
    EXPECT_DOUBLE_EQ(sum.efficiency_percent.value(), 40.1 / 50.0 * 100.0 / 4.0);
    EXPECT_DOUBLE_EQ(sum.idle_fraction.value(), 0.5);  // 1 % and 0 % are below 5 %
    EXPECT_EQ(sum.memory_peak_bytes, 5000u);
    EXPECT_EQ(sum.memory_limit_bytes, 8192u);
    EXPECT_EQ(sum.swap_max_bytes, 40u);
    EXPECT_EQ(sum.oom_kills, 1u);
    EXPECT_EQ(sum.limit_hits, 9u);
    EXPECT_EQ(sum.io_read_bytes, 5000u);
    EXPECT_EQ(sum.io_write_bytes, 40u);
    EXPECT_EQ(sum.io_read_ops, 4u);
    EXPECT_EQ(sum.io_write_ops, 8u);
}

TEST(JobSummary, IdleThresholdIsAParameter) {
    JobSummaryAccumulator strict(4, CounterBase::cgroup_start, 0.5);
    JobSummaryAccumulator loose(4, CounterBase::cgroup_start, 150.0);
    for (const auto& s : run()) {
        strict.add(s);
        loose.add(s);
    }
    EXPECT_DOUBLE_EQ(strict.summary().idle_fraction.value(), 0.25);  // only the 0 % interval
    EXPECT_DOUBLE_EQ(loose.summary().idle_fraction.value(), 0.75);   // all but the 200 % one
}

TEST(JobSummary, StepWindowCountsFromItsFirstSample) {
    auto v = run();
    JobSummaryAccumulator step(4, CounterBase::first_sample);
    for (std::size_t i = 1; i < v.size(); ++i) step.add(v[i]);  // the step began at t=110
    JobSummary sum = step.summary();
    EXPECT_EQ(sum.samples, 4u);
    EXPECT_EQ(sum.intervals, 3u);
    EXPECT_DOUBLE_EQ(sum.cpu_seconds.value(), 20.1);
    EXPECT_NEAR(sum.cpu_system_seconds.value(), 20.1 * 0.25, 1e-9);
    EXPECT_DOUBLE_EQ(sum.cpu_usage_mean_percent.value(), 20.1 / 40.0 * 100.0);
    EXPECT_DOUBLE_EQ(sum.cpu_usage_max_percent.value(), 100.0);
    EXPECT_NEAR(sum.idle_fraction.value(), 2.0 / 3.0, 1e-12);
    EXPECT_EQ(sum.io_read_bytes, 3000u);
    EXPECT_EQ(sum.oom_kills, 1u);
    EXPECT_EQ(sum.limit_hits, 3u);
    EXPECT_EQ(sum.memory_peak_bytes, 5000u);
}

TEST(JobSummary, StepWindowIgnoresAnOlderKernelPeak) {
    // The job peaked at 9000 before this step; the step itself never went above 3000.
    JobSample a = at(0, 0, 2000), b = at(10, 0, 3000);
    a.memory_peak = 9000;
    b.memory_peak = 9000;
    JobSummaryAccumulator step(1, CounterBase::first_sample);
    step.add(a);
    step.add(b);
    EXPECT_EQ(step.summary().memory_peak_bytes, 3000u);
    JobSummaryAccumulator job(1, CounterBase::cgroup_start);
    job.add(a);
    job.add(b);
    EXPECT_EQ(job.summary().memory_peak_bytes, 9000u);
    // a kernel peak that rose inside the window counts: it happened during the step
    JobSample c = at(20, 0, 2500);
    c.memory_peak = 12000;
    step.add(c);
    EXPECT_EQ(step.summary().memory_peak_bytes, 12000u);
}

TEST(JobSummary, AbsentFiguresStayAbsentInJson) {
    JobSummaryAccumulator acc(2, CounterBase::cgroup_start);
    JobSample s;
    s.present = true;
    s.time = 5;
    s.memory_current = 100;
    acc.add(s);
    JobSample gone;  // a sample after the cgroup vanished is not counted
    gone.time = 6;
    acc.add(gone);
    JobSummary sum = acc.summary();
    EXPECT_EQ(sum.samples, 1u);
    EXPECT_FALSE(sum.cpu_seconds);
    EXPECT_FALSE(sum.cpu_usage_mean_percent);
    EXPECT_FALSE(sum.idle_fraction);
    EXPECT_FALSE(sum.swap_max_bytes);
    EXPECT_FALSE(sum.oom_kills);

    auto j = sum.to_json();
    EXPECT_EQ(j["samples"], 1);
    EXPECT_EQ(j["memory_peak_bytes"], 100);
    EXPECT_DOUBLE_EQ(j["first_time"].get<double>(), 5.0);
    EXPECT_DOUBLE_EQ(j["allocated_cpus"].get<double>(), 2.0);
    EXPECT_FALSE(j.contains("cpu_seconds"));
    EXPECT_FALSE(j.contains("idle_fraction"));
    EXPECT_FALSE(j.contains("oom_kills"));
    EXPECT_FALSE(j.contains("memory_limit_bytes"));
}

TEST(JobSummary, JsonCarriesTheFigures) {
    JobSummaryAccumulator acc(4, CounterBase::cgroup_start);
    for (const auto& s : run()) acc.add(s);
    auto j = acc.summary().to_json();
    EXPECT_DOUBLE_EQ(j["cpu_usage_max_percent"].get<double>(), 200.0);
    EXPECT_DOUBLE_EQ(j["idle_fraction"].get<double>(), 0.5);
    EXPECT_EQ(j["io_read_bytes"].get<std::uint64_t>(), 5000u);
    EXPECT_EQ(j["oom_kills"].get<std::uint64_t>(), 1u);
    EXPECT_DOUBLE_EQ(j["idle_threshold_percent"].get<double>(), 5.0);
    // round trip through text, as it travels to lmaster
    auto back = nlohmann::json::parse(j.dump());
    EXPECT_EQ(back, j);
}

/// run() with the signals perad reads: run-queue delay from the second sample on (no
/// thread listed at the first), anonymous memory, PSI memory stall totals, skipped threads.
std::vector<JobSample> run_with_signals() {
    auto v = run();
    const std::uint64_t delay_ns[] = {0, 1'000'000'000, 3'000'000'000, 7'000'000'000, 8'000'000'000};
    const std::uint64_t anon[] = {10, 50, 30, 70, 20};
    const std::uint64_t stall_us[] = {1'000'000, 1'500'000, 1'500'000, 4'000'000, 4'250'000};
    const std::uint64_t skipped[] = {0, 0, 3, 1, 0};
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i > 0) v[i].runqueue_delay_ns = delay_ns[i];
        v[i].memory_rss = anon[i];
        v[i].memory_pressure = PressureSample{0.5, 0.25, stall_us[i], 1};
        v[i].tasks_skipped = skipped[i];
    }
    return v;
}

TEST(JobSummary, SignalsForPeradOverTheWholeJob) {
    JobSummaryAccumulator acc(4, CounterBase::cgroup_start);
    for (const auto& s : run_with_signals()) acc.add(s);
    auto j = acc.summary().to_json();
    // busy (>= 5 %): 100-110 at 200 % and 120-140 at 100 %
    EXPECT_EQ(j["busy_intervals"].get<std::uint64_t>(), 2u);
    EXPECT_DOUBLE_EQ(j["first_busy_time"].get<double>(), 100.0);
    EXPECT_DOUBLE_EQ(j["last_busy_time"].get<double>(), 140.0);
    EXPECT_EQ(j["intervals"].get<std::uint64_t>(), 4u);
    // the job's total; the mean over the 40 s it was measured (7 s of waiting from 110 to 150)
    EXPECT_DOUBLE_EQ(j["runqueue_delay_seconds"].get<double>(), 8.0);
    EXPECT_DOUBLE_EQ(j["runqueue_delay_mean_percent"].get<double>(), 7.0 / 40.0 * 100.0);
    EXPECT_EQ(j["memory_anon_peak_bytes"].get<std::uint64_t>(), 70u);
    EXPECT_EQ(j["memory_limit_bytes"].get<std::uint64_t>(), 8192u);
    EXPECT_DOUBLE_EQ(j["memory_pressure_stall_seconds"].get<double>(), 4.25);
    EXPECT_EQ(j["tasks_skipped_max"].get<std::uint64_t>(), 3u);
}

TEST(JobSummary, SignalsForPeradOverAStep) {
    auto v = run_with_signals();
    JobSummaryAccumulator step(4, CounterBase::first_sample);
    for (std::size_t i = 1; i < v.size(); ++i) step.add(v[i]);  // 110 .. 150
    auto j = step.summary().to_json();
    EXPECT_EQ(j["busy_intervals"].get<std::uint64_t>(), 1u);  // 120-140
    EXPECT_DOUBLE_EQ(j["first_busy_time"].get<double>(), 120.0);
    EXPECT_DOUBLE_EQ(j["runqueue_delay_seconds"].get<double>(), 7.0);
    // runqueue_delay_seconds / (last_time - first_time) * 100
    EXPECT_DOUBLE_EQ(j["runqueue_delay_mean_percent"].get<double>(), 7.0 / 40.0 * 100.0);
    EXPECT_EQ(j["memory_anon_peak_bytes"].get<std::uint64_t>(), 70u);
    EXPECT_DOUBLE_EQ(j["memory_pressure_stall_seconds"].get<double>(), 2.75);
}

TEST(JobSummary, RunQueueDelayMissingFromTheFinalSampleKeepsItsLastValue) {
    auto v = run_with_signals();
    v[4].runqueue_delay_ns.reset();  // the task list was gone at teardown
    v[4].memory_pressure.reset();
    JobSummaryAccumulator acc(4, CounterBase::cgroup_start);
    for (const auto& s : v) acc.add(s);
    auto sum = acc.summary();
    EXPECT_DOUBLE_EQ(sum.runqueue_delay_seconds.value(), 7.0);
    EXPECT_DOUBLE_EQ(sum.runqueue_delay_mean_percent.value(), 6.0 / 40.0 * 100.0);
    EXPECT_DOUBLE_EQ(sum.memory_pressure_stall_seconds.value(), 4.0);
}

TEST(JobSummary, UnmeasuredSignalsAreAbsent) {
    JobSummaryAccumulator acc(4, CounterBase::cgroup_start);
    for (auto s : run()) {
        s.memory_limit.reset();
        acc.add(s);
    }
    auto j = acc.summary().to_json();
    for (const char* key : {"runqueue_delay_seconds", "runqueue_delay_mean_percent", "memory_anon_peak_bytes",
                            "memory_pressure_stall_seconds", "memory_limit_bytes", "tasks_skipped_max"})
        EXPECT_FALSE(j.contains(key)) << key;
    EXPECT_EQ(j["busy_intervals"].get<std::uint64_t>(), 2u);
    // one sample, no interval: nothing was busy, and no first_busy_time
    JobSummaryAccumulator one(4, CounterBase::cgroup_start);
    one.add(run()[0]);
    auto k = one.summary().to_json();
    EXPECT_EQ(k["busy_intervals"].get<std::uint64_t>(), 0u);
    EXPECT_FALSE(k.contains("first_busy_time"));
}

TEST(JobSummary, EmptyAccumulator) {
    JobSummaryAccumulator acc(4, CounterBase::first_sample);
    auto sum = acc.summary();
    EXPECT_EQ(sum.samples, 0u);
    EXPECT_FALSE(sum.first_time);
    EXPECT_EQ(sum.to_json()["samples"], 0);
}

}  // namespace
}  // namespace fructosa

TEST(JobSummaryTail, ACounterMissingFromTheFinalSampleKeepsItsLastValue) {
    // slurmstepd removed the cpuacct job directory before the memory one: the final
    // sample has memory but no CPU figures.
    fructosa::JobSummaryAccumulator acc(1, fructosa::CounterBase::cgroup_start);
    fructosa::JobSample a;
    a.present = true;
    a.time = 100;
    a.cpu_usage_ns = 1'000'000'000;
    a.memory_current = 10;
    fructosa::JobSample b = a;
    b.time = 101;
    b.cpu_usage_ns = 1'900'000'000;
    fructosa::JobSample tail;
    tail.present = true;
    tail.time = 101.5;
    tail.memory_current = 12;
    acc.add(a);
    acc.add(b);
    acc.add(tail);
    auto s = acc.summary();
    ASSERT_TRUE(s.cpu_seconds.has_value());
    EXPECT_DOUBLE_EQ(*s.cpu_seconds, 1.9);
    EXPECT_EQ(s.samples, 3u);
    EXPECT_EQ(s.memory_peak_bytes, 12u);
}

TEST(JobSummaryTail, LastBusyTimeIsTheEndOfTheLastBusyInterval) {
    fructosa::JobSummaryAccumulator acc(1, fructosa::CounterBase::cgroup_start, 5.0);
    std::uint64_t ns = 0;
    for (int t = 0; t <= 10; ++t) {
        fructosa::JobSample s;
        s.present = true;
        s.time = 100 + t;
        s.cpu_usage_ns = ns;
        acc.add(s);
        ns += t < 4 ? 1'000'000'000 : 1'000'000;  // busy for 4 s, then stalled
    }
    auto sum = acc.summary();
    ASSERT_TRUE(sum.last_busy_time.has_value());
    EXPECT_DOUBLE_EQ(*sum.last_busy_time, 104);
    EXPECT_DOUBLE_EQ(sum.to_json()["last_busy_time"].get<double>(), 104);
}
