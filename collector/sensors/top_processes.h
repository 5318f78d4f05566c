#pragma once
/// TopProcesses: the N processes of the node with the highest CPU use and the N with
/// the largest resident memory, each with its pid, user, command and, when it runs in a
/// Slurm job's cgroup, the job id. Graphite stores numbers under names, so a process is
/// a path: "<list>.<rank>.<user>.<command>.<value>" (see README, "Top processes").

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/sensor.h"
#include "collector/sensors/counter_rate.h"

namespace fructosa::sensors {

/// What one /proc/<pid>/stat says.
struct ProcessStat {
    std::uint32_t pid = 0;
    std::string comm;               ///< field 2 without its parentheses
    std::uint64_t cpu_ticks = 0;    ///< utime + stime (fields 14, 15)
    std::uint64_t start_ticks = 0;  ///< field 22: with the pid it names one process for good
    std::uint64_t rss_pages = 0;    ///< field 24
};
/// nullopt when the text is not in the kernel's format.
std::optional<ProcessStat> parse_process_stat(std::string_view text);

/// One process of a list.
struct TopProcess {
    ProcessStat stat;
    std::optional<double>
        cpu_percent;  ///< of one core since the previous sample; nullopt: no baseline
};

/// The `n` processes with the highest CPU use (those with a baseline only, ties by pid)
/// and the `n` with the largest RSS (ties by pid). `previous` maps pid to the previous
/// sample's stat, `seconds` earlier; a pid whose start time changed is a new process.
struct TopLists {
    std::vector<TopProcess> by_cpu, by_memory;
};
TopLists rank_processes(const std::map<std::uint32_t, ProcessStat>& previous,
                        const std::vector<ProcessStat>& current, double seconds,
                        double ticks_per_second, std::size_t n);

/// A name from the machine as one series level that dashboards can split on: characters
/// outside [A-Za-z0-9_-] become '_', at most 48 of them; empty gives "unknown".
std::string process_name_level(std::string_view name);

/// User name of a uid, or nullopt when the system has none.
using UserNameOf = std::function<std::optional<std::string>(std::uint32_t)>;
/// getpwuid_r(3).
std::optional<std::string> system_user_name(std::uint32_t uid);

struct TopProcessesSettings {
    MonotonicClock clock = steady_seconds;
    UserNameOf user_name = system_user_name;
    double ticks_per_second = 100;  ///< sysconf(_SC_CLK_TCK) on the live machine
    double page_size = 4096;        ///< sysconf(_SC_PAGESIZE)
};

std::unique_ptr<Sensor> make_top_processes_sensor(TopProcessesSettings settings);
std::unique_ptr<Sensor> make_top_processes_sensor();

}  // namespace fructosa::sensors
