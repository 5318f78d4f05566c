#pragma once
/// What NVML said about this node's GPUs at one instant: plain values, no NVML types.
/// A figure NVML does not give for a device (NOT_SUPPORTED, e.g. power on a MIG
/// instance, or any other error) is empty, never 0.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collector/sensor.h"

namespace fructosa::gpu {

/// One compute process NVML lists on a device.
struct GpuProcess {
    std::uint32_t pid = 0;
    std::optional<std::uint64_t> used_memory;  ///< bytes
    std::optional<double> sm_util_percent;     ///< from nvmlDeviceGetProcessUtilization, when it gives it
    bool operator==(const GpuProcess&) const = default;
};

/// A whole GPU, or one MIG instance of it (its own device, as NVML treats it).
struct GpuDevice {
    /// Its level in metric paths: "<index>" for a GPU, "<index>_mig<k>" for MIG
    /// instance k (NVML's MIG device index) of GPU <index>.
    std::string key;
    unsigned index = 0;                  ///< NVML's index of the GPU (the parent's, for MIG)
    std::optional<unsigned> mig;         ///< MIG device index, only for MIG instances
    std::optional<unsigned> minor;       ///< /dev/nvidia<minor> (char major 195); not for MIG
    std::string uuid;
    std::optional<double> util_percent;         ///< SM busy time
    std::optional<double> memory_util_percent;  ///< memory read/write busy time
    std::optional<std::uint64_t> memory_used, memory_total;  ///< bytes
    std::optional<double> power_watts;
    std::optional<double> energy_joules;        ///< since the driver loaded
    std::optional<double> temperature_celsius;
    std::optional<double> sm_clock_mhz;
    std::optional<std::uint64_t> throttle_reasons;  ///< NVML's bit mask
    std::optional<std::uint64_t> ecc_corrected, ecc_uncorrected;  ///< volatile counts
    /// Compute processes; nullopt when NVML could not list them.
    std::optional<std::vector<GpuProcess>> processes;
    /// True when nvmlDeviceGetProcessUtilization answered (possibly with no samples):
    /// then a process without sm_util_percent used none of the SMs in the period.
    bool per_process_util = false;
    bool operator==(const GpuDevice&) const = default;
};

struct GpuSnapshot {
    double time = 0;  ///< epoch seconds, when the reading started
    std::vector<GpuDevice> devices;
    /// Calls that failed other than NOT_SUPPORTED ("GPU 0: nvmlDeviceGetPowerUsage: ..."),
    /// for a rate-limited log.
    std::vector<std::string> problems;
};

/// The host series of every device, fields "<key>.<name>": util_percent,
/// memory_util_percent, memory_used, memory_total (bytes), power_watts, energy_joules,
/// temperature_celsius, sm_clock_mhz, throttle_reasons, ecc_corrected,
/// ecc_uncorrected, compute_processes; a figure NVML did not give has no field.
Readings gpu_host_readings(const GpuSnapshot& snapshot);

}  // namespace fructosa::gpu
