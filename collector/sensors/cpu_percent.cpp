#include "collector/sensors/cpu_percent.h"

#include <algorithm>
#include <string>

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

double cpu_busy_percent(const CpuTicks& before, const CpuTicks& after) {
    auto d = cpu_ticks_delta(before, after);
    double all = cpu_total_ticks(d);
    if (all <= 0) return 0.0;
    double busy = all - static_cast<double>(d[3]) - static_cast<double>(d[4]);  // idle, iowait
    return std::clamp(busy / all * 100.0, 0.0, 100.0);
}

Readings cpu_percent_readings(const ProcStat& before, const ProcStat& after) {
    Readings out;
    for (const auto& [cpu, ticks] : after.per_cpu) {
        auto prev = std::find_if(before.per_cpu.begin(), before.per_cpu.end(),
                                 [cpu = cpu](const auto& p) { return p.first == cpu; });
        // A CPU that just came online has no baseline yet: it appears next time.
        if (prev == before.per_cpu.end()) continue;
        add(out, std::to_string(cpu), cpu_busy_percent(prev->second, ticks));
    }
    return out;
}

namespace {

/// Keeps the previous /proc/stat: the first sample only primes it.
class CpuPercentSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{"CPUPercent",
                                  "% busy of each logical CPU since the previous sample",
                                  {{"<n>", "% busy of CPU n (0, 1, ...; offline CPUs absent)"}},
                                  {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        auto st = read_proc_stat(sys);
        if (!st) return std::nullopt;
        Readings out;
        if (previous_) out = cpu_percent_readings(*previous_, *st);
        previous_ = std::move(st);
        return out;
    }

  private:
    std::optional<ProcStat> previous_;
};

}  // namespace

std::unique_ptr<Sensor> make_cpu_percent_sensor() { return std::make_unique<CpuPercentSensor>(); }

}  // namespace fructosa::sensors
