#include "collector/sensors/hardware_counters.h"

#include "collector/sensors/parse_util.h"
#include "common/logging.h"

namespace fructosa::sensors {

namespace {

class HardwareCountersSensor final : public Sensor {
  public:
    HardwareCountersSensor(PerfBackend& backend, MonotonicClock clock)
        : groups_(backend), clock_(std::move(clock)) {}
    const SensorInfo& info() const override {
        static const SensorInfo i{
            "HardwareCounters",
            "instructions per cycle of the node (perf_event_open; needs a PMU)",
            {{"ipc", "instructions per cycle since the previous sample"},
             {"instructions_per_s", "instructions retired per second, all CPUs"},
             {"cycles_per_s", "CPU cycles per second, all CPUs"}},
            {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        if (given_up_) return std::nullopt;
        if (!opened_) {
            static const std::string online = "/sys/devices/system/cpu/online";
            auto text = sys.read_file(online);
            if (!text) return std::nullopt;
            auto cpus = parse_cpu_list(*text);
            if (!cpus) parse_error(online, "not a CPU list: '" + std::string(trim(*text)) + "'");
            if (auto why = groups_.open(*cpus); !why.empty()) {
                // Said once: the PMU does not appear later, so no further tries.
                log_info("sensor HardwareCounters: cannot count instructions and cycles: {}", why);
                given_up_ = true;
                return std::nullopt;
            }
            opened_ = true;
        }
        double now = clock_();
        auto totals = groups_.read();
        if (!totals) return Readings{};  // opened, not scheduled yet: nothing measured
        Readings out;
        if (previous_) {
            double seconds = now - previous_time_;
            if (auto ipc = ipc_between(*previous_, *totals)) {
                add(out, "ipc", *ipc);
                if (seconds > 0) {
                    add(out, "instructions_per_s",
                        (totals->instructions - previous_->instructions) / seconds);
                    add(out, "cycles_per_s", (totals->cycles - previous_->cycles) / seconds);
                }
            }
        }
        previous_ = *totals;
        previous_time_ = now;
        return out;
    }

  private:
    CpuCounterGroups groups_;
    MonotonicClock clock_;
    bool opened_ = false, given_up_ = false;
    std::optional<CounterTotals> previous_;
    double previous_time_ = 0;
};

}  // namespace

std::unique_ptr<Sensor> make_hardware_counters_sensor(PerfBackend& backend, MonotonicClock clock) {
    return std::make_unique<HardwareCountersSensor>(backend, std::move(clock));
}
std::unique_ptr<Sensor> make_hardware_counters_sensor() {
    return make_hardware_counters_sensor(system_perf_backend(), steady_seconds);
}

}  // namespace fructosa::sensors
