#pragma once
/// The lifecycle steps both job stores take the same way, whatever their SQL dialect: a
/// store gives its three row operations (read a job's lifecycle columns, write them, the
/// hosts that ended), and the steps apply the rules of job_lifecycle.h to them. Each step
/// runs inside the caller's transaction, after the job's row was created (and locked).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/registry/job_lifecycle.h"
#include "common/registry/slurm_job_facts.h"

namespace fructosa {

class JobLifecycleRows {
public:
    /// A job's lifecycle columns, with what completion needs.
    struct Row {
        JobLifecycle state;
        JobClocks clocks;
        std::string nodelist;
        std::uint32_t nnodes = 0;
    };

    virtual ~JobLifecycleRows() = default;

protected:
    virtual Row load_lifecycle(std::uint64_t job_id) = 0;
    /// Writes `state` and drops the job's verdict (see job_lifecycle.h).
    virtual void save_lifecycle(std::uint64_t job_id, const JobLifecycle& state) = 0;
    /// The hosts of the job that sent job_end.
    virtual std::vector<std::string> ended_hosts(std::uint64_t job_id) = 0;

    /// A step started: a finished job runs again.
    void lifecycle_after_step_start(std::uint64_t job_id);
    /// A node's job_end was recorded: finished once every node of its list ended.
    void lifecycle_after_job_end(std::uint64_t job_id, double time, const LifecyclePolicy& policy);
    /// slurmctld's answer was recorded (Over or Forgotten change the lifecycle).
    void lifecycle_after_slurm_info(std::uint64_t job_id, const SlurmJobFacts& facts);
    /// Marks the job partial when its time ran out at `now`, naming the nodes that never
    /// ended; the reason, or nullopt when it has not.
    std::optional<std::string> lifecycle_time_out(std::uint64_t job_id, const LifecyclePolicy& policy, double now);

private:
    JobCompletion completion_of(std::uint64_t job_id, const Row& row);
};

}  // namespace fructosa
