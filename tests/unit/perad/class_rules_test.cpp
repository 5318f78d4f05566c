// Every class rule of class_rules.cpp at, just below and just above its threshold, and
// the helpers it defines for all rules (format_duration, failed_slurm_state).
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "perad/classifier.h"
#include "perad/rule.h"
#include "tests/unit/perad/rule_test_util.h"

namespace fructosa {
namespace {

using test::fires;
using test::healthy;
using test::kMB;
using test::Point;

TEST(Rules, Failed) {
    JobFeatures f = healthy();
    EXPECT_FALSE(fires("failed", f));
    f.exit_status = 1;
    EXPECT_TRUE(fires("failed", f));
    f.exit_status = 0;
    for (const char* state : {"FAILED", "OUT_OF_MEMORY", "TIMEOUT", "NODE_FAIL", "CANCELLED by 1000", "preempted"}) {
        f.slurm_state = state;
        EXPECT_TRUE(fires("failed", f)) << state;
    }
    for (const char* state : {"COMPLETED", "RUNNING"}) {
        f.slurm_state = state;
        EXPECT_FALSE(fires("failed", f)) << state;
    }
    f.slurm_state = "TIMEOUT";
    f.time_limit_s = 7200;
    auto found = find_rule("failed")->evaluate(f, Thresholds{});
    EXPECT_EQ(found->evidence["slurm_state"], "TIMEOUT");
    EXPECT_NE(found->recommendation.find("time limit of 2:00:00"), std::string::npos) << found->recommendation;
    Thresholds only_failed;
    only_failed.failed_states = {"FAILED"};
    EXPECT_FALSE(fires("failed", f, only_failed));
}

TEST(Rules, TooShortBelowSixtySeconds) {
    for (Point p : {Point{59.9, true}, Point{60, false}, Point{60.1, false}}) {
        JobFeatures f = healthy();
        f.elapsed_s = p.value;
        EXPECT_EQ(fires("too-short", f), p.expected) << p.value;
    }
}

TEST(Rules, NoDataWhenNoCpuFigures) {
    JobFeatures f = healthy();
    EXPECT_FALSE(fires("no-data", f));
    f.used_core_s.reset();
    EXPECT_TRUE(fires("no-data", f));
    EXPECT_EQ(classify(f, Thresholds{}).job_class, "no-data");
}

TEST(Rules, MemoryPressure) {
    Thresholds t;
    t.pressure_min_oom_kills = 2;
    t.pressure_min_limit_hits = 5;
    t.pressure_min_swap_mb = 100;
    t.pressure_min_stall_fraction = 0.1;
    for (Point p : {Point{1, false}, Point{2, true}, Point{3, true}}) {
        JobFeatures f = healthy();
        f.oom_kills = static_cast<std::uint64_t>(p.value);
        EXPECT_EQ(fires("memory-pressure", f, t), p.expected) << "oom " << p.value;
    }
    // Limit hits count on a node whose anonymous memory reached 90% of its limit.
    for (Point p : {Point{4, false}, Point{5, true}, Point{6, true}}) {
        JobFeatures f = healthy();
        f.limit_hits = f.nodes[0].limit_hits = static_cast<std::uint64_t>(p.value);
        f.nodes[0].memory_anon_fraction = 0.95;
        EXPECT_EQ(fires("memory-pressure", f, t), p.expected) << "hits " << p.value;
    }
    for (Point p : {Point{0.89, false}, Point{0.9, true}, Point{0.91, true}}) {
        JobFeatures f = healthy();
        f.limit_hits = f.nodes[0].limit_hits = 50;
        f.nodes[0].memory_anon_fraction = p.value;
        EXPECT_EQ(fires("memory-pressure", f), p.expected) << "anonymous share " << p.value;
    }
    for (Point p : {Point{99, false}, Point{100, true}, Point{101, true}}) {
        JobFeatures f = healthy();
        f.swap_max_bytes = static_cast<std::uint64_t>(p.value * kMB);
        EXPECT_EQ(fires("memory-pressure", f, t), p.expected) << "swap " << p.value;
    }
    for (Point p : {Point{0.09, false}, Point{0.1, true}, Point{0.11, true}}) {
        JobFeatures f = healthy();
        f.memory_stall_fraction = p.value;
        EXPECT_EQ(fires("memory-pressure", f, t), p.expected) << "stall " << p.value;
    }
    JobFeatures f = healthy();
    f.oom_kills = 1;
    EXPECT_TRUE(fires("memory-pressure", f));  // default: any OOM kill
    f.oom_kills.reset();
    EXPECT_FALSE(fires("memory-pressure", f));  // unknown is not pressure
}

TEST(Rules, MemoryPressureEvidenceNamesTheSignals) {
    JobFeatures f = healthy();
    f.limit_hits = f.nodes[0].limit_hits = 40;  // anonymous memory not measured
    EXPECT_FALSE(fires("memory-pressure", f));
    f.swap_max_bytes = static_cast<std::uint64_t>(200 * kMB);
    f.memory_stall_fraction = 0.25;
    auto found = find_rule("memory-pressure")->evaluate(f, Thresholds{});
    ASSERT_TRUE(found);
    EXPECT_EQ(found->evidence["signals"], (nlohmann::json{"swap", "memory_stall"}));
    EXPECT_EQ(found->evidence["limit_hits_counted"], 0);
    EXPECT_EQ(found->evidence["limit_hits_not_judged"],
              "40 limit hits on nodes whose anonymous memory was not measured: limit hits alone are not counted "
              "as pressure");
    EXPECT_EQ(found->recommendation,
              "memory ran short (200 MB swapped, stalled on memory 25% of the time, peak 3072 MB of 4096 MB "
              "requested): ask for more memory (--mem) or reduce what the program holds at once");
    f.nodes[0].memory_anon_fraction = 0.3;  // page cache at the limit
    found = find_rule("memory-pressure")->evaluate(f, Thresholds{});
    EXPECT_EQ(found->evidence["limit_hits_page_cache"],
              "40 limit hits on nodes whose anonymous memory stayed below 90% of the limit: page cache reclaimed "
              "at the limit, not pressure");
    EXPECT_FALSE(found->evidence.contains("limit_hits_not_judged"));
}

TEST(Rules, IdleAtNinetyPercent) {
    for (Point p : {Point{0.89, false}, Point{0.9, true}, Point{0.91, true}}) {
        JobFeatures f = healthy();
        f.idle_fraction = p.value;
        EXPECT_EQ(fires("idle", f), p.expected) << p.value;
    }
}

TEST(Rules, ImbalancedAtCv) {
    for (Point p : {Point{0.49, false}, Point{0.5, true}, Point{0.51, true}}) {
        JobFeatures f = healthy();
        f.imbalance_cv = p.value;
        f.busiest_node = "n1";
        f.idlest_node = "n1";
        EXPECT_EQ(fires("imbalanced", f), p.expected) << p.value;
    }
}

TEST(Rules, IoBound) {
    for (Point p : {Point{49.9, false}, Point{50, true}, Point{50.1, true}}) {
        JobFeatures f = healthy();
        f.cpu_efficiency = 0.2;
        f.io_rate_bytes_per_s = p.value * kMB;
        EXPECT_EQ(fires("io-bound", f), p.expected) << "rate " << p.value;
    }
    for (Point p : {Point{0.49, true}, Point{0.5, false}, Point{0.51, false}}) {
        JobFeatures f = healthy();
        f.cpu_efficiency = p.value;
        f.io_rate_bytes_per_s = 200 * kMB;
        EXPECT_EQ(fires("io-bound", f), p.expected) << "efficiency " << p.value;
    }
}

TEST(Rules, GpuIdle) {
    for (Point p : {Point{9.9, true}, Point{10, false}, Point{10.1, false}}) {
        JobFeatures f = healthy();
        f.gpus = 2;
        f.gpu_util_percent = p.value;
        EXPECT_EQ(fires("gpu-idle", f), p.expected) << p.value;
    }
    JobFeatures f = healthy();
    f.gpus = 2;  // GPUs but no utilisation figure: silent
    EXPECT_FALSE(fires("gpu-idle", f));
    f.gpus = 0;
    f.gpu_util_percent = 0;
    EXPECT_FALSE(fires("gpu-idle", f));
    f.gpus = 1;
    f.gpu_ids = {"n1:0"};  // the evidence names the GPUs lagent measured
    auto found = find_rule("gpu-idle")->evaluate(f, Thresholds{});
    ASSERT_TRUE(found);
    EXPECT_EQ(found->evidence["gpu_ids"], nlohmann::json({"n1:0"}));
}

TEST(Rules, UnderutilizedCpu) {
    for (Point p : {Point{0.49, true}, Point{0.5, false}, Point{0.51, false}}) {
        JobFeatures f = healthy();
        f.cpu_efficiency = p.value;
        EXPECT_EQ(fires("underutilized-cpu", f), p.expected) << p.value;
    }
}

TEST(Rules, FormatDuration) {
    EXPECT_EQ(format_duration(45), "45 s");
    EXPECT_EQ(format_duration(3600), "1:00:00");
    EXPECT_EQ(format_duration(90061), "1-01:01:01");
}

TEST(FormatDuration, SecondsUnderAMinuteElseClockWithDays) {
    struct Case {
        double seconds;
        const char* expected;
    };
    const Case cases[] = {
        {0, "0 s"},           {59, "59 s"},           {60, "0:01:00"},        {3599, "0:59:59"},
        {86399, "23:59:59"}, {86400, "1-00:00:00"}, {3661.6, "1:01:02"}, {10 * 86400 + 5, "10-00:00:05"},
    };
    for (const auto& c : cases) EXPECT_EQ(format_duration(c.seconds), c.expected) << c.seconds;
}

TEST(FailedSlurmState, FirstWordUpperCasedWhenItIsAFailedState) {
    struct Case {
        std::optional<std::string> state;
        const char* expected;
    };
    const Case cases[] = {
        {std::nullopt, ""},       {"FAILED", "FAILED"},          {"failed", "FAILED"},
        {"CANCELLED by 1000", "CANCELLED"}, {"Out_Of_Memory", "OUT_OF_MEMORY"}, {"BOOT_FAIL", "BOOT_FAIL"},
        {"COMPLETED", ""},         {"RUNNING", ""},               {"", ""},
    };
    for (const auto& c : cases) {
        JobFeatures f;
        f.slurm_state = c.state;
        EXPECT_EQ(failed_slurm_state(f, Thresholds{}), c.expected) << c.state.value_or("(none)");
    }
    JobFeatures f;
    f.slurm_state = "TIMEOUT";
    Thresholds only_failed;
    only_failed.failed_states = {"FAILED"};
    EXPECT_EQ(failed_slurm_state(f, only_failed), "");
}

TEST(FailedRule, AdviceFitsTheSlurmState) {
    struct Case {
        const char* state;
        int exit_status;
        const char* advice;
    };
    const Case cases[] = {
        {"OUT_OF_MEMORY", 0, "ran out of memory (peak 3072 MB of 4096 MB requested)"},
        {"CANCELLED by 0", 0, "the job was cancelled"},
        {"NODE_FAIL", 0, "a node failed under the job"},
        {"BOOT_FAIL", 0, "a node failed under the job"},
        {"PREEMPTED", 0, "the job was preempted"},
        {"DEADLINE", 0, "missed its deadline"},
        {"FAILED", 3, "the job failed (state FAILED, exit status 3)"},
        {"COMPLETED", 3, "the job failed (exit status 3)"},
    };
    for (const auto& c : cases) {
        JobFeatures f = healthy();
        f.slurm_state = c.state;
        f.exit_status = c.exit_status;
        auto found = find_rule("failed")->evaluate(f, Thresholds{});
        ASSERT_TRUE(found.has_value()) << c.state;
        EXPECT_NE(found->recommendation.find(c.advice), std::string::npos) << c.state << ": " << found->recommendation;
        EXPECT_EQ(found->evidence["exit_status"], c.exit_status) << c.state;
    }
}

TEST(EfficientRule, EfficientMeansMeasured) {
    // Without a measured efficiency the job is not called efficient...
    EXPECT_FALSE(find_rule("efficient")->evaluate(JobFeatures{}, Thresholds{}).has_value());
    JobFeatures unknown_cores = healthy();
    unknown_cores.cpu_efficiency.reset();
    unknown_cores.used_core_s = 360;
    unknown_cores.nodes_reported = 1;
    EXPECT_FALSE(find_rule("efficient")->evaluate(unknown_cores, Thresholds{}).has_value());
    // ...it is cores-unknown, which says why.
    auto unknown = find_rule("cores-unknown")->evaluate(unknown_cores, Thresholds{});
    ASSERT_TRUE(unknown.has_value());
    EXPECT_EQ(unknown->recommendation,
              "lagent measured the job's CPU time but not how many cores it was allocated (it re-attached to the "
              "job after a restart, or the plugin sent no metadata): its efficiency cannot be judged");
    EXPECT_EQ(unknown->evidence, (nlohmann::json{{"used_core_s", 360.0}, {"nodes_reported", 1}}));
    EXPECT_FALSE(find_rule("cores-unknown")->evaluate(healthy(), Thresholds{}).has_value());
    EXPECT_EQ(classify(unknown_cores, Thresholds{}).job_class, "cores-unknown");
    auto found = find_rule("efficient")->evaluate(healthy(), Thresholds{});
    ASSERT_TRUE(found.has_value());
    EXPECT_DOUBLE_EQ(found->evidence["cpu_efficiency"].get<double>(), 0.9);
    EXPECT_DOUBLE_EQ(found->evidence["memory_peak_fraction"].get<double>(), 0.75);
}

}  // namespace
}  // namespace fructosa
