#include "collector/gpu/nvml_reader.h"

#include <stdexcept>

#include <fmt/format.h>

namespace fructosa::gpu {

namespace {

/// True on success; records a failure other than NOT_SUPPORTED in the snapshot's problems.
bool ok(const NvmlLibrary& nvml, nvmlReturn_t r, const GpuDevice& d, const char* function, GpuSnapshot& s) {
    if (r == NVML_SUCCESS) return true;
    if (r != NVML_ERROR_NOT_SUPPORTED) s.problems.push_back(fmt::format("GPU {}: {}", d.key, nvml.error(function, r)));
    return false;
}

}  // namespace

GpuSnapshot NvmlReader::read(double now) {
    GpuSnapshot s;
    s.time = now;
    unsigned count = 0;
    if (auto r = nvml_.DeviceGetCount(&count); r != NVML_SUCCESS)
        throw std::runtime_error(nvml_.error("nvmlDeviceGetCount_v2", r));
    for (unsigned i = 0; i < count; ++i) {
        GpuDevice d;
        d.index = i;
        d.key = std::to_string(i);
        nvmlDevice_t h = nullptr;
        if (!ok(nvml_, nvml_.DeviceGetHandleByIndex(i, &h), d, "nvmlDeviceGetHandleByIndex_v2", s)) continue;
        read_device(h, d, s);
        unsigned current = 0, pending = 0;
        bool mig = nvml_.DeviceGetMigMode(h, &current, &pending) == NVML_SUCCESS && current == NVML_DEVICE_MIG_ENABLE;
        s.devices.push_back(std::move(d));
        if (!mig) continue;
        unsigned max = 0;
        if (!ok(nvml_, nvml_.DeviceGetMaxMigDeviceCount(h, &max), s.devices.back(), "nvmlDeviceGetMaxMigDeviceCount", s))
            continue;
        for (unsigned k = 0; k < max; ++k) {
            nvmlDevice_t mh = nullptr;
            // NOT_FOUND: no instance at this index (instances need not be contiguous).
            if (nvml_.DeviceGetMigDeviceHandleByIndex(h, k, &mh) != NVML_SUCCESS) continue;
            GpuDevice m;
            m.index = i;
            m.mig = k;
            m.key = fmt::format("{}_mig{}", i, k);
            read_device(mh, m, s);
            m.minor.reset();  // MIG instances have no /dev/nvidia<minor> of their own
            s.devices.push_back(std::move(m));
        }
    }
    return s;
}

void NvmlReader::read_device(nvmlDevice_t h, GpuDevice& d, GpuSnapshot& s) {
    unsigned u = 0;
    unsigned long long ull = 0;
    if (!d.mig && ok(nvml_, nvml_.DeviceGetMinorNumber(h, &u), d, "nvmlDeviceGetMinorNumber", s)) d.minor = u;
    char uuid[NVML_DEVICE_UUID_V2_BUFFER_SIZE] = {};
    if (ok(nvml_, nvml_.DeviceGetUUID(h, uuid, sizeof uuid), d, "nvmlDeviceGetUUID", s)) d.uuid = uuid;
    nvmlUtilization_t util{};
    if (ok(nvml_, nvml_.DeviceGetUtilizationRates(h, &util), d, "nvmlDeviceGetUtilizationRates", s)) {
        d.util_percent = util.gpu;
        d.memory_util_percent = util.memory;
    }
    nvmlMemory_t mem{};
    if (ok(nvml_, nvml_.DeviceGetMemoryInfo(h, &mem), d, "nvmlDeviceGetMemoryInfo", s)) {
        d.memory_used = mem.used;
        d.memory_total = mem.total;
    }
    if (ok(nvml_, nvml_.DeviceGetPowerUsage(h, &u), d, "nvmlDeviceGetPowerUsage", s)) d.power_watts = u / 1000.0;
    if (ok(nvml_, nvml_.DeviceGetTotalEnergyConsumption(h, &ull), d, "nvmlDeviceGetTotalEnergyConsumption", s))
        d.energy_joules = ull / 1000.0;
    if (ok(nvml_, nvml_.DeviceGetTemperature(h, NVML_TEMPERATURE_GPU, &u), d, "nvmlDeviceGetTemperature", s))
        d.temperature_celsius = u;
    if (ok(nvml_, nvml_.DeviceGetClockInfo(h, NVML_CLOCK_SM, &u), d, "nvmlDeviceGetClockInfo", s)) d.sm_clock_mhz = u;
    if (ok(nvml_, nvml_.DeviceGetCurrentClocksThrottleReasons(h, &ull), d, "nvmlDeviceGetCurrentClocksThrottleReasons",
           s))
        d.throttle_reasons = ull;
    if (ok(nvml_, nvml_.DeviceGetTotalEccErrors(h, NVML_MEMORY_ERROR_TYPE_CORRECTED, NVML_VOLATILE_ECC, &ull), d,
           "nvmlDeviceGetTotalEccErrors", s))
        d.ecc_corrected = ull;
    if (ok(nvml_, nvml_.DeviceGetTotalEccErrors(h, NVML_MEMORY_ERROR_TYPE_UNCORRECTED, NVML_VOLATILE_ECC, &ull), d,
           "nvmlDeviceGetTotalEccErrors", s))
        d.ecc_uncorrected = ull;
    read_processes(h, d, s);
}

void NvmlReader::read_processes(nvmlDevice_t h, GpuDevice& d, GpuSnapshot& s) {
    // Ask for the count, then read with room for a few that start in between.
    std::vector<nvmlProcessInfo_t> infos;
    unsigned n = 0;
    nvmlReturn_t r = nvml_.DeviceGetComputeRunningProcesses(h, &n, nullptr);
    for (int attempt = 0; attempt < 3 && r == NVML_ERROR_INSUFFICIENT_SIZE; ++attempt) {
        infos.resize(n + 8);
        n = static_cast<unsigned>(infos.size());
        r = nvml_.DeviceGetComputeRunningProcesses(h, &n, infos.data());
    }
    if (!ok(nvml_, r, d, "nvmlDeviceGetComputeRunningProcesses_v3", s)) return;
    infos.resize(n);
    std::vector<GpuProcess> procs;
    for (const auto& i : infos) {
        GpuProcess p;
        p.pid = i.pid;
        if (i.usedGpuMemory != NVML_VALUE_NOT_AVAILABLE) p.used_memory = i.usedGpuMemory;
        procs.push_back(p);
    }
    d.processes = std::move(procs);

    // Per-process SM use: only samples newer than the last ones seen, averaged per pid.
    unsigned long long& last_seen = last_seen_us_[d.key];
    unsigned samples = 0;
    r = nvml_.DeviceGetProcessUtilization(h, nullptr, &samples, last_seen);
    if (r == NVML_ERROR_NOT_FOUND) {  // answered: no process used the GPU since last time
        d.per_process_util = true;
        return;
    }
    if (r != NVML_ERROR_INSUFFICIENT_SIZE && r != NVML_SUCCESS) {
        ok(nvml_, r, d, "nvmlDeviceGetProcessUtilization", s);
        return;
    }
    std::vector<nvmlProcessUtilizationSample_t> buf(samples + 8);
    samples = static_cast<unsigned>(buf.size());
    r = nvml_.DeviceGetProcessUtilization(h, buf.data(), &samples, last_seen);
    if (r == NVML_ERROR_NOT_FOUND) {
        d.per_process_util = true;
        return;
    }
    if (!ok(nvml_, r, d, "nvmlDeviceGetProcessUtilization", s)) return;
    d.per_process_util = true;
    buf.resize(samples);
    for (auto& p : *d.processes) {
        double sum = 0;
        int count = 0;
        for (const auto& smp : buf)
            if (smp.pid == p.pid) sum += smp.smUtil, ++count;
        if (count > 0) p.sm_util_percent = sum / count;
    }
    for (const auto& smp : buf) last_seen = std::max(last_seen, smp.timeStamp);
}

}  // namespace fructosa::gpu
