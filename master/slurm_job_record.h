#pragma once
/// The part of slurmctld's answer (slurm_job_info_t) the enricher reads, as plain data,
/// and how it becomes the registry's SlurmJobFacts: a pure function, tested without
/// slurmctld (slurm_enricher.cpp copies the record out of libslurm's message).

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "common/registry/slurm_job_facts.h"

namespace fructosa {

struct SlurmJobRecord {
    std::uint32_t job_state = 0;   ///< enum job_states plus flags (JOB_COMPLETING, ...)
    std::uint32_t time_limit = 0;  ///< minutes; INFINITE or NO_VAL when none
    std::uint32_t exit_code = 0;   ///< a wait(2) status
    std::time_t start_time = 0, end_time = 0;
    std::string nodes;             ///< the job's node list, e.g. "n[1-2]"
    /// CPUs allocated on each node of `nodes`, in its order (slurm_job_cpus_allocated_on_node_id);
    /// empty when slurmctld sent no job resources, -1 for a node it did not know.
    std::vector<int> cpus_on_node;
};

/// Slurm's name of a base state (libslurm 22.05 exports no function for them).
std::string slurm_state_name(std::uint32_t base_state);

/// The facts in `record`, asked at `asked_at`: Over for a final state (COMPLETED, FAILED,
/// TIMEOUT, ...) not completing any more, else Running. Times of 0 (unknown) are left
/// out; the cpus per node only when every node of the expanded list has a count.
SlurmJobFacts slurm_job_facts(const SlurmJobRecord& record, double asked_at);

}  // namespace fructosa
