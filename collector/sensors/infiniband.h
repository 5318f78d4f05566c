#pragma once
/// InfiniBand: InfiniBand and Omni-Path ports of /sys/class/infiniband/<dev>/ports/<n>:
/// traffic as rates, error counters, link state and rate. Ports without a LID (RoCE
/// ports, ports no subnet manager has configured) are skipped.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collector/sensor.h"
#include "collector/sensors/counter_rate.h"
#include "collector/sensors/kept_files.h"

namespace fructosa::sensors {

/// One port as read in one sample.
struct IbPort {
    std::string device;               ///< "mlx5_0", "hfi1_0"
    std::string port;                 ///< "1"
    std::optional<int> state;         ///< the number of "4: ACTIVE"
    std::optional<int> phys_state;    ///< the number of "5: LinkUp"
    std::optional<double> rate_gbps;  ///< from "100 Gb/sec (4X EDR)"
    /// Traffic in bytes and packets: xmit_bytes, rcv_bytes, xmit_packets, rcv_packets
    /// (the 64-bit counters_ext/*_64 files where present; data words times 4).
    std::map<std::string, std::uint64_t> traffic;
    /// Error counters by their kernel names (symbol_error, link_downed, ...).
    std::map<std::string, std::uint64_t> errors;
};

/// The error counters read, by their file names under counters/.
const std::vector<std::string>& ib_error_counters();

/// Every port with a non-zero LID, devices and ports in name order. Throws naming the
/// file when an attribute holds something unexpected.
std::vector<IbPort> read_ib_ports(const SystemReader& sys, KeptFiles& files);

/// "<dev>.<port>.{state,phys_state,rate_gbps}", the error counters as
/// "<dev>.<port>.<counter>" and their sum "<dev>.<port>.errors" (cumulative), and with a
/// previous sample `seconds` earlier "<dev>.<port>.<traffic>_per_s" and the sums over
/// ports "<traffic>_per_s". A counter that went backwards gives no rate for its port
/// and leaves that sum out for this interval.
Readings ib_readings(const std::vector<IbPort>* previous, const std::vector<IbPort>& current,
                     double seconds);

std::unique_ptr<Sensor> make_infiniband_sensor(MonotonicClock clock);
std::unique_ptr<Sensor> make_infiniband_sensor();

}  // namespace fructosa::sensors
