#pragma once
/// What lmaster learnt from slurmctld about one job, as the registry stores it
/// (JobEventRecorder::set_slurm_info). lmaster's SlurmEnricher fills it.

#include <map>
#include <optional>
#include <string>

namespace fructosa {

struct SlurmJobFacts {
    /// What slurmctld answered.
    enum class Answer {
        Over,       ///< a final state: the members below are set
        Running,    ///< the job still runs (pending, running, suspended or completing)
        Forgotten,  ///< slurmctld no longer knows the job (purged after MinJobAge): it is over
        Failed,     ///< no answer (slurmctld unreachable, or it refused)
    };
    Answer answer = Answer::Failed;
    double asked_at = 0;  ///< when lmaster asked (seconds since the epoch)

    // Only for Answer::Over.
    std::string state;                  ///< base state, e.g. "COMPLETED", "OUT_OF_MEMORY"
    std::optional<double> time_limit_s; ///< none when unlimited
    std::optional<int> exit_code;       ///< shell style: status, or 128 + signal
    /// The job's own start and end (the whole allocation, not only the profiled steps).
    std::optional<double> start_time, end_time;
    /// CPUs allocated to the job on each node of its node list (empty when slurmctld did
    /// not send the job's resources).
    std::map<std::string, double> cpus_per_node;

    /// When the job is over for the registry: Slurm's end time, else when slurmctld said
    /// so (or said it no longer knows the job); nullopt while it runs or when unknown.
    std::optional<double> over_at() const {
        if (answer == Answer::Over) return end_time && *end_time > 0 ? *end_time : asked_at;
        if (answer == Answer::Forgotten) return asked_at;
        return std::nullopt;
    }
};

}  // namespace fructosa
