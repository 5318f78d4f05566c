#pragma once
/// VirtualMemory: RAM figures of /proc/meminfo with psutil's formulas.

#include <memory>

#include "collector/sensor.h"
#include "collector/sensors/meminfo.h"

namespace fructosa::sensors {

/// total, available, percent, used, free, active, inactive, buffers, cached, shared, slab
/// in bytes (percent in %): cached = Cached + SReclaimable, shared = Shmem,
/// used = total - free - buffers - cached (total - free if that goes negative),
/// available = MemAvailable, percent = (total - available) / total * 100.
/// Throws naming `origin` when MemTotal or MemFree is missing.
Readings virtual_memory_readings(const MemInfo& m, std::string_view origin);

std::unique_ptr<Sensor> make_virtual_memory_sensor();

}  // namespace fructosa::sensors
