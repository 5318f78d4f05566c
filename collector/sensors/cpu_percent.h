#pragma once
/// CPUPercent: % busy of each logical CPU since the previous sample, from the "cpuN"
/// lines of /proc/stat.

#include <memory>

#include "collector/sensor.h"
#include "collector/sensors/proc_stat.h"

namespace fructosa::sensors {

/// % of the time a CPU was neither idle nor waiting for I/O between two samples
/// (psutil's cpu_percent), clamped to 0..100; 0 when no time passed.
double cpu_busy_percent(const CpuTicks& before, const CpuTicks& after);

/// One reading per CPU present in both samples, named by its number from the "cpuN"
/// label (an offline CPU is absent, so numbers may have gaps), in `after`'s order.
Readings cpu_percent_readings(const ProcStat& before, const ProcStat& after);

std::unique_ptr<Sensor> make_cpu_percent_sensor();

}  // namespace fructosa::sensors
