#pragma once
/// Finds a Slurm job's cgroup directories, on cgroup v1 and v2, from the paths the SPANK
/// plugin read in a task's /proc/self/cgroup; and lists the job cgroups of a node so a
/// restarted lagent can re-attach to running jobs.
///
/// Slurm's layouts (22.05):
///   v1: <mount of ctrl>/slurm[_<node>]/uid_<U>/job_<J>/step_<S>/task_<N>
///   v2: <mount>/<...>/[<node>_]slurmstepd.scope/job_<J>/step_<S>/{slurm,user/task_<N>}
/// lagent samples the job_<J> level, so every step on the node is included. A path is
/// only ever cut at the job's own job_<J> component inside one of these layouts: a
/// step_start message cannot make lagent read another job's (or any other) cgroup.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/system_reader.h"

namespace fructosa {

enum class CgroupVersion { v1, v2 };

/// Where the cgroup hierarchies are mounted (absolute paths of the live machine; a
/// fixture SystemReader maps them below its root).
struct CgroupMounts {
    /// v1: controller name ("memory", "cpuacct", ...) -> candidate mount dirs, most
    /// likely first. "cpu,cpuacct" style combined mounts appear under each controller.
    std::map<std::string, std::vector<std::string>> v1;
    /// v2 (unified) mount dirs, most likely first.
    std::vector<std::string> v2;
};

/// The usual places below `root` (lagent.conf's [jobs] cgroup root): <root>/<ctrl>, the
/// combined <root>/cpu,cpuacct and cpuacct,cpu (and net_cls,net_prio), and for v2 <root>
/// then the hybrid <root>/unified.
CgroupMounts default_cgroup_mounts(const std::string& root = "/sys/fs/cgroup");

/// The mounts listed in /proc/self/mountinfo (read through `sys`), followed by the
/// defaults below `root` as fall-backs, so a missing or odd mountinfo still finds the
/// usual layout.
CgroupMounts discover_cgroup_mounts(const SystemReader& sys, const std::string& root = "/sys/fs/cgroup");

/// Parses mountinfo text into mounts (no defaults added); exposed for tests.
CgroupMounts parse_mountinfo(std::string_view text);

/// The v1 controllers whose job directories the sampler may read.
const std::vector<std::string>& v1_job_controllers();

/// A job's cgroup directories on one node, absolute (as on the live machine).
struct JobCgroupPaths {
    CgroupVersion version = CgroupVersion::v1;
    std::uint64_t job_id = 0;
    std::string unified;                         ///< v2: the job_<J> directory
    std::map<std::string, std::string> v1;       ///< v1: controller -> its job_<J> directory (only those that exist)
    /// The v1 directory of `controller`, or nullopt.
    std::optional<std::string> v1_dir(const std::string& controller) const;
    bool operator==(const JobCgroupPaths&) const = default;
};

/// What step_start tells lagent about the job on this node.
struct JobCgroupRequest {
    std::uint64_t job_id = 0;
    std::optional<std::uint32_t> uid;  ///< checked against uid_<U> on v1 when given
    std::string node;                  ///< Slurm node name (slurm_<node>, <node>_slurmstepd.scope)
    /// A task's /proc/self/cgroup as a map: the controller list ("memory", "cpu,cpuacct",
    /// "name=systemd") or "unified" / "" for the v2 line -> the path shown there.
    std::map<std::string, std::string> cgroup;
};

struct LocateResult {
    std::optional<JobCgroupPaths> paths;  ///< nullopt: nothing usable, see `error`
    std::vector<std::string> refused;     ///< one line per map entry not used, saying why
    std::string error;
};

/// The job's directories for every needed controller that exists. v1 is used when any
/// v1 entry names the job; a controller missing from the map (or refused) is looked for
/// at the same relative job path, since Slurm builds the same tree in each controller.
/// v2 uses the "unified" entry, under each v2 mount until the directory exists.
LocateResult locate_job_cgroups(const SystemReader& sys, const CgroupMounts& mounts,
                                const JobCgroupRequest& request);

/// `cgroup_path` cut after its job_<job_id> component ("/slurm_n1/uid_0/job_3/step_0"
/// -> "/slurm_n1/uid_0/job_3"), or nullopt with the reason in *why when the path is not
/// that job's in the given layout: no job_<job_id>, "." or ".." or empty components
/// before it, a parent that is not uid_<U> under slurm or slurm_<node> (v1) or not a
/// [<node>_]slurmstepd.scope (v2), another node's tree, or another uid.
std::optional<std::string> cut_at_job(std::string_view cgroup_path, std::uint64_t job_id,
                                      CgroupVersion version, std::string_view node,
                                      std::optional<std::uint32_t> uid, std::string* why = nullptr);

/// A job cgroup found by scanning.
struct FoundJob {
    std::uint64_t job_id = 0;
    std::optional<std::uint32_t> uid;  ///< from uid_<U> on v1; v2 paths do not carry it
    JobCgroupPaths paths;
};

/// Every Slurm job cgroup of `node` on this host, sorted by job id. Node-named trees
/// (slurm_<node>, <node>_slurmstepd.scope) always belong to the node; a plain tree
/// (slurm, slurmstepd.scope) only when the same mount holds no node-named tree at all,
/// because a slurmd built for several nodes per host always names its tree, so a plain
/// tree there is no node's we could tell.
std::vector<FoundJob> scan_job_cgroups(const SystemReader& sys, const CgroupMounts& mounts,
                                       std::string_view node);

}  // namespace fructosa
