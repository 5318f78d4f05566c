// Every rule at, just below and just above its threshold, and the class precedence.
#include <set>

#include <gtest/gtest.h>

#include "perad/classifier.h"
#include "perad/rule.h"

namespace fructosa {
namespace {

constexpr double kMB = 1048576.0;

/// A healthy one-node job: 4 cores, 90% busy for an hour, 3 GB of 4 GB peak.
JobFeatures healthy() {
    JobFeatures f;
    f.job_id = 1;
    f.status = "finished";
    f.nnodes = f.nodes_reported = 1;
    f.ntasks = 4;
    f.elapsed_s = 3600;
    f.allocated_cpus = 4;
    f.allocated_core_s = 4 * 3600;
    f.used_core_s = 0.9 * 4 * 3600;
    f.mean_cores_used = 3.6;
    f.cpu_efficiency = 0.9;
    f.idle_fraction = 0;
    f.mem_mb = 4096;
    f.memory_peak_bytes = static_cast<std::uint64_t>(3072 * kMB);
    f.memory_peak_fraction = 0.75;
    f.oom_kills = f.limit_hits = f.swap_max_bytes = 0;
    f.io_read_bytes = f.io_write_bytes = 0;
    f.io_rate_bytes_per_s = 0;
    f.exit_status = 0;
    NodeFeatures n;
    n.host = "n1";
    n.cpus = 4;
    n.mem_mb = 4096;
    n.cpu_seconds = *f.used_core_s;
    n.cores_used = 3.6;
    n.cpu_efficiency = 0.9;
    n.memory_peak_bytes = f.memory_peak_bytes;
    n.memory_peak_fraction = 0.75;
    f.nodes.push_back(n);
    return f;
}

bool fires(const char* rule, const JobFeatures& f, const Thresholds& t = {}) {
    const Rule* r = find_rule(rule);
    EXPECT_NE(r, nullptr) << rule;
    return r && r->evaluate(f, t).has_value();
}

struct Point {
    double value;
    bool expected;
};

TEST(Rules, HealthyJobIsEfficientWithoutFlags) {
    Verdict v = classify(healthy(), Thresholds{});
    EXPECT_EQ(v.job_class, "efficient");
    EXPECT_TRUE(v.flags.empty());
    EXPECT_TRUE(v.recommendations["efficient"].is_string());
}

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
    for (Point p : {Point{1, false}, Point{2, true}, Point{3, true}}) {
        JobFeatures f = healthy();
        f.oom_kills = static_cast<std::uint64_t>(p.value);
        EXPECT_EQ(fires("memory-pressure", f, t), p.expected) << "oom " << p.value;
    }
    for (Point p : {Point{4, false}, Point{5, true}, Point{6, true}}) {
        JobFeatures f = healthy();
        f.limit_hits = static_cast<std::uint64_t>(p.value);
        EXPECT_EQ(fires("memory-pressure", f, t), p.expected) << "hits " << p.value;
    }
    for (Point p : {Point{99, false}, Point{100, true}, Point{101, true}}) {
        JobFeatures f = healthy();
        f.swap_max_bytes = static_cast<std::uint64_t>(p.value * kMB);
        EXPECT_EQ(fires("memory-pressure", f, t), p.expected) << "swap " << p.value;
    }
    JobFeatures f = healthy();
    f.oom_kills = 1;
    EXPECT_TRUE(fires("memory-pressure", f));  // default: any OOM kill
    f.oom_kills.reset();
    EXPECT_FALSE(fires("memory-pressure", f));  // unknown is not pressure
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
}

TEST(Rules, UnderutilizedCpu) {
    for (Point p : {Point{0.49, true}, Point{0.5, false}, Point{0.51, false}}) {
        JobFeatures f = healthy();
        f.cpu_efficiency = p.value;
        EXPECT_EQ(fires("underutilized-cpu", f), p.expected) << p.value;
    }
}

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
    for (Point p : {Point{3, false}, Point{4, true}, Point{5, true}}) {
        JobFeatures f = healthy();
        f.allocated_cpus = p.value;
        f.mean_cores_used = 1.0;
        EXPECT_EQ(fires("serial-on-many-cores", f), p.expected) << "cores " << p.value;
    }
    for (Point p : {Point{1.19, true}, Point{1.2, true}, Point{1.21, false}}) {
        JobFeatures f = healthy();
        f.allocated_cpus = 16;
        f.mean_cores_used = p.value;
        EXPECT_EQ(fires("serial-on-many-cores", f), p.expected) << "used " << p.value;
    }
    JobFeatures f = healthy();
    f.allocated_cpus = 16;
    f.mean_cores_used = 1.0;
    auto found = find_rule("serial-on-many-cores")->evaluate(f, Thresholds{});
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

TEST(Rules, Stalled) {
    // Tail share at 0.2 of a 3600 s job (720 s, above the 600 s minimum).
    for (Point p : {Point{0.19, false}, Point{0.2, true}, Point{0.21, true}}) {
        JobFeatures f = healthy();
        f.idle_tail_s = p.value * 3600;
        EXPECT_EQ(fires("stalled", f), p.expected) << "share " << p.value;
    }
    // Tail length at 600 s of a 1000 s job (share above 0.2).
    for (Point p : {Point{599, false}, Point{600, true}, Point{601, true}}) {
        JobFeatures f = healthy();
        f.elapsed_s = 1000;
        f.idle_tail_s = p.value;
        EXPECT_EQ(fires("stalled", f), p.expected) << "seconds " << p.value;
    }
    EXPECT_FALSE(fires("stalled", healthy()));  // no last_busy_time: silent
}

TEST(Rules, PrecedenceOfClasses) {
    JobFeatures f = healthy();
    f.cpu_efficiency = 0.1;  // underutilized
    EXPECT_EQ(classify(f, {}).job_class, "underutilized-cpu");
    f.gpus = 1;
    f.gpu_util_percent = 1;
    EXPECT_EQ(classify(f, {}).job_class, "gpu-idle");
    f.io_rate_bytes_per_s = 500 * kMB;
    EXPECT_EQ(classify(f, {}).job_class, "io-bound");
    f.imbalance_cv = 1;
    EXPECT_EQ(classify(f, {}).job_class, "imbalanced");
    f.idle_fraction = 0.95;
    EXPECT_EQ(classify(f, {}).job_class, "idle");
    f.oom_kills = 1;
    EXPECT_EQ(classify(f, {}).job_class, "memory-pressure");
    f.elapsed_s = 10;
    EXPECT_EQ(classify(f, {}).job_class, "too-short");
    f.slurm_state = "OUT_OF_MEMORY";
    Verdict v = classify(f, {});
    EXPECT_EQ(v.job_class, "failed");
    EXPECT_TRUE(v.evidence.contains("failed"));
    EXPECT_FALSE(v.evidence.contains("too-short"));  // only the winning class is explained
}

TEST(Rules, FlagsAccompanyTheClass) {
    JobFeatures f = healthy();
    f.allocated_cpus = 16;
    f.mean_cores_used = 1;
    f.cpu_efficiency = 1.0 / 16;
    f.time_limit_s = 86400;
    f.walltime_fraction = 3600.0 / 86400;
    Verdict v = classify(f, {});
    EXPECT_EQ(v.job_class, "underutilized-cpu");
    EXPECT_EQ(v.flags, (std::vector<std::string>{"walltime-overrequested", "serial-on-many-cores"}));
    for (const auto& name : {"underutilized-cpu", "walltime-overrequested", "serial-on-many-cores"}) {
        EXPECT_TRUE(v.evidence[name].is_object()) << name;
        EXPECT_TRUE(v.recommendations[name].is_string()) << name;
    }
}

TEST(Rules, EveryRuleHasAUniqueName) {
    std::set<std::string> seen;
    for (const auto* list : {&builtin_rules().classes, &builtin_rules().flags})
        for (const auto& r : *list) EXPECT_TRUE(seen.insert(std::string(r->name())).second) << r->name();
    EXPECT_EQ(builtin_rules().classes.back()->name(), "efficient");
}

TEST(Rules, FormatDuration) {
    EXPECT_EQ(format_duration(45), "45 s");
    EXPECT_EQ(format_duration(3600), "1:00:00");
    EXPECT_EQ(format_duration(90061), "1-01:01:01");
}

}  // namespace
}  // namespace fructosa
