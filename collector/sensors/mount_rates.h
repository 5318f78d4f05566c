#pragma once
/// What NFSClient and LustreClient share: cumulative counters per mounted file system,
/// turned into "<mount>.<counter>_per_s" between two samples, and the sensor shell that
/// keeps the previous sample and its time.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collector/sensor.h"
#include "collector/sensors/counter_rate.h"
#include "collector/sensors/kept_files.h"

namespace fructosa::sensors {

/// One mount's counters in one sample.
struct MountCounters {
    std::string key;   ///< identifies the mount between samples (device and mount point)
    std::string name;  ///< its series level: the mount point through path_component
    std::map<std::string, std::uint64_t> counters;  ///< "read_bytes", "ops", ...
};

/// "<name>.<counter>_per_s" for every counter of every mount also in `previous` (by key);
/// names repeated (one export mounted twice) become "<name>_1"... in order. A counter that
/// went backwards (a remount) gives no rate this interval.
Readings mount_rate_readings(const std::vector<MountCounters>& previous,
                             const std::vector<MountCounters>& current, double seconds);

/// Reads the mounts of one kind; nullopt when the source file does not exist.
using MountReader =
    std::function<std::optional<std::vector<MountCounters>>(const SystemReader&, KeptFiles&)>;

/// A sensor of per-mount rates: nullopt until it first finds a mount of its kind (the
/// caller then says "not available" once), the first sample primes the counters, later
/// ones give rates.
std::unique_ptr<Sensor> make_mount_rate_sensor(SensorInfo info, MountReader read,
                                               MonotonicClock clock);

}  // namespace fructosa::sensors
