#pragma once
/// Which Slurm job a process belongs to, from its /proc/<pid>/cgroup: the job_<J>
/// component of Slurm's layouts (see cgroup_locator.h), on cgroup v1 and v2. Used by the
/// TopProcesses sensor to name the job of a busy process.

#include <cstdint>
#include <optional>
#include <string_view>

namespace fructosa {

/// The job id of the first line whose path holds a job_<J> component in Slurm's
/// layout: below uid_<U> under slurm or slurm_<node> (v1), or right below
/// slurmstepd.scope or <node>_slurmstepd.scope (v2). nullopt for a process outside every
/// job (a job_<J> elsewhere, "/user.slice/job_7", does not count).
std::optional<std::uint64_t> slurm_job_of_proc_cgroup(std::string_view proc_cgroup);

}  // namespace fructosa
