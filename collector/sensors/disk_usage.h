#pragma once
/// DiskUsage: size and use of the file systems holding the configured paths (statvfs).

#include <memory>
#include <string>

#include "collector/sensor.h"

namespace fructosa::sensors {

/// total, used, free (bytes) and percent = used / (used + free) * 100 as psutil, each
/// field prefixed with "<prefix>." unless `prefix` is empty.
Readings disk_usage_readings(const FsUsage& usage, const std::string& prefix);

std::unique_ptr<Sensor> make_disk_usage_sensor();

}  // namespace fructosa::sensors
