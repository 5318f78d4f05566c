#pragma once
/// libnvidia-ml loaded at run time: dlopen, every function of nvml_api.h looked up by
/// name, nvmlInit_v2 called. No build-time NVIDIA dependency: a node without the library
/// (or without a driver) gets an error string and no GPU sensor.
///
/// Every call into the library may block for as long as the driver does (a hung GPU):
/// only GpuMonitor's worker thread calls it, never lagent's event loop.

#include <memory>
#include <string>
#include <variant>

#include "collector/gpu/nvml_api.h"

namespace fructosa::gpu {

/// The library's name as the NVIDIA driver installs it (found through the loader's path).
inline constexpr const char* kDefaultNvmlLibrary = "libnvidia-ml.so.1";

class NvmlLibrary {
public:
    /// dlopens `path`, resolves every function and calls nvmlInit_v2. On failure the
    /// variant holds why ("libnvidia-ml.so.1: cannot open shared object file ...",
    /// "nvmlInit_v2: Driver Not Loaded").
    static std::variant<std::unique_ptr<NvmlLibrary>, std::string> open(const std::string& path);
    /// nvmlShutdown, then dlclose.
    ~NvmlLibrary();
    NvmlLibrary(const NvmlLibrary&) = delete;
    NvmlLibrary& operator=(const NvmlLibrary&) = delete;

    /// "name: NVML's error string" for a failed call.
    std::string error(const char* function, nvmlReturn_t result) const;

    // The entry points, named as in nvml.h without the "nvml" prefix.
    decltype(&::nvmlShutdown) Shutdown = nullptr;
    decltype(&::nvmlErrorString) ErrorString = nullptr;
    decltype(&::nvmlDeviceGetCount_v2) DeviceGetCount = nullptr;
    decltype(&::nvmlDeviceGetHandleByIndex_v2) DeviceGetHandleByIndex = nullptr;
    decltype(&::nvmlDeviceGetUtilizationRates) DeviceGetUtilizationRates = nullptr;
    decltype(&::nvmlDeviceGetMemoryInfo) DeviceGetMemoryInfo = nullptr;
    decltype(&::nvmlDeviceGetPowerUsage) DeviceGetPowerUsage = nullptr;
    decltype(&::nvmlDeviceGetTotalEnergyConsumption) DeviceGetTotalEnergyConsumption = nullptr;
    decltype(&::nvmlDeviceGetTemperature) DeviceGetTemperature = nullptr;
    decltype(&::nvmlDeviceGetClockInfo) DeviceGetClockInfo = nullptr;
    decltype(&::nvmlDeviceGetCurrentClocksThrottleReasons) DeviceGetCurrentClocksThrottleReasons = nullptr;
    decltype(&::nvmlDeviceGetTotalEccErrors) DeviceGetTotalEccErrors = nullptr;
    decltype(&::nvmlDeviceGetComputeRunningProcesses_v3) DeviceGetComputeRunningProcesses = nullptr;
    decltype(&::nvmlDeviceGetProcessUtilization) DeviceGetProcessUtilization = nullptr;
    decltype(&::nvmlDeviceGetMinorNumber) DeviceGetMinorNumber = nullptr;
    decltype(&::nvmlDeviceGetUUID) DeviceGetUUID = nullptr;
    decltype(&::nvmlDeviceGetMigMode) DeviceGetMigMode = nullptr;
    decltype(&::nvmlDeviceGetMaxMigDeviceCount) DeviceGetMaxMigDeviceCount = nullptr;
    decltype(&::nvmlDeviceGetMigDeviceHandleByIndex) DeviceGetMigDeviceHandleByIndex = nullptr;

private:
    NvmlLibrary() = default;
    void* handle_ = nullptr;
    bool initialised_ = false;
};

}  // namespace fructosa::gpu
