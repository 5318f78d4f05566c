#pragma once
// Helpers for the tests of perad's rules and classifier: a healthy job to vary, and a
// shortcut asking one rule whether it applies.

#include <cstdint>

#include <gtest/gtest.h>

#include "perad/features.h"
#include "perad/rule.h"
#include "perad/thresholds.h"

namespace fructosa::test {

inline constexpr double kMB = 1048576.0;

/// A healthy one-node job: 4 cores, 90% busy for an hour, 3 GB of 4 GB peak.
inline JobFeatures healthy() {
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

/// Whether the built-in rule called `rule` applies to `f` (a failure when there is no such rule).
inline bool fires(const char* rule, const JobFeatures& f, const Thresholds& t = {}) {
    const Rule* r = find_rule(rule);
    EXPECT_NE(r, nullptr) << rule;
    return r && r->evaluate(f, t).has_value();
}

/// One row of a threshold table: a figure and whether the rule should apply at it.
struct Point {
    double value;
    bool expected;
};

}  // namespace fructosa::test
