#pragma once
/// NetIFAddrs: how many addresses each network interface has, per family (getifaddrs).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "collector/sensor.h"
#include "collector/sensors/counter_rate.h"

namespace fructosa::sensors {

/// "<nic>.ipv4", "<nic>.ipv6", "<nic>.link" per interface (sorted by name, names through
/// sanitize_component) and "total", from (interface, family) pairs.
Readings net_if_addrs_readings(const std::vector<std::pair<std::string, std::string>>& addresses);

/// Reads the interfaces again only after the kernel announced a change, or after
/// kLinkRefreshSeconds of `clock` (sensors/link_cache.h).
std::unique_ptr<Sensor> make_net_if_addrs_sensor(MonotonicClock clock);
std::unique_ptr<Sensor> make_net_if_addrs_sensor();

}  // namespace fructosa::sensors
