#pragma once
/// NetConnections: the machine's sockets counted by protocol and TCP state, from
/// /proc/net/{tcp,tcp6,udp,udp6,unix} (psutil's net_connections("all"), as numbers).
/// On the live machine TCP states come from one sock_diag dump (SystemReader::
/// inet_socket_states) and the UDP count from /proc/net/sockstat and sockstat6.

#include <map>
#include <memory>
#include <optional>
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

/// The "inuse" count of protocol `proto` ("UDP", "UDP6") in /proc/net/sockstat[6]: the
/// sockets of that protocol the kernel has hashed, exactly the ones /proc/net/udp[6] and
/// a sock_diag dump list, from a per-CPU counter instead of a walk of the UDP hash table.
/// nullopt when the text has no such line; throws naming `origin` on a malformed one.
std::optional<int> parse_sockstat_inuse(std::string_view text, std::string_view proto,
                                        std::string_view origin);

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
