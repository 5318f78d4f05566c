#pragma once
/// The rules of a job's life in the registry, on plain data (no store, no clock):
/// - a job is running until every node of its expanded node list has sent job_end; then it
///   is finished (without a usable node list: once `nnodes` hosts have ended);
/// - a running job whose first job_end is older than the grace time is overdue and becomes
///   partial, naming the nodes that never reported; a late node narrows that list, and
///   the last one finishes the job;
/// - a step starting after the job ended makes it running again.
/// Every transition below makes a stored verdict stale: the store drops the verdict when
/// it writes the new state. `awaits_verdict` says whether perad should judge the job.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fructosa {

inline constexpr const char* kJobRunning = "running";
inline constexpr const char* kJobFinished = "finished";
inline constexpr const char* kJobPartial = "partial";

/// The part of a job's record the lifecycle changes.
struct JobLifecycle {
    std::string status = kJobRunning;   ///< kJobRunning, kJobFinished or kJobPartial
    std::string missing_nodes;          ///< comma list, for partial jobs
    std::optional<double> finished_at;  ///< when it became finished or partial
    bool awaits_verdict = false;        ///< finished or partial, without a current verdict

    bool ended() const { return status == kJobFinished || status == kJobPartial; }
    bool operator==(const JobLifecycle&) const = default;
};

/// Which nodes of a job have not sent job_end yet, and whether none is left.
struct JobCompletion {
    bool complete = false;
    /// The nodes of the node list that have not ended; nullopt when the list is empty or
    /// cannot be expanded.
    std::optional<std::vector<std::string>> missing;
    std::string nodelist_error;  ///< why the node list could not be expanded ("" when it could)
};

/// Completion of a job with Slurm node list `nodelist` (may be "") and `nnodes` nodes,
/// given the hosts that sent job_end. A host matches a node by full or short name
/// (n3.cluster.example is n3).
JobCompletion job_completion(const std::string& nodelist, std::uint32_t nnodes,
                             const std::vector<std::string>& ended_hosts);

/// What a job marked partial records as missing: the nodes of the list that have not
/// ended, "(node list unknown)" without a list, "(node list unreadable: LIST)" for a bad one.
std::string partial_missing_nodes(const std::string& nodelist, const std::vector<std::string>& ended_hosts);

/// True for a running job whose first job_end lies more than `grace_s` before `now`.
bool is_overdue(const JobLifecycle& job, std::optional<double> first_end_time, double now, double grace_s);

/// A step started: the job runs again, whatever it was.
JobLifecycle after_step_start(JobLifecycle job);

/// A node sent job_end at `time`, leaving the job at `completion`: finished when complete;
/// a partial job names one node fewer; an ended job awaits a verdict on the new figures.
JobLifecycle after_job_end(JobLifecycle job, const JobCompletion& completion, double time);

/// The grace time ran out at `now`: partial, with `missing_nodes` (partial_missing_nodes).
JobLifecycle after_timeout(JobLifecycle job, const std::string& missing_nodes, double now);

/// Slurm's accounting arrived: an ended job awaits a verdict on the new figures.
JobLifecycle after_slurm_info(JobLifecycle job);

}  // namespace fructosa
