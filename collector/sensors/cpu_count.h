#pragma once
/// CPUCount: logical CPUs online, from /sys/devices/system/cpu/online (a kernel CPU list
/// like "0-3,6"), or the "cpuN" lines of /proc/stat when sysfs lacks it.

#include <memory>
#include <string_view>

#include "collector/sensor.h"

namespace fructosa::sensors {

/// How many CPUs a kernel CPU list names ("0-3,6" -> 5); throws naming `origin` when
/// the list is malformed.
int count_cpu_list(std::string_view list, std::string_view origin);

std::unique_ptr<Sensor> make_cpu_count_sensor();

}  // namespace fructosa::sensors
