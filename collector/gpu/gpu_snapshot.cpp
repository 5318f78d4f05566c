#include "collector/gpu/gpu_snapshot.h"

namespace fructosa::gpu {

namespace {

template <typename T>
void put(Readings& out, const GpuDevice& d, const char* field, const std::optional<T>& v) {
    if (v) out.push_back({d.key + "." + field, static_cast<double>(*v)});
}

}  // namespace

Readings gpu_host_readings(const GpuSnapshot& snapshot) {
    Readings out;
    for (const auto& d : snapshot.devices) {
        put(out, d, "util_percent", d.util_percent);
        put(out, d, "memory_util_percent", d.memory_util_percent);
        put(out, d, "memory_used", d.memory_used);
        put(out, d, "memory_total", d.memory_total);
        put(out, d, "power_watts", d.power_watts);
        put(out, d, "energy_joules", d.energy_joules);
        put(out, d, "temperature_celsius", d.temperature_celsius);
        put(out, d, "sm_clock_mhz", d.sm_clock_mhz);
        put(out, d, "throttle_reasons", d.throttle_reasons);
        put(out, d, "ecc_corrected", d.ecc_corrected);
        put(out, d, "ecc_uncorrected", d.ecc_uncorrected);
        if (d.processes) out.push_back({d.key + ".compute_processes", double(d.processes->size())});
    }
    return out;
}

}  // namespace fructosa::gpu
