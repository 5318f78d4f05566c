#pragma once
/// SensorsBattery: charge and remaining time of the first battery in
/// /sys/class/power_supply/, with psutil's rules.

#include <memory>
#include <optional>
#include <vector>

#include "collector/sensor.h"
#include "collector/sensors/sysfs_dir.h"

namespace fructosa::sensors {

/// psutil's POWER_TIME_UNKNOWN and POWER_TIME_UNLIMITED.
inline constexpr double power_time_unknown = -1;
inline constexpr double power_time_unlimited = -2;

/// "percent" (energy_now/energy_full or charge_now/charge_full, else capacity),
/// "secsleft" (energy_now/power_now hours in s; power_time_unlimited when plugged in,
/// power_time_unknown when not computable), "power_plugged" (1/0 from a Mains supply's
/// "online", else the battery's status; absent when neither tells). The battery is the
/// first supply of type "Battery" that is not a peripheral's (scope "Device").
/// nullopt when there is no battery or it reports no charge.
std::optional<Readings> battery_readings(const std::vector<SysfsDir>& supplies);

std::unique_ptr<Sensor> make_sensors_battery_sensor();

}  // namespace fructosa::sensors
