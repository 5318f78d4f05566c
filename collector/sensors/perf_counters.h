#pragma once
/// Hardware counters (instructions, cycles) through perf_event_open(2), for the
/// HardwareCounters sensor (every task on each CPU) and for jobs (each CPU, only the
/// tasks of the job's cgroup: PERF_FLAG_PID_CGROUP). The system calls sit behind
/// PerfBackend so tests can make them fail or return chosen counts.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/sensors/counter_rate.h"

namespace fructosa::sensors {

/// The kernel side: opens one counter, reads a group, closes.
class PerfBackend {
  public:
    virtual ~PerfBackend() = default;
    enum class Event { cycles, instructions };
    /// A counter of `event` on `cpu` for every task (target_fd -1) or for the cgroup whose
    /// directory is open as `target_fd`, in the group of `group_fd` (-1: a new group whose
    /// leader this is). The descriptor, or -errno.
    virtual int open(Event event, int cpu, int target_fd, int group_fd) = 0;
    /// Reads a group leader (PERF_FORMAT_GROUP | TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING):
    /// {nr, time_enabled, time_running, value[nr]}; false on an error.
    virtual bool read_group(int leader_fd, std::vector<std::uint64_t>& words) = 0;
    virtual void close(int fd) = 0;
    /// The directory as a descriptor for `target_fd`, or -errno.
    virtual int open_dir(const std::string& path) = 0;
};
/// The live machine's: perf_event_open(2), read(2), close(2).
PerfBackend& system_perf_backend();

/// Why counters could not be opened, as the log says it: "no PMU" for ENOENT, ENODEV
/// and EOPNOTSUPP (a virtual machine without a virtual PMU), "not permitted" for EACCES
/// and EPERM (kernel.perf_event_paranoid, no CAP_PERFMON), else strerror.
std::string perf_open_error(int err);

/// Instructions and cycles summed over CPUs, each CPU's counts scaled by
/// time_enabled / time_running when the kernel multiplexed the counters.
struct CounterTotals {
    double instructions = 0;
    double cycles = 0;
};

/// Instructions per cycle between two totals, nullopt when no cycle passed or a total
/// went backwards (a scaled estimate can).
std::optional<double> ipc_between(const CounterTotals& before, const CounterTotals& after);

/// One {cycles, instructions} group on each of `cpus`, for every task or one cgroup.
class CpuCounterGroups {
  public:
    CpuCounterGroups(PerfBackend& backend) : backend_(backend) {}
    ~CpuCounterGroups();
    CpuCounterGroups(const CpuCounterGroups&) = delete;
    CpuCounterGroups& operator=(const CpuCounterGroups&) = delete;
    /// Opens the groups; "" when done, else why not (perf_open_error of the first
    /// failure; nothing stays open then). `cgroup_dir` empty: every task.
    std::string open(const std::vector<int>& cpus, const std::string& cgroup_dir = "");
    /// The totals now, or nullopt when no group could be read or none ran yet.
    std::optional<CounterTotals> read();

  private:
    void close_all();
    PerfBackend& backend_;
    int cgroup_fd_ = -1;
    std::vector<int> leaders_, members_;
    std::vector<std::uint64_t> words_;
};

/// The CPU numbers of a kernel CPU list ("0-3,8,10-11"), or nullopt when malformed.
std::optional<std::vector<int>> parse_cpu_list(std::string_view list);

}  // namespace fructosa::sensors
