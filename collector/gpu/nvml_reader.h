#pragma once
/// Reads a GpuSnapshot through a loaded NVML: every GPU by index, and each MIG
/// instance of a GPU in MIG mode as its own device. Blocks as long as the driver does:
/// called on GpuMonitor's worker thread only.

#include <map>
#include <string>

#include "collector/gpu/gpu_snapshot.h"
#include "collector/gpu/nvml_library.h"

namespace fructosa::gpu {

class NvmlReader {
public:
    explicit NvmlReader(const NvmlLibrary& nvml) : nvml_(nvml) {}
    /// One snapshot stamped `now` (epoch seconds). Throws std::runtime_error when the GPUs
    /// cannot even be counted; a failing call for one figure leaves that figure empty
    /// (and says so in problems unless NVML said NOT_SUPPORTED).
    GpuSnapshot read(double now);

private:
    void read_device(nvmlDevice_t handle, GpuDevice& d, GpuSnapshot& s);
    void read_processes(nvmlDevice_t handle, GpuDevice& d, GpuSnapshot& s);

    const NvmlLibrary& nvml_;
    /// Per device key: the newest process utilisation sample already seen
    /// (nvmlDeviceGetProcessUtilization returns only newer ones).
    std::map<std::string, unsigned long long> last_seen_us_;
};

}  // namespace fructosa::gpu
