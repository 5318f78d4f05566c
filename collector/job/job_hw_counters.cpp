#include "collector/job/job_hw_counters.h"

#include "common/logging.h"

namespace fructosa {

std::optional<std::string> job_perf_event_dir(const SystemReader& sys, const CgroupMounts& mounts,
                                              const JobCgroupPaths& paths) {
    if (paths.version == CgroupVersion::v2) {
        if (paths.unified.empty()) return std::nullopt;
        return paths.unified;
    }
    auto perf_mounts = mounts.v1.find("perf_event");
    if (perf_mounts == mounts.v1.end()) return std::nullopt;
    // The job's path below its controller's mount, the same in every v1 hierarchy.
    for (const auto& [ctrl, dir] : paths.v1) {
        auto ctrl_mounts = mounts.v1.find(ctrl);
        if (ctrl_mounts == mounts.v1.end()) continue;
        for (const auto& m : ctrl_mounts->second) {
            if (dir.size() <= m.size() || dir.compare(0, m.size(), m) != 0 || dir[m.size()] != '/')
                continue;
            const std::string rel = dir.substr(m.size());
            for (const auto& pm : perf_mounts->second)
                if (sys.exists(pm + rel)) return pm + rel;
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::optional<double> JobHwCounters::ipc() {
    auto now = groups_.read();
    if (!now) return std::nullopt;
    std::optional<double> out;
    if (previous_) out = sensors::ipc_between(*previous_, *now);
    previous_ = now;
    return out;
}

std::unique_ptr<JobHwCounters> JobHwCounterFactory::start(const SystemReader& sys,
                                                          const CgroupMounts& mounts,
                                                          const JobCgroupPaths& paths) {
    if (!enabled_ || given_up_) return nullptr;
    auto found = job_perf_event_dir(sys, mounts, paths);
    // The directory is opened on the live file system (a fixture reader maps it there).
    auto dir = found ? sys.host_path(*found) : std::nullopt;
    if (!dir) return nullptr;
    auto online = sys.read_file("/sys/devices/system/cpu/online");
    auto cpus = online ? sensors::parse_cpu_list(*online) : std::nullopt;
    if (!cpus) return nullptr;
    auto counters = std::make_unique<JobHwCounters>(backend_);
    if (auto why = counters->open(*cpus, *dir); !why.empty()) {
        if (why.starts_with("no PMU") || why.starts_with("not permitted")) {
            log_info("jobs: no instructions per cycle (cpu.ipc) for jobs: {}", why);
            given_up_ = true;
        } else {
            log_info("job {}: no instructions per cycle: {}", paths.job_id, why);
        }
        return nullptr;
    }
    return counters;
}

}  // namespace fructosa
