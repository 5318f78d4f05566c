// Adaptive sampling's policy as pure logic: the node's state in, intervals out.
#include "collector/sampling_policy.h"

#include <gtest/gtest.h>

using namespace fructosa;

namespace {

SamplingPolicyConfig adaptive() {
    SamplingPolicyConfig c;
    c.adaptive = true;
    c.host_min_interval_s = 1;
    c.host_max_interval_s = 60;
    c.load_change_per_minute = 0.5;
    c.memory_change_percent_per_minute = 5;
    c.idle_load = 0.1;
    c.job_fast_seconds = 60;
    c.job_fast_interval_s = 2;
    return c;
}

NodeState at(double t, double load, double mem) { return NodeState{t, load, mem}; }

}  // namespace

TEST(HostIntervalPolicy, OffKeepsTheConfiguredIntervalWhateverTheNodeDoes) {
    SamplingPolicyConfig off = adaptive();
    off.adaptive = false;
    HostIntervalPolicy p(off, 10);
    EXPECT_EQ(p.observe(at(0, 0, 10)), 10);
    EXPECT_EQ(p.observe(at(10, 8, 90)), 10);  // a storm
    EXPECT_EQ(p.observe(at(20, 0, 90)), 10);  // then idle
    EXPECT_EQ(p.factor(), 1);
}

TEST(HostIntervalPolicy, FirstObservationKeepsTheNormalInterval) {
    HostIntervalPolicy p(adaptive(), 10);
    EXPECT_EQ(p.interval(), 10);
    EXPECT_EQ(p.observe(at(100, 0.0, 20)), 10);  // nothing to compare with yet
}

TEST(HostIntervalPolicy, LoadChangingQuicklySamplesAtTheMinimum) {
    HostIntervalPolicy p(adaptive(), 10);
    p.observe(at(100, 1.0, 20));
    // +0.2 in 10 s = 1.2 per minute >= 0.5
    EXPECT_EQ(p.observe(at(110, 1.2, 20)), 1);
    EXPECT_EQ(p.factor(), 0.1);
    // +0.005 in 1 s = 0.3 per minute: steady and busy, back to normal
    EXPECT_EQ(p.observe(at(111, 1.205, 20)), 10);
    EXPECT_EQ(p.factor(), 1);
}

TEST(HostIntervalPolicy, LoadFallingCountsAsChangeToo) {
    HostIntervalPolicy p(adaptive(), 10);
    p.observe(at(100, 3.0, 20));
    EXPECT_EQ(p.observe(at(110, 2.0, 20)), 1);
}

TEST(HostIntervalPolicy, MemoryChangingQuicklySamplesAtTheMinimum) {
    HostIntervalPolicy p(adaptive(), 10);
    p.observe(at(100, 1.0, 20));
    // +1 % in 10 s = 6 % per minute >= 5
    EXPECT_EQ(p.observe(at(110, 1.0, 21)), 1);
    // +0.5 % in 10 s = 3 % per minute: steady
    EXPECT_EQ(p.observe(at(120, 1.0, 21.5)), 10);
}

TEST(HostIntervalPolicy, ChangeIsJudgedPerMinuteNotPerSample) {
    // The same +0.2 load over 60 s is 0.2 per minute: slow, not a reason to speed up.
    HostIntervalPolicy p(adaptive(), 10);
    p.observe(at(100, 1.0, 20));
    EXPECT_EQ(p.observe(at(160, 1.2, 20)), 10);
}

TEST(HostIntervalPolicy, IdleNodeBacksOffByDoublingUpToTheMaximum) {
    HostIntervalPolicy p(adaptive(), 10);
    double t = 100;
    p.observe(at(t, 0.02, 5));
    std::vector<double> got;
    for (int i = 0; i < 5; ++i) {
        t += p.interval();
        got.push_back(p.observe(at(t, 0.02, 5)));
    }
    EXPECT_EQ(got, (std::vector<double>{20, 40, 60, 60, 60}));
    EXPECT_EQ(p.factor(), 6);
    // A job starts: load and memory jump; straight to the minimum.
    t += 60;
    EXPECT_EQ(p.observe(at(t, 0.9, 30)), 1);
}

TEST(HostIntervalPolicy, BusyButSteadyNodeSamplesAtTheNormalInterval) {
    HostIntervalPolicy p(adaptive(), 10);
    p.observe(at(100, 4.0, 50));
    EXPECT_EQ(p.observe(at(110, 4.01, 50.1)), 10);
    EXPECT_EQ(p.observe(at(120, 4.0, 50.0)), 10);
}

TEST(HostIntervalPolicy, TheNormalIntervalIsKeptWithinTheBounds) {
    SamplingPolicyConfig c = adaptive();
    c.host_min_interval_s = 2;
    c.host_max_interval_s = 30;
    HostIntervalPolicy fast(c, 0.5);  // sensors configured at 0.5 s
    EXPECT_EQ(fast.interval(), 2);
    EXPECT_EQ(fast.factor(), 4);
    HostIntervalPolicy slow(c, 120);
    EXPECT_EQ(slow.interval(), 30);
    EXPECT_EQ(slow.factor(), 0.25);
}

TEST(HostIntervalPolicy, ATimeThatDoesNotMoveForwardChangesNothing) {
    HostIntervalPolicy p(adaptive(), 10);
    p.observe(at(100, 1.0, 20));
    EXPECT_EQ(p.observe(at(100, 5.0, 90)), 10);  // no elapsed time: no rate
    EXPECT_EQ(p.observe(at(90, 5.0, 90)), 10);   // clock stepped back: a new baseline
    EXPECT_EQ(p.observe(at(100, 5.0, 90)), 10);
}

TEST(JobSampleInterval, FastForTheFirstSecondsThenTheJobsOwn) {
    SamplingPolicyConfig c = adaptive();
    EXPECT_EQ(job_sample_interval(c, 10, 0), 2);
    EXPECT_EQ(job_sample_interval(c, 10, 59.9), 2);
    EXPECT_EQ(job_sample_interval(c, 10, 60), 10);
    EXPECT_EQ(job_sample_interval(c, 10, 3600), 10);
}

TEST(JobSampleInterval, NeverSlowerThanTheJobAskedFor) {
    SamplingPolicyConfig c = adaptive();
    EXPECT_EQ(job_sample_interval(c, 1, 0), 1);  // a job at 1 s is not slowed to the "fast" 2 s
}

TEST(JobSampleInterval, OffIsAlwaysTheJobsOwn) {
    SamplingPolicyConfig c = adaptive();
    c.adaptive = false;
    EXPECT_EQ(job_sample_interval(c, 10, 0), 10);
}

TEST(NodeState, FromLoadavgAndMeminfo) {
    auto s = node_state("0.52 0.40 0.30 1/123 4567\n",
                        "MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    250 kB\n", 42);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->time, 42);
    EXPECT_DOUBLE_EQ(s->load1, 0.52);
    EXPECT_DOUBLE_EQ(s->memory_used_percent, 75);
}

TEST(NodeState, UnreadableTextsGiveNothing) {
    const char* meminfo = "MemTotal: 1000 kB\nMemAvailable: 250 kB\n";
    EXPECT_FALSE(node_state("", meminfo, 1).has_value());
    EXPECT_FALSE(node_state("high 0.4 0.3\n", meminfo, 1).has_value());
    EXPECT_FALSE(node_state("0.5 0.4 0.3\n", "MemTotal: 1000 kB\n", 1).has_value());  // no MemAvailable
}
