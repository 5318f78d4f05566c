#pragma once
/// CPUTimes (seconds since boot) and CPUTimesPercent (share of the time since the
/// previous sample), both from the "cpu" line of /proc/stat.

#include <memory>

#include "collector/sensor.h"
#include "collector/sensors/proc_stat.h"

namespace fructosa::sensors {

/// One reading per cpu_time_fields entry: ticks / `ticks_per_second`.
Readings cpu_times_readings(const CpuTicks& ticks, double ticks_per_second);

/// One reading per cpu_time_fields entry: its delta in % of the total delta (guest and
/// guest_nice excluded from the total, as psutil), clamped to 0..100; all 0 when no time passed.
Readings cpu_times_percent_readings(const CpuTicks& before, const CpuTicks& after);

std::unique_ptr<Sensor> make_cpu_times_sensor();
std::unique_ptr<Sensor> make_cpu_times_percent_sensor();

}  // namespace fructosa::sensors
