#include "common/registry/job_lifecycle.h"

#include <set>

#include <fmt/format.h>

#include "common/host_name.h"
#include "common/hostlist.h"
#include "common/registry/comma_list.h"

namespace fructosa {

namespace {

/// The ended hosts under their full and their short names.
std::set<std::string> ended_names(const std::vector<std::string>& ended_hosts) {
    std::set<std::string> names;
    for (const auto& h : ended_hosts) {
        names.insert(h);
        names.insert(std::string(short_host_name(h)));
    }
    return names;
}

/// The nodes of `nodelist` not in `ended`; throws HostlistError for a bad list.
std::vector<std::string> not_ended(const std::string& nodelist, const std::set<std::string>& ended) {
    std::vector<std::string> missing;
    for (const auto& h : expand_hostlist(nodelist))
        if (!ended.count(h) && !ended.count(std::string(short_host_name(h)))) missing.push_back(h);
    return missing;
}

}  // namespace

JobCompletion job_completion(const std::string& nodelist, std::uint32_t nnodes,
                             const std::vector<std::string>& ended_hosts) {
    JobCompletion c;
    if (!nodelist.empty()) {
        try {
            c.missing = not_ended(nodelist, ended_names(ended_hosts));
        } catch (const HostlistError& e) {
            c.nodelist_error = e.what();
        }
    }
    if (c.missing)
        c.complete = c.missing->empty();
    else if (nnodes > 0)
        c.complete = ended_hosts.size() >= nnodes;  // no usable list (a re-attached agent sends none)
    return c;
}

std::string partial_missing_nodes(const std::string& nodelist, const std::vector<std::string>& ended_hosts) {
    if (nodelist.empty()) return "(node list unknown)";
    try {
        return join_comma_list(not_ended(nodelist, ended_names(ended_hosts)));
    } catch (const HostlistError&) {
        return "(node list unreadable: " + nodelist + ")";
    }
}

namespace {

/// A job whose nodes all ended is finished only once it is over: with enrichment, when
/// slurmctld says so (more steps may start until then).
bool may_finish(const JobLifecycle& job, const LifecyclePolicy& policy) {
    return !policy.slurm_decides || job.slurm_over_at.has_value();
}

JobLifecycle finish(JobLifecycle job, double time) {
    job.status = kJobFinished;
    job.missing_nodes.clear();
    job.partial_reason.clear();
    job.finished_at = time;
    job.awaits_verdict = true;
    return job;
}

}  // namespace

std::optional<std::string> timeout_reason(const JobLifecycle& job, const JobClocks& clocks,
                                          const LifecyclePolicy& policy, double now) {
    if (job.status != kJobRunning) return std::nullopt;
    const double grace = policy.partial_after_s;
    if (policy.slurm_decides) {
        if (job.slurm_over_at && *job.slurm_over_at < now - grace)
            return fmt::format("no job_end within {:g} s after slurmctld ended the job (node down or lagent stopped)",
                               grace);
        return std::nullopt;
    }
    if (clocks.first_end_time && *clocks.first_end_time < now - grace)
        return fmt::format("no job_end within {:g} s of the first node's job_end", grace);
    if (clocks.last_event_time && *clocks.last_event_time < now - policy.running_timeout_s)
        return fmt::format("no job event for {:g} s (node down or lagent stopped)", policy.running_timeout_s);
    return std::nullopt;
}

JobLifecycle after_step_start(JobLifecycle job) {
    job.status = kJobRunning;
    job.missing_nodes.clear();
    job.partial_reason.clear();
    job.finished_at.reset();
    job.awaits_verdict = false;
    return job;
}

JobLifecycle after_job_end(JobLifecycle job, const JobCompletion& completion, double time,
                           const LifecyclePolicy& policy) {
    job.awaits_verdict = job.ended();
    if (completion.complete && (job.ended() || may_finish(job, policy))) return finish(std::move(job), time);
    if (job.status == kJobPartial && completion.missing) job.missing_nodes = join_comma_list(*completion.missing);
    return job;
}

JobLifecycle after_timeout(JobLifecycle job, const std::string& missing_nodes, const std::string& reason,
                           double now) {
    job.status = kJobPartial;
    job.missing_nodes = missing_nodes;
    job.partial_reason = reason;
    job.finished_at = now;
    job.awaits_verdict = true;
    return job;
}

JobLifecycle after_slurm_info(JobLifecycle job, std::optional<double> over_at, const JobCompletion& completion,
                              double time) {
    if (over_at && !job.slurm_over_at) job.slurm_over_at = over_at;
    job.awaits_verdict = job.ended();
    if (job.status == kJobRunning && job.slurm_over_at && completion.complete) return finish(std::move(job), time);
    return job;
}

}  // namespace fructosa
