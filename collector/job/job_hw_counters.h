#pragma once
/// Instructions per cycle of one job on this node: a {cycles, instructions} group on
/// every online CPU counting only the tasks of the job's perf_event cgroup
/// (PERF_FLAG_PID_CGROUP). On cgroup v2 that is the job's own directory (perf_event is
/// implicit there); on v1 the perf_event controller's directory at the job's path, which
/// exists only where the site's Slurm setup creates it. Where nothing can be measured the
/// job gets no cpu.ipc series at all.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collector/job/cgroup_locator.h"
#include "collector/sensors/perf_counters.h"
#include "collector/system_reader.h"

namespace fructosa {

/// The job's directory in the perf_event hierarchy, or nullopt when it has none.
std::optional<std::string> job_perf_event_dir(const SystemReader& sys, const CgroupMounts& mounts,
                                              const JobCgroupPaths& paths);

class JobHwCounters {
  public:
    explicit JobHwCounters(sensors::PerfBackend& backend) : groups_(backend) {}
    /// "" when counting, else why not.
    std::string open(const std::vector<int>& cpus, const std::string& cgroup_dir) {
        return groups_.open(cpus, cgroup_dir);
    }
    /// Instructions per cycle since the previous call; nullopt at the first call and
    /// whenever no cycle of the job was counted.
    std::optional<double> ipc();

  private:
    sensors::CpuCounterGroups groups_;
    std::optional<sensors::CounterTotals> previous_;
};

/// Starts JobHwCounters for jobs, and stops trying for good once the machine turned out
/// to have no PMU (or forbids counting), saying so once in the log.
class JobHwCounterFactory {
  public:
    JobHwCounterFactory(bool enabled, sensors::PerfBackend& backend)
        : enabled_(enabled), backend_(backend) {}
    /// Counters for the job, or nullptr when it is not measured.
    std::unique_ptr<JobHwCounters> start(const SystemReader& sys, const CgroupMounts& mounts,
                                         const JobCgroupPaths& paths);

  private:
    bool enabled_;
    sensors::PerfBackend& backend_;
    bool given_up_ = false;
};

}  // namespace fructosa
