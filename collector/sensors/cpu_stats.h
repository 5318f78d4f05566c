#pragma once
/// CPUStats: context switches, interrupts and soft interrupts since boot, from /proc/stat.

#include <memory>

#include "collector/sensor.h"
#include "collector/sensors/proc_stat.h"

namespace fructosa::sensors {

/// ctx_switches, interrupts, soft_interrupts, syscalls (always 0 on Linux, as psutil).
/// Throws naming `origin` when /proc/stat lacks ctxt, intr or softirq.
Readings cpu_stats_readings(const ProcStat& st, std::string_view origin);

std::unique_ptr<Sensor> make_cpu_stats_sensor();

}  // namespace fructosa::sensors
