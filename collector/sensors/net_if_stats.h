#pragma once
/// NetIFStats: state, duplex, speed and MTU of each network interface, from
/// /sys/class/net/<nic>/.

#include <memory>
#include <vector>

#include "collector/sensor.h"
#include "collector/sensors/counter_rate.h"
#include "collector/sensors/sysfs_dir.h"

namespace fructosa::sensors {

/// psutil's NicDuplex values.
enum class Duplex { Unknown = 0, Half = 1, Full = 2 };

/// "<nic>.isup" (1 when operstate is "up" or flags has IFF_UP), "<nic>.duplex" (Duplex),
/// "<nic>.speed" (Mbit/s, 0 when unknown), "<nic>.mtu" for each directory that has an
/// mtu (others, like bonding_masters, are not interfaces). Throws when an attribute is
/// malformed, naming it.
Readings net_if_stats_readings(const std::vector<SysfsDir>& nics);

/// Reads the interfaces again only after the kernel announced a change, or after
/// kLinkRefreshSeconds of `clock` (sensors/link_cache.h).
std::unique_ptr<Sensor> make_net_if_stats_sensor(MonotonicClock clock);
std::unique_ptr<Sensor> make_net_if_stats_sensor();

}  // namespace fructosa::sensors
