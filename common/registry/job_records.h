#pragma once
/// What the job registry holds about a job, as plain structs: the job, its nodes, its
/// steps and perad's verdict; and the filters and rows of `perad list` and `perad summary`.
/// Tables and columns: perad/README.md.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fructosa {

/// One row of `jobs`.
struct JobInfo {
    std::uint64_t job_id = 0;
    std::string user, account, partition, job_name, nodelist;
    std::optional<std::uint32_t> uid;
    std::uint32_t nnodes = 0, ntasks = 0, gpus = 0;
    double total_cpus = 0;          ///< sum over the nodes that reported
    nlohmann::json cpus_per_node;   ///< {"host": cpus}
    std::uint64_t mem_mb = 0;       ///< sum over the nodes that reported
    double interval = 0;
    std::optional<double> submit_time, start_time, end_time, first_end_time, finished_at;
    std::string status;             ///< running, finished, partial
    std::string missing_nodes;      ///< comma list, for partial jobs
    std::string partial_reason;     ///< why a partial job is partial, e.g. "no job_end within 600 s ..."
    std::optional<int> exit_status;
    std::optional<std::string> slurm_state;
    std::optional<double> time_limit_s;
    std::optional<int> slurm_exit_code;
    /// The job's own start and end and its allocation per node ({"host": cpus}) as
    /// slurmctld gives them: the whole allocation, not only the profiled steps.
    std::optional<double> slurm_start_time, slurm_end_time;
    nlohmann::json slurm_cpus_per_node = nlohmann::json::object();
};

/// One row of `job_nodes`: a node's share of the job and its whole-job summary.
struct NodeRecord {
    std::string host;
    double cpus = 0;
    std::uint64_t mem_mb = 0;
    std::uint32_t gpus = 0;
    std::optional<double> start_time, end_time;
    bool ended = false;
    std::optional<int> exit_status;
    std::string reason;
    bool reattached = false;
    nlohmann::json summary;  ///< null until job_end
};

/// One row of `job_steps`.
struct StepRecord {
    std::string host, step_id;
    std::optional<double> start_time, end_time;
    std::optional<int> exit_status;
    nlohmann::json summary;
};

/// perad's verdict on one job (one row of `classifications`).
struct ClassificationRecord {
    std::uint64_t job_id = 0;
    std::string job_class;
    std::vector<std::string> flags;
    /// Other classes that apply, by decreasing waste (the primary class wastes most).
    std::vector<std::string> secondary_classes;
    nlohmann::json evidence;         ///< {"class or flag": {figures}}
    nlohmann::json recommendations;  ///< {"class or flag": "one line"}
    nlohmann::json features;
    double classified_at = 0;
    std::string thresholds_hash;
    double allocated_core_s = 0;  ///< kept apart for fast `perad summary`
    double used_core_s = 0;
    /// The job's energy (features' energy_joules), kept apart for `perad summary`;
    /// empty when no node measured any.
    std::optional<double> energy_joules;
};

/// A job with everything the registry knows about it.
struct JobRecord {
    JobInfo info;
    std::vector<NodeRecord> nodes;
    std::vector<StepRecord> steps;
    std::optional<ClassificationRecord> classification;
};

/// Filters of `perad list` and `perad summary`; empty members do not filter. Times
/// compare against the job's end time (its start time while it has none).
struct JobFilter {
    std::optional<double> since, until;
    std::optional<std::string> user, account, partition, job_class, flag, status;
    std::size_t limit = 0;  ///< 0: no limit
};

/// One line of `perad list`.
struct JobListRow {
    JobInfo info;
    std::optional<std::string> job_class;
    std::vector<std::string> flags;
    std::optional<double> allocated_core_s, used_core_s;
};

/// One group of `perad summary`.
struct SummaryRow {
    std::string key;
    std::uint64_t jobs = 0;
    std::map<std::string, std::uint64_t> per_class;  ///< "unclassified" for jobs without a verdict
    double allocated_core_h = 0, used_core_h = 0, wasted_core_h = 0;
    /// Energy of the group's jobs that measured any, in kWh; empty when none did.
    std::optional<double> energy_kwh;
    std::uint64_t energy_jobs = 0;  ///< jobs whose energy is in energy_kwh
};

}  // namespace fructosa
