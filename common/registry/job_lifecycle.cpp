#include "common/registry/job_lifecycle.h"

#include <set>

#include "common/hostlist.h"
#include "common/registry/comma_list.h"

namespace fructosa {

namespace {

std::string short_name(const std::string& host) { return host.substr(0, host.find('.')); }

/// The ended hosts under their full and their short names.
std::set<std::string> ended_names(const std::vector<std::string>& ended_hosts) {
    std::set<std::string> names;
    for (const auto& h : ended_hosts) {
        names.insert(h);
        names.insert(short_name(h));
    }
    return names;
}

/// The nodes of `nodelist` not in `ended`; throws HostlistError for a bad list.
std::vector<std::string> not_ended(const std::string& nodelist, const std::set<std::string>& ended) {
    std::vector<std::string> missing;
    for (const auto& h : expand_hostlist(nodelist))
        if (!ended.count(h) && !ended.count(short_name(h))) missing.push_back(h);
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

bool is_overdue(const JobLifecycle& job, std::optional<double> first_end_time, double now, double grace_s) {
    return job.status == kJobRunning && first_end_time && *first_end_time < now - grace_s;
}

JobLifecycle after_step_start(JobLifecycle job) {
    job.status = kJobRunning;
    job.missing_nodes.clear();
    job.finished_at.reset();
    job.awaits_verdict = false;
    return job;
}

JobLifecycle after_job_end(JobLifecycle job, const JobCompletion& completion, double time) {
    job.awaits_verdict = job.ended();
    if (completion.complete) {
        job.status = kJobFinished;
        job.missing_nodes.clear();
        job.finished_at = time;
        job.awaits_verdict = true;
    } else if (job.status == kJobPartial && completion.missing) {
        job.missing_nodes = join_comma_list(*completion.missing);
    }
    return job;
}

JobLifecycle after_timeout(JobLifecycle job, const std::string& missing_nodes, double now) {
    job.status = kJobPartial;
    job.missing_nodes = missing_nodes;
    job.finished_at = now;
    job.awaits_verdict = true;
    return job;
}

JobLifecycle after_slurm_info(JobLifecycle job) {
    job.awaits_verdict = job.ended();
    return job;
}

}  // namespace fructosa
