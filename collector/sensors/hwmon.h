#pragma once
/// SensorsTemperatures and SensorsFans: hardware monitoring chips of
/// /sys/class/hwmon/hwmon*/ (the files psutil reads), as "<chip>.<label>.<field>".

#include <memory>
#include <vector>

#include "collector/sensor.h"
#include "collector/sensors/sysfs_dir.h"

namespace fructosa::sensors {

/// Every hwmonN directory in number order, with the name, temp*_* and fan*_* attributes
/// of hwmonN/ and of hwmonN/device/ (where older drivers put them) merged.
std::vector<SysfsDir> read_hwmon_chips(const SystemReader& sys);

/// "<chip>.<label>.current", ".high" (tempN_max), ".critical" (tempN_crit) in °C from
/// millidegrees. The chip is its "name" attribute (a repeated name gets "_1", "_2" in
/// chip order), the label tempN_label or "temp<N>", both through sanitize_component.
/// Throws naming the attribute when one is not a number.
Readings hwmon_temperatures(const std::vector<SysfsDir>& chips);

/// "<chip>.<label>.current" in RPM from fanN_input, labels fanN_label or "fan<N>",
/// chips named as for temperatures.
Readings hwmon_fans(const std::vector<SysfsDir>& chips);

std::unique_ptr<Sensor> make_sensors_temperatures_sensor();
std::unique_ptr<Sensor> make_sensors_fans_sensor();

}  // namespace fructosa::sensors
