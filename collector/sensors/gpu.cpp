#include "collector/sensors/gpu.h"

#include <stdexcept>

#include <fmt/format.h>

namespace fructosa::sensors {

GpuSensor::GpuSensor() : monitor_(std::make_shared<gpu::GpuMonitor>(gpu::GpuMonitorSettings{})) {}

const SensorInfo& GpuSensor::info() const {
    static const SensorInfo i{
        "GPU",
        "NVIDIA GPUs through NVML (libnvidia-ml.so.1 loaded at run time); MIG instances as <index>_mig<k>",
        {{"<gpu>.util_percent", "% of time a kernel ran (SM)"},
         {"<gpu>.memory_util_percent", "% of time memory was read or written"},
         {"<gpu>.memory_used", "bytes"},
         {"<gpu>.memory_total", "bytes"},
         {"<gpu>.power_watts", "W"},
         {"<gpu>.energy_joules", "J since the driver loaded"},
         {"<gpu>.temperature_celsius", "°C"},
         {"<gpu>.sm_clock_mhz", "MHz"},
         {"<gpu>.throttle_reasons", "NVML's clock throttle reason bit mask"},
         {"<gpu>.ecc_corrected", "volatile corrected ECC errors"},
         {"<gpu>.ecc_uncorrected", "volatile uncorrected ECC errors"},
         {"<gpu>.compute_processes", "compute processes on it"}},
        {{"library", "the NVML library to dlopen (default libnvidia-ml.so.1)"},
         {"hang timeout", "seconds an NVML call may run before its figures count as stale (default 10)"}}};
    return i;
}

void GpuSensor::configure(SectionReader& options) {
    gpu::GpuMonitorSettings s;
    s.library = options.get_string("library", s.library);
    if (s.library.empty()) options.fail("library", "needs a library name or path");
    s.interval_s = options.get_double("time_interval", 60, 0.01, 86400 * 7);  // as agent_config reads it
    s.hang_timeout_s = options.get_double("hang timeout", s.hang_timeout_s, 0.1, 3600);
    monitor_ = std::make_shared<gpu::GpuMonitor>(std::move(s));
}

std::optional<Readings> GpuSensor::sample(const SystemReader&) {
    using State = gpu::GpuMonitor::State;
    gpu::GpuMonitor::View v = monitor_->latest();
    switch (v.state) {
    case State::starting:
        return Readings{};
    case State::unavailable:
        if (!told_why_unavailable_) log_info("sensor GPU: NVML not available: {}", v.error);
        told_why_unavailable_ = true;
        return std::nullopt;
    case State::failed:
    case State::hung:
        throw std::runtime_error(v.error);
    case State::ok:
        break;
    }
    told_why_unavailable_ = false;
    if (!v.snapshot->problems.empty())
        problems_.complain(fmt::format("sensor GPU: {} (and {} more)", v.snapshot->problems.front(),
                                       v.snapshot->problems.size() - 1));
    else
        problems_.release("sensor GPU: every NVML call answers again");
    return gpu::gpu_host_readings(*v.snapshot);
}

std::unique_ptr<Sensor> make_gpu_sensor() { return std::make_unique<GpuSensor>(); }

}  // namespace fructosa::sensors
