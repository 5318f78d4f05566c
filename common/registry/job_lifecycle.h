#pragma once
/// The rules of a job's life in the registry, on plain data (no store, no clock). A node's
/// job_end says its last step there ended; in a batch or salloc job more steps may follow,
/// so it counts as "the job is over on that node" only once the job is over:
/// - with Slurm enrichment (LifecyclePolicy::slurm_decides), a job is finished when
///   slurmctld says it is over (a final state, or it no longer knows the job) and every node
///   of its expanded node list has sent job_end; it stays running until then, whatever
///   the nodes sent. `partial after` seconds after Slurm's end it becomes partial, naming
///   the nodes that never sent job_end (node down, lagent stopped);
/// - without enrichment, a job is finished once every node of the list has sent job_end
///   (without a usable list: once `nnodes` hosts have); `partial after` seconds after the
///   first job_end it becomes partial; and a running job with no event at all for
///   `running timeout` seconds becomes partial too;
/// - a late node narrows a partial job's missing list, and the last one finishes it;
/// - a step starting after the job ended makes it running again (and its node un-ended).
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

/// How lmaster decides that a job is over (see above).
struct LifecyclePolicy {
    bool slurm_decides = false;             ///< lmaster asks slurmctld about jobs
    double partial_after_s = 600;           ///< `[registry] partial after`
    double running_timeout_s = 7 * 86400.0; ///< `[registry] running timeout` (without Slurm only)
};

/// The part of a job's record the lifecycle changes.
struct JobLifecycle {
    std::string status = kJobRunning;   ///< kJobRunning, kJobFinished or kJobPartial
    std::string missing_nodes;          ///< comma list, for partial jobs
    std::optional<double> finished_at;  ///< when it became finished or partial
    bool awaits_verdict = false;        ///< finished or partial, without a current verdict
    std::string partial_reason;         ///< why a partial job is partial ("" otherwise)
    /// When slurmctld said the job is over (its end time, or when it said it no longer
    /// knows the job); nullopt while it has not.
    std::optional<double> slurm_over_at;

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

/// The times a running job's clocks start from (written by the store, not the rules).
struct JobClocks {
    std::optional<double> first_end_time;   ///< the first job_end of any node
    std::optional<double> last_event_time;  ///< the last job event of any node
};

/// Why the running `job` must end now as partial, or nullopt while it may still run:
/// Slurm's end (with enrichment), or the first job_end (without), more than
/// `partial_after_s` before `now`; without enrichment also no event for `running_timeout_s`.
std::optional<std::string> timeout_reason(const JobLifecycle& job, const JobClocks& clocks,
                                          const LifecyclePolicy& policy, double now);

/// A step started: the job runs again, whatever it was.
JobLifecycle after_step_start(JobLifecycle job);

/// A node sent job_end at `time`, leaving the job at `completion`: finished when complete
/// and (with enrichment) slurmctld said it is over; a partial job names one node fewer; an
/// ended job awaits a verdict on the new figures.
JobLifecycle after_job_end(JobLifecycle job, const JobCompletion& completion, double time,
                           const LifecyclePolicy& policy);

/// The time ran out at `now` (timeout_reason): partial, with `missing_nodes`
/// (partial_missing_nodes) and `reason`.
JobLifecycle after_timeout(JobLifecycle job, const std::string& missing_nodes, const std::string& reason,
                           double now);

/// slurmctld answered at `time` that the job is over at `over_at` (nullopt: it said
/// nothing final): a running job whose nodes all ended is finished; an ended job awaits a
/// verdict on the new figures.
JobLifecycle after_slurm_info(JobLifecycle job, std::optional<double> over_at, const JobCompletion& completion,
                              double time);

}  // namespace fructosa
