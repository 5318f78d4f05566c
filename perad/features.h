#pragma once
/// What perad measures about a finished job, computed from its registry record by pure
/// functions: CPU efficiency, memory peak against the request, idle share, imbalance
/// between nodes, I/O, memory pressure, GPU use, elapsed time against the limit.
/// A figure the summaries do not carry stays empty: rules never treat "unknown" as zero.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/registry/job_records.h"

namespace fructosa {

/// One node's share of the job.
struct NodeFeatures {
    std::string host;
    double cpus = 0;                             ///< allocated on this node (slurmctld's figure where known)
    std::uint64_t mem_mb = 0;                    ///< allocated on this node
    std::optional<double> cpu_seconds;           ///< used
    std::optional<double> cores_used;            ///< cpu_seconds / job elapsed
    std::optional<double> cpu_efficiency;        ///< cores_used / cpus (1.0 = all allocated cores busy)
    std::optional<double> idle_fraction;         ///< share of sampling intervals below lagent's idle threshold
    std::optional<std::uint64_t> memory_peak_bytes;
    std::optional<double> memory_peak_fraction;  ///< peak / allocated memory
    std::optional<std::uint64_t> limit_hits;     ///< hits of the memory limit on this node
    std::optional<std::uint64_t> memory_anon_peak_bytes;  ///< largest anonymous memory (not page cache)
    /// The cgroup's memory limit (summary's memory_limit_bytes), else the node's allocation.
    std::optional<std::uint64_t> memory_limit_bytes;
    std::optional<double> memory_anon_fraction;  ///< anonymous peak / memory limit
    std::optional<double> memory_stall_s;        ///< PSI memory "some" stall over the job (cgroup v2)
    /// Run-queue wait in % of one core: 300 = on average 3 threads waited for a CPU. From
    /// runqueue_delay_mean_percent, else runqueue_delay_seconds / job elapsed.
    std::optional<double> runqueue_delay_percent;
    /// The job's energy on this node in joules (lagent's estimate for CPU and DRAM plus
    /// the measured GPUs; see perad/README.md), when the node measured any.
    std::optional<double> energy_joules;

    nlohmann::json to_json() const;
};

struct JobFeatures {
    std::uint64_t job_id = 0;
    std::string status;  ///< finished or partial
    std::uint32_t nnodes = 0, nodes_reported = 0, ntasks = 0, gpus = 0;
    /// Slurm's end - start of the job when lmaster got them; else last node end - first node start.
    std::optional<double> elapsed_s;
    /// All nodes of the job: slurmctld's allocation per node where known (also nodes that
    /// never reported), else the cores the profiled steps were given.
    double allocated_cpus = 0;
    /// Cores of the nodes that reported CPU time; empty when one of them did not say how
    /// many cores it was allocated (lagent re-attached to the job, or no metadata).
    std::optional<double> measured_cpus;
    std::optional<double> allocated_core_s;  ///< measured_cpus * elapsed: what the figures cover
    std::optional<double> used_core_s;       ///< CPU time used over all reporting nodes
    std::optional<double> mean_cores_used;   ///< used_core_s / elapsed
    std::optional<double> cpu_efficiency;    ///< used / allocated core-seconds, over the reporting nodes
    /// Nodes of the job that never reported figures (not counted as idle allocation).
    std::vector<std::string> missing_nodes;
    std::optional<double> idle_fraction;     ///< over all nodes, weighted by their sampling intervals
    /// lagent's `[jobs] idle threshold percent` that idle_fraction was counted with (the
    /// highest of the nodes'), so advice can say what "idle" meant.
    std::optional<double> idle_threshold_percent;

    /// Spread of per-node CPU efficiency (2 or more reporting nodes).
    std::optional<double> imbalance_cv;       ///< coefficient of variation
    std::optional<double> imbalance_max_min;  ///< busiest / least busy (empty when the least busy used none)
    std::string busiest_node, idlest_node;

    std::uint64_t mem_mb = 0;                         ///< allocated, all nodes
    std::optional<std::uint64_t> memory_peak_bytes;   ///< the largest node peak
    std::optional<double> memory_peak_fraction;       ///< the largest node peak / that node's request
    std::optional<std::uint64_t> oom_kills, limit_hits, swap_max_bytes;
    std::optional<std::uint64_t> memory_anon_peak_bytes;  ///< the largest node's anonymous peak
    std::optional<double> memory_anon_fraction;           ///< the largest node anonymous peak / its limit
    std::optional<double> memory_stall_s;                 ///< the largest node PSI memory stall
    std::optional<double> memory_stall_fraction;          ///< memory_stall_s / elapsed
    /// Threads waiting for a CPU on average, in % of one core, summed over the nodes.
    std::optional<double> runqueue_delay_percent;

    std::optional<std::uint64_t> io_read_bytes, io_write_bytes;
    std::optional<double> io_rate_bytes_per_s;  ///< (read + write) / elapsed

    std::optional<double> gpu_util_percent;  ///< mean, when the summaries carry gpu_util_mean_percent
    /// GPUs lagent found the job on ("<host>:<key>", from the summaries' gpu_ids); when
    /// Slurm's count (gpus) is 0, gpus is their number.
    std::vector<std::string> gpu_ids;
    std::optional<double> gpu_util_max_percent;    ///< the busiest GPU in any sample
    std::optional<double> gpu_process_fraction;    ///< the lowest node's share of samples with a process on its GPUs
    std::optional<std::uint64_t> gpu_memory_peak_bytes;   ///< the most memory used on one GPU
    std::optional<std::uint64_t> gpu_memory_total_bytes;  ///< that node's largest GPU's memory
    std::optional<double> gpu_memory_fraction;     ///< peak / total, on the node with the highest share
    bool gpu_shared = false;  ///< a GPU shared with another job without per-process utilisation

    /// Energy in joules summed over the nodes that measured it: the job's share of CPU
    /// package energy (by CPU time) and of DRAM energy (by memory in use), estimated by
    /// lagent from RAPL, plus its GPUs' energy from NVML. Empty when no node measured any.
    std::optional<double> energy_joules;
    std::optional<double> energy_cpu_joules, energy_dram_joules, energy_gpu_joules;  ///< the parts
    std::uint32_t energy_nodes = 0;  ///< nodes whose summary carried energy
    std::uint32_t energy_nodes_of = 0;  ///< nodes of the job, reported or not (energy_nodes of these)
    /// Some node of the job measured no energy (no RAPL, not readable, never reported):
    /// energy_joules covers only energy_nodes of them.
    bool energy_partial = false;

    std::optional<double> time_limit_s;
    std::optional<double> walltime_fraction;  ///< elapsed / time limit

    std::optional<int> exit_status;
    std::optional<std::string> slurm_state;
    std::optional<int> slurm_exit_code;

    /// Seconds between the last busy moment (summaries' last_busy_time) and the job's end.
    std::optional<double> idle_tail_s;
    /// When the job was busy (epoch s, lagent's intervals at or above its idle threshold):
    /// the earliest first_busy_time and the latest last_busy_time over the nodes.
    std::optional<double> first_busy_time, last_busy_time;
    /// Sampling intervals at or above lagent's idle threshold, of the node with the most.
    std::optional<std::uint64_t> busy_intervals;

    std::vector<NodeFeatures> nodes;

    /// The figures as an object; `with_nodes` adds the per-node array (what `perad show`
    /// prints; the registry stores the job-level figures only, the rest is recomputable).
    nlohmann::json to_json(bool with_nodes = true) const;
};

/// Computes the features of `job`. Pure: the same record gives the same figures.
JobFeatures compute_features(const JobRecord& job);

}  // namespace fructosa
