#include "master/slurm_job_record.h"

#include <slurm/slurm.h>
#include <sys/wait.h>

#include <iterator>

#include "common/hostlist.h"

namespace fructosa {

std::string slurm_state_name(std::uint32_t base) {
    static const char* const names[] = {"PENDING",   "RUNNING",   "SUSPENDED", "COMPLETED",
                                        "CANCELLED", "FAILED",    "TIMEOUT",   "NODE_FAIL",
                                        "PREEMPTED", "BOOT_FAIL", "DEADLINE",  "OUT_OF_MEMORY"};
    return base < std::size(names) ? names[base] : "UNKNOWN";
}

namespace {

/// {"host": cpus} when every node of `nodes` has a count; empty otherwise (a partial map
/// would make perad count the missing nodes' cores from the steps' figures silently).
std::map<std::string, double> cpus_per_node(const std::string& nodes, const std::vector<int>& counts) {
    std::map<std::string, double> out;
    if (nodes.empty() || counts.empty()) return out;
    std::vector<std::string> hosts;
    try {
        hosts = expand_hostlist(nodes);
    } catch (const HostlistError&) {
        return out;
    }
    if (hosts.size() != counts.size()) return out;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        if (counts[i] < 0) return {};
        out[hosts[i]] = counts[i];
    }
    return out;
}

}  // namespace

SlurmJobFacts slurm_job_facts(const SlurmJobRecord& r, double asked_at) {
    SlurmJobFacts f;
    f.asked_at = asked_at;
    std::uint32_t base = r.job_state & JOB_STATE_BASE;
    if (base < JOB_COMPLETE || (r.job_state & JOB_COMPLETING)) {
        f.answer = SlurmJobFacts::Answer::Running;
        return f;
    }
    f.answer = SlurmJobFacts::Answer::Over;
    f.state = slurm_state_name(base);
    if (r.time_limit != INFINITE && r.time_limit != NO_VAL) f.time_limit_s = 60.0 * r.time_limit;
    int status = static_cast<int>(r.exit_code);
    f.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    if (r.start_time > 0) f.start_time = static_cast<double>(r.start_time);
    if (r.end_time > 0 && r.end_time >= r.start_time) f.end_time = static_cast<double>(r.end_time);
    f.cpus_per_node = cpus_per_node(r.nodes, r.cpus_on_node);
    return f;
}

}  // namespace fructosa
