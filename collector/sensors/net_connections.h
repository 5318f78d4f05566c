#pragma once
/// NetConnections: the machine's sockets counted by protocol and TCP state, from
/// /proc/net/{tcp,tcp6,udp,udp6,unix} (psutil's net_connections("all"), as numbers).

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collector/sensor.h"

namespace fructosa::sensors {

/// psutil's name of a kernel TCP state code (1 ESTABLISHED ... 11 CLOSING), "UNKNOWN" else.
std::string tcp_state_name(int code);

/// The state code (hex "st" column) of every socket line of /proc/net/{tcp,udp}[6];
/// throws naming `origin` on a short line or a state that is not hex.
std::vector<int> parse_inet_socket_states(std::string_view text, std::string_view origin);

/// Socket lines of /proc/net/unix (everything after the header).
int count_unix_sockets(std::string_view text);

struct ConnectionCounts {
    std::map<std::string, int> tcp_by_state;  ///< tcp and tcp6 together
    int udp = 0;                              ///< udp and udp6
    int unix_sockets = 0;
};

/// "total", "tcp.<STATE>" for every TCP state (0 included, so series stay continuous),
/// "udp", "unix".
Readings net_connections_readings(const ConnectionCounts& counts);

std::unique_ptr<Sensor> make_net_connections_sensor();

}  // namespace fructosa::sensors
