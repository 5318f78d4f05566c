#pragma once
/// /proc/stat, parsed once for the CPU sensors (CPUTimes, CPUTimesPercent, CPUPercent),
/// CPUStats and BootTime.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "collector/system_reader.h"

namespace fructosa::sensors {

/// Field names of a "cpu" line in kernel order, as psutil names them.
inline constexpr std::array<std::string_view, 10> cpu_time_fields = {
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice"};

/// One "cpu" line in clock ticks (USER_HZ), indexed like cpu_time_fields. Fields an old
/// kernel does not print stay 0.
using CpuTicks = std::array<std::uint64_t, 10>;

struct ProcStat {
    CpuTicks total{};                               ///< the "cpu" line
    std::vector<std::pair<int, CpuTicks>> per_cpu;  ///< "cpuN" lines: N (offline CPUs are absent)
    std::optional<std::uint64_t> ctxt;              ///< context switches since boot
    std::optional<std::uint64_t> intr;              ///< interrupts since boot (first "intr" number)
    std::optional<std::uint64_t> softirq;           ///< soft interrupts (first "softirq" number)
    std::optional<std::uint64_t> btime;             ///< boot time, epoch seconds
};

/// Parses /proc/stat text. Throws std::runtime_error naming `origin` when the "cpu" line
/// is missing or a number is malformed.
ProcStat parse_proc_stat(std::string_view text, std::string_view origin);

/// /proc/stat of the machine behind `sys`, or nullopt when it has none.
std::optional<ProcStat> read_proc_stat(const SystemReader& sys);

/// USER_HZ, the unit of /proc/stat times (sysconf(_SC_CLK_TCK)).
double clock_ticks_per_second();

/// Ticks a CPU accounted in all, without guest and guest_nice (already inside user and
/// nice), as psutil's _cpu_tot_time.
double cpu_total_ticks(const CpuTicks& t);

/// Field-wise t2 - t1, never below 0 (a counter that went back counts as no time).
CpuTicks cpu_ticks_delta(const CpuTicks& t1, const CpuTicks& t2);

}  // namespace fructosa::sensors
