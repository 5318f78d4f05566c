#include "common/registry/job_lifecycle_rows.h"

#include "common/logging.h"

namespace fructosa {

JobCompletion JobLifecycleRows::completion_of(std::uint64_t job_id, const Row& row) {
    JobCompletion completion = job_completion(row.nodelist, row.nnodes, ended_hosts(job_id));
    if (!completion.nodelist_error.empty()) log_warning("job {}: {}", job_id, completion.nodelist_error);
    return completion;
}

void JobLifecycleRows::lifecycle_after_step_start(std::uint64_t job_id) {
    save_lifecycle(job_id, after_step_start(load_lifecycle(job_id).state));
}

void JobLifecycleRows::lifecycle_after_job_end(std::uint64_t job_id, double time, const LifecyclePolicy& policy) {
    Row row = load_lifecycle(job_id);
    save_lifecycle(job_id, after_job_end(row.state, completion_of(job_id, row), time, policy));
}

void JobLifecycleRows::lifecycle_after_slurm_info(std::uint64_t job_id, const SlurmJobFacts& facts) {
    if (facts.answer != SlurmJobFacts::Answer::Over && facts.answer != SlurmJobFacts::Answer::Forgotten) return;
    Row row = load_lifecycle(job_id);
    save_lifecycle(job_id, after_slurm_info(row.state, facts.over_at(), completion_of(job_id, row), facts.asked_at));
}

std::optional<std::string> JobLifecycleRows::lifecycle_time_out(std::uint64_t job_id, const LifecyclePolicy& policy,
                                                                double now) {
    Row row = load_lifecycle(job_id);
    auto reason = timeout_reason(row.state, row.clocks, policy, now);
    if (!reason) return std::nullopt;
    std::string missing = partial_missing_nodes(row.nodelist, ended_hosts(job_id));
    save_lifecycle(job_id, after_timeout(row.state, missing, *reason, now));
    return reason;
}

}  // namespace fructosa
