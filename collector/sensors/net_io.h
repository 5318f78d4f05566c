#pragma once
/// NetIOCounters: network traffic since boot from /proc/net/dev, summed over NICs
/// (loopback included, as psutil), optionally per NIC.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collector/sensor.h"

namespace fructosa::sensors {

/// Field names in the order readings carry them (psutil's snetio).
inline constexpr std::array<std::string_view, 8> net_io_fields = {
    "bytes_sent", "bytes_recv", "packets_sent", "packets_recv",
    "errin",      "errout",     "dropin",       "dropout"};

/// One NIC of /proc/net/dev; values indexed like net_io_fields.
struct NicCounters {
    std::string name;
    std::array<std::uint64_t, 8> values{};
};

/// Parses /proc/net/dev (two header lines, then "name: 16 numbers"); throws naming
/// `origin` on a short line or a bad number.
std::vector<NicCounters> parse_net_dev(std::string_view text, std::string_view origin);

/// The sums over all NICs, and with `pernic` also "<nic>.<field>" (the name through
/// sanitize_component: "eth0.100" is "eth0_100").
Readings net_io_readings(const std::vector<NicCounters>& nics, bool pernic);

std::unique_ptr<Sensor> make_net_io_sensor();

}  // namespace fructosa::sensors
