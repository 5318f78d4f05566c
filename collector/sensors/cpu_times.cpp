#include "collector/sensors/cpu_times.h"

#include <algorithm>
#include <string>

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

Readings cpu_times_readings(const CpuTicks& ticks, double ticks_per_second) {
    Readings out;
    for (std::size_t i = 0; i < ticks.size(); ++i)
        add(out, std::string(cpu_time_fields[i]), static_cast<double>(ticks[i]) / ticks_per_second);
    return out;
}

Readings cpu_times_percent_readings(const CpuTicks& before, const CpuTicks& after) {
    auto delta = cpu_ticks_delta(before, after);
    double all = cpu_total_ticks(delta);
    Readings out;
    for (std::size_t i = 0; i < delta.size(); ++i) {
        double pct = all > 0 ? static_cast<double>(delta[i]) / all * 100.0 : 0.0;
        add(out, std::string(cpu_time_fields[i]), std::clamp(pct, 0.0, 100.0));
    }
    return out;
}

namespace {

std::vector<std::pair<std::string, std::string>> time_fields(const std::string& unit) {
    std::vector<std::pair<std::string, std::string>> f;
    for (auto name : cpu_time_fields) f.emplace_back(std::string(name), unit);
    return f;
}

class CpuTimesSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{"CPUTimes",
                                  "system-wide CPU times from /proc/stat",
                                  time_fields("seconds since boot"),
                                  {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        auto st = read_proc_stat(sys);
        if (!st) return std::nullopt;
        return cpu_times_readings(st->total, clock_ticks_per_second());
    }
};

/// Keeps the previous "cpu" line: the first sample only primes it.
class CpuTimesPercentSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{
            "CPUTimesPercent",
            "system-wide CPU times in % of the time since the previous sample",
            time_fields("% since the previous sample"),
            {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        auto st = read_proc_stat(sys);
        if (!st) return std::nullopt;
        Readings out;
        if (previous_) out = cpu_times_percent_readings(*previous_, st->total);
        previous_ = st->total;
        return out;
    }

  private:
    std::optional<CpuTicks> previous_;
};

}  // namespace

std::unique_ptr<Sensor> make_cpu_times_sensor() { return std::make_unique<CpuTimesSensor>(); }
std::unique_ptr<Sensor> make_cpu_times_percent_sensor() {
    return std::make_unique<CpuTimesPercentSensor>();
}

}  // namespace fructosa::sensors
