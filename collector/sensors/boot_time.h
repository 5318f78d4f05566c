#pragma once
/// BootTime: when the machine booted ("btime" of /proc/stat), epoch seconds.

#include <memory>

#include "collector/sensor.h"

namespace fructosa::sensors {

std::unique_ptr<Sensor> make_boot_time_sensor();

}  // namespace fructosa::sensors
