#pragma once
/// Reads one sample of a job's cgroup counters (v1 or v2) at its job_<J> level. Every
/// figure is optional: a file the kernel or the Slurm configuration does not provide
/// leaves its field empty ("not available" is not zero).

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "collector/job/cgroup_locator.h"
#include "collector/job/node_energy_sample.h"
#include "collector/job/task_sampler.h"
#include "collector/system_reader.h"

namespace fructosa {

/// The value of JobSample::memory_limit when the cgroup has no memory limit.
inline constexpr std::uint64_t kMemoryUnlimited = std::numeric_limits<std::uint64_t>::max();

/// Linux's user-visible clock tick (USER_HZ), the unit of v1 cpuacct.stat.
inline constexpr double kUserHz = 100.0;

/// One PSI file of a cgroup (v2 only): share of wall time some / all tasks stalled.
struct PressureSample {
    std::optional<double> some_avg10;            ///< percent, 10 s average
    std::optional<double> full_avg10;            ///< absent where the kernel has no "full" line
    std::optional<std::uint64_t> some_total_us;  ///< cumulative stall time
    std::optional<std::uint64_t> full_total_us;
    bool operator==(const PressureSample&) const = default;
};

/// A job's counters at one instant. Counters are cumulative since the job's cgroup was
/// created; JobMetrics turns consecutive samples into rates.
struct JobSample {
    double time = 0;       ///< epoch seconds when it was taken (the caller's clock)
    bool present = false;  ///< some job directory was still there (false: the job is gone)

    std::optional<std::uint64_t> cpu_usage_ns;  ///< user + system CPU time of all tasks
    std::optional<double> cpu_user_s;
    std::optional<double> cpu_system_s;

    std::optional<std::uint64_t> memory_current;     ///< bytes charged now
    std::optional<std::uint64_t> memory_peak;        ///< the kernel's high-water mark
    std::optional<std::uint64_t> memory_rss;         ///< anonymous memory
    std::optional<std::uint64_t> memory_cache;       ///< page cache
    std::optional<std::uint64_t> memory_swap;        ///< bytes in swap
    std::optional<std::uint64_t> memory_limit;       ///< bytes, or kMemoryUnlimited
    std::optional<std::uint64_t> memory_limit_hits;  ///< times usage hit the limit
    std::optional<std::uint64_t> memory_oom_kills;   ///< tasks the OOM killer killed

    /// Storage-layer bytes: the cgroup's blkio / io.stat, or, when the job's cgroup has
    /// none, the sum of its processes' /proc read_bytes / write_bytes (JobTaskSampler; then
    /// the ops stay empty).
    std::optional<std::uint64_t> io_read_bytes;
    std::optional<std::uint64_t> io_write_bytes;
    std::optional<std::uint64_t> io_read_ops;
    std::optional<std::uint64_t> io_write_ops;

    /// Nanoseconds the job's threads waited on a run queue, summed over its threads
    /// (exited ones included) from /proc/<tid>/schedstat; only with a JobTaskSampler.
    std::optional<std::uint64_t> runqueue_delay_ns;

    std::optional<std::uint64_t> processes;
    std::optional<std::uint64_t> threads;
    /// Threads and processes listed but not read this sample (over
    /// kMaxTaskReadsPerSample); only when a JobTaskSampler read the thread list.
    std::optional<std::uint64_t> tasks_skipped;

    std::optional<PressureSample> cpu_pressure;
    std::optional<PressureSample> memory_pressure;
    std::optional<PressureSample> io_pressure;

    /// The node's energy and usage at this sample, set by the job tracker when the Energy
    /// sensor runs (sample_job_cgroup leaves it empty): what the job's energy share is made of.
    std::optional<NodeEnergySample> node_energy;

    /// Files that exist but are not in the kernel's format ("<path>: unreadable"); their
    /// fields are left empty. For the caller's rate-limited log.
    std::vector<std::string> problems;
};

/// Reads every counter of the job's cgroup through `sys`; never throws on missing or
/// malformed files. `now` is stored as JobSample::time. With `tasks` (the job's own,
/// kept between samples), the threads listed in the cgroup are read too: run-queue delay,
/// and the I/O bytes when the cgroup has none.
JobSample sample_job_cgroup(const SystemReader& sys, const JobCgroupPaths& paths, double now,
                            JobTaskSampler* tasks = nullptr);

}  // namespace fructosa
