#include "collector/sensors/cpu_stats.h"

#include <string>

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

Readings cpu_stats_readings(const ProcStat& st, std::string_view origin) {
    if (!st.ctxt) parse_error(origin, "no 'ctxt' line");
    if (!st.intr) parse_error(origin, "no 'intr' line");
    if (!st.softirq) parse_error(origin, "no 'softirq' line");
    Readings out;
    add(out, "ctx_switches", static_cast<double>(*st.ctxt));
    add(out, "interrupts", static_cast<double>(*st.intr));
    add(out, "soft_interrupts", static_cast<double>(*st.softirq));
    add(out, "syscalls", 0);
    return out;
}

namespace {

class CpuStatsSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{"CPUStats",
                                  "context switches and interrupts since boot",
                                  {{"ctx_switches", "count since boot"},
                                   {"interrupts", "count since boot"},
                                   {"soft_interrupts", "count since boot"},
                                   {"syscalls", "always 0 on Linux (as psutil)"}},
                                  {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        auto st = read_proc_stat(sys);
        if (!st) return std::nullopt;
        return cpu_stats_readings(*st, "/proc/stat");
    }
};

}  // namespace

std::unique_ptr<Sensor> make_cpu_stats_sensor() { return std::make_unique<CpuStatsSensor>(); }

}  // namespace fructosa::sensors
