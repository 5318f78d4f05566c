#pragma once
/// GPU: NVIDIA GPUs through NVML, loaded at run time (collector/gpu/). Series
/// "<host>.GPU.<key>.<field>", key "<index>" per GPU and "<index>_mig<k>" per MIG
/// instance; fields in gpu_snapshot.h (gpu_host_readings). The NVML calls run on the
/// sensor's GpuMonitor thread; this sensor only reads the monitor's newest snapshot, so a
/// hung driver costs a sensor error per interval, never a stalled lagent.

#include <memory>

#include "collector/gpu/gpu_monitor.h"
#include "collector/sensor.h"
#include "common/logging.h"

namespace fructosa::sensors {

class GpuSensor final : public Sensor {
public:
    GpuSensor();
    const SensorInfo& info() const override;
    /// Options: library (default libnvidia-ml.so.1), hang timeout (s, default 10); also reads
    /// time_interval, which the monitor's thread samples at.
    void configure(SectionReader& options) override;
    /// nullopt when NVML cannot be loaded (no library, no driver); no readings until the
    /// first snapshot; throws while an NVML call hangs or the last read failed.
    std::optional<Readings> sample(const SystemReader& sys) override;
    /// The monitor the job tracker reads too (one NVML reader per lagent).
    std::shared_ptr<gpu::GpuMonitor> monitor() const { return monitor_; }

private:
    std::shared_ptr<gpu::GpuMonitor> monitor_;
    bool told_why_unavailable_ = false;
    Complaint problems_;
};

std::unique_ptr<Sensor> make_gpu_sensor();

}  // namespace fructosa::sensors
