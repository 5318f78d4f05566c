#include "collector/gpu/nvml_library.h"

#include <dlfcn.h>

#include <fmt/format.h>

namespace fructosa::gpu {

namespace {

/// Looks `name` up into `slot`; false (with *missing = name) when the library lacks it.
template <typename F>
bool resolve(void* handle, const char* name, F& slot, std::string& missing) {
    void* sym = dlsym(handle, name);
    if (!sym) {
        missing = name;
        return false;
    }
    slot = reinterpret_cast<F>(sym);
    return true;
}

}  // namespace

std::variant<std::unique_ptr<NvmlLibrary>, std::string> NvmlLibrary::open(const std::string& path) {
    // RTLD_LOCAL: NVML's symbols stay out of lagent's namespace; RTLD_NOW: a library
    // missing a dependency fails here, not at the first call.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = dlerror();
        return std::string(why ? why : path + ": cannot be loaded");
    }
    std::unique_ptr<NvmlLibrary> lib(new NvmlLibrary);
    lib->handle_ = handle;
    std::string missing;
    decltype(&::nvmlInit_v2) init = nullptr;
    bool ok = resolve(handle, "nvmlInit_v2", init, missing) && resolve(handle, "nvmlShutdown", lib->Shutdown, missing) &&
              resolve(handle, "nvmlErrorString", lib->ErrorString, missing) &&
              resolve(handle, "nvmlDeviceGetCount_v2", lib->DeviceGetCount, missing) &&
              resolve(handle, "nvmlDeviceGetHandleByIndex_v2", lib->DeviceGetHandleByIndex, missing) &&
              resolve(handle, "nvmlDeviceGetUtilizationRates", lib->DeviceGetUtilizationRates, missing) &&
              resolve(handle, "nvmlDeviceGetMemoryInfo", lib->DeviceGetMemoryInfo, missing) &&
              resolve(handle, "nvmlDeviceGetPowerUsage", lib->DeviceGetPowerUsage, missing) &&
              resolve(handle, "nvmlDeviceGetTotalEnergyConsumption", lib->DeviceGetTotalEnergyConsumption, missing) &&
              resolve(handle, "nvmlDeviceGetTemperature", lib->DeviceGetTemperature, missing) &&
              resolve(handle, "nvmlDeviceGetClockInfo", lib->DeviceGetClockInfo, missing) &&
              resolve(handle, "nvmlDeviceGetCurrentClocksThrottleReasons", lib->DeviceGetCurrentClocksThrottleReasons,
                      missing) &&
              resolve(handle, "nvmlDeviceGetTotalEccErrors", lib->DeviceGetTotalEccErrors, missing) &&
              resolve(handle, "nvmlDeviceGetComputeRunningProcesses_v3", lib->DeviceGetComputeRunningProcesses,
                      missing) &&
              resolve(handle, "nvmlDeviceGetProcessUtilization", lib->DeviceGetProcessUtilization, missing) &&
              resolve(handle, "nvmlDeviceGetMinorNumber", lib->DeviceGetMinorNumber, missing) &&
              resolve(handle, "nvmlDeviceGetUUID", lib->DeviceGetUUID, missing) &&
              resolve(handle, "nvmlDeviceGetMigMode", lib->DeviceGetMigMode, missing) &&
              resolve(handle, "nvmlDeviceGetMaxMigDeviceCount", lib->DeviceGetMaxMigDeviceCount, missing) &&
              resolve(handle, "nvmlDeviceGetMigDeviceHandleByIndex", lib->DeviceGetMigDeviceHandleByIndex, missing);
    // A driver older than the _v3 process call (before 510) lacks one of these: too old to
    // be read correctly, said as such rather than half-read.
    if (!ok) return fmt::format("{}: no function {} (driver too old?)", path, missing);
    nvmlReturn_t r = init();
    if (r != NVML_SUCCESS) return lib->error("nvmlInit_v2", r);
    lib->initialised_ = true;
    return lib;
}

NvmlLibrary::~NvmlLibrary() {
    if (initialised_ && Shutdown) Shutdown();
    if (handle_) dlclose(handle_);
}

std::string NvmlLibrary::error(const char* function, nvmlReturn_t result) const {
    const char* text = ErrorString ? ErrorString(result) : nullptr;
    return fmt::format("{}: {} (NVML error {})", function, text ? text : "unknown error", static_cast<int>(result));
}

}  // namespace fructosa::gpu
