#pragma once
/// CPUFreq: CPU clock in MHz from sysfs cpufreq (kHz files), or the "cpu MHz" lines of
/// /proc/cpuinfo on machines without cpufreq (virtual machines); nullopt with neither.
/// A machine found without cpufreq is looked at again once a minute (a cpufreq driver
/// loaded later), not each sample: the look is several failed opens and directory
/// listings, more than the /proc/cpuinfo read itself.

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "collector/sensor.h"
#include "collector/sensors/counter_rate.h"

namespace fructosa::sensors {

/// The clock of one CPU (or one cpufreq policy, numbered by its first CPU), MHz.
struct CpuFreq {
    int cpu = 0;
    double current = 0;
    std::optional<double> min;  ///< absent in /proc/cpuinfo
    std::optional<double> max;
};

/// One entry per "processor" block of /proc/cpuinfo that has a "cpu MHz" line.
/// Throws naming `origin` on a malformed number.
std::vector<CpuFreq> parse_cpuinfo_mhz(std::string_view text, std::string_view origin);

/// True when /proc/cpuinfo's "cpu MHz" can only be the clock measured at boot: x86 (a
/// "flags" line) without the APERF/MPERF counters ("aperfmperf"), which is what Linux
/// prints there without a cpufreq driver (arch/x86/kernel/cpu/proc.c: no counters, no
/// cpufreq policy: cpu_khz). Virtual machines are like that; the sensor then reads the
/// file once a minute instead of each sample. False elsewhere (other architectures
/// print no flags line).
bool cpuinfo_clock_is_fixed(std::string_view text);
/// "current", "min", "max": averages over `cpus` (min/max only over CPUs that know
/// them, absent when none does); with `percpu` also "<n>.current" per CPU.
Readings cpu_freq_readings(const std::vector<CpuFreq>& cpus, bool percpu);

/// Seconds between looks for cpufreq on a machine that had none.
inline constexpr double kCpufreqProbeSeconds = 60;

std::unique_ptr<Sensor> make_cpu_freq_sensor(MonotonicClock clock);
std::unique_ptr<Sensor> make_cpu_freq_sensor();

}  // namespace fructosa::sensors
