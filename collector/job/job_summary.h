#pragma once
/// A job's figures over a stretch of its life on one node (the whole job, or one step):
/// what lagent sends to lmaster at step end and job end, and what perad classifies.

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "collector/job/cgroup_sampler.h"

namespace fructosa {

/// Absent figures stay empty and are left out of to_json().
struct JobSummary {
    std::uint64_t samples = 0;    ///< samples of a present cgroup
    std::uint64_t intervals = 0;  ///< consecutive pairs with a CPU usage figure
    std::uint64_t busy_intervals = 0;  ///< intervals at or above the idle threshold
    std::optional<double> first_time, last_time;  ///< epoch seconds
    double allocated_cpus = 0;
    double idle_threshold_percent = 0;

    std::optional<double> cpu_seconds;  ///< CPU time used (user + system)
    std::optional<double> cpu_user_seconds;
    std::optional<double> cpu_system_seconds;
    std::optional<double> cpu_usage_mean_percent;  ///< time-weighted, percent of one core
    std::optional<double> cpu_usage_max_percent;   ///< the busiest interval
    std::optional<double> first_busy_time;         ///< start of the first interval at or above the idle threshold
    std::optional<double> last_busy_time;          ///< end of the last interval at or above the idle threshold
    std::optional<double> efficiency_percent;      ///< mean usage / allocated cpus
    std::optional<double> idle_fraction;           ///< share of intervals below the idle threshold
    /// Thread-seconds the job's threads waited on a run queue (counted like cpu_seconds).
    std::optional<double> runqueue_delay_seconds;
    /// Run-queue delay per wall second in percent of one core, over the span the figure
    /// was measured: for a step, runqueue_delay_seconds / (last_time - first_time) * 100;
    /// for the whole job, the growth from its first to its last sample over that time
    /// (the job total also holds what the threads waited before lagent's first sample).
    std::optional<double> runqueue_delay_mean_percent;

    std::optional<std::uint64_t> memory_peak_bytes;
    std::optional<std::uint64_t> memory_anon_peak_bytes;  ///< largest anonymous memory seen (v1 total_rss, v2 anon)
    std::optional<std::uint64_t> memory_limit_bytes;  ///< the last limit seen, when limited
    /// Seconds some task of the job stalled on memory (v2 PSI memory.pressure "some"
    /// total), counted like cpu_seconds.
    std::optional<double> memory_pressure_stall_seconds;
    std::optional<std::uint64_t> swap_max_bytes;
    std::optional<std::uint64_t> oom_kills;
    std::optional<std::uint64_t> limit_hits;

    std::optional<std::uint64_t> io_read_bytes;
    std::optional<std::uint64_t> io_write_bytes;
    std::optional<std::uint64_t> io_read_ops;
    std::optional<std::uint64_t> io_write_ops;

    std::optional<std::uint64_t> tasks_skipped_max;  ///< most tasks left unread in one sample

    /// Estimated energy (collector/job/job_energy.h): the job's share of the node's CPU
    /// package energy by CPU time, and of its DRAM energy by memory in use. Empty when
    /// the node has no readable RAPL zone of that kind (never 0 for "not measured").
    std::optional<double> energy_cpu_joules;
    std::optional<double> energy_dram_joules;

    /// An object with the fields above that have a value (snake_case keys as named here),
    /// and energy_joules (see add_energy_total).
    nlohmann::json to_json() const;
};

/// Sets a node summary's "energy_joules" to the sum of the energy parts it holds:
/// "energy_cpu_joules", "energy_dram_joules" and "gpu_energy_joules" (the job's GPUs,
/// measured by NVML). Removes it when the summary holds none: unmeasured is never 0.
/// Call it again after adding a part to the JSON.
void add_energy_total(nlohmann::json& summary);

/// What the cumulative counters (CPU time, I/O, OOM kills, limit hits) are counted from.
enum class CounterBase {
    cgroup_start,  ///< the cgroup's own totals: the whole job on this node
    first_sample,  ///< the last sample minus the first: one step, or any window
};

/// Builds a JobSummary from the samples of one job on one node, in time order.
class JobSummaryAccumulator {
public:
    /// `idle_threshold_percent`: an interval below this CPU usage (percent of one core)
    /// counts as idle.
    JobSummaryAccumulator(double allocated_cpus, CounterBase base, double idle_threshold_percent = 5.0);

    /// Adds one sample; samples of a vanished cgroup (present == false) are ignored.
    void add(const JobSample& sample);

    JobSummary summary() const;

private:
    double allocated_cpus_;
    CounterBase base_;
    double idle_threshold_;
    std::optional<JobSample> first_, last_;
    std::uint64_t samples_ = 0;
    std::uint64_t intervals_ = 0;
    std::uint64_t idle_intervals_ = 0;
    std::uint64_t busy_intervals_ = 0;
    double usage_ns_sum_ = 0;  ///< CPU ns over the intervals
    double wall_s_sum_ = 0;    ///< seconds of those intervals
    std::optional<double> usage_max_;
    std::optional<double> first_busy_time_, last_busy_time_;
    std::optional<std::uint64_t> memory_peak_;
    std::optional<std::uint64_t> anon_peak_;
    std::optional<std::uint64_t> swap_max_;
    std::optional<std::uint64_t> skipped_max_;
    std::optional<double> energy_cpu_, energy_dram_;  ///< summed over the intervals that had them
    /// A counter that may appear after the first sample (no threads listed yet, PSI
    /// missing): its first value and when it was seen.
    struct FirstSeen {
        double time = 0;
        std::uint64_t value = 0;
    };
    std::optional<FirstSeen> runqueue_first_, stall_first_;
};

}  // namespace fructosa
