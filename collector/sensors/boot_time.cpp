#include "collector/sensors/boot_time.h"

#include "collector/sensors/parse_util.h"
#include "collector/sensors/proc_stat.h"

namespace fructosa::sensors {

namespace {

class BootTimeSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{"BootTime",
                                  "when the machine booted",
                                  {{"", "epoch seconds (btime of /proc/stat)"}},
                                  {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        auto st = read_proc_stat(sys);
        if (!st) return std::nullopt;
        if (!st->btime) parse_error("/proc/stat", "no 'btime' line");
        return Readings{{"", static_cast<double>(*st->btime)}};
    }
};

}  // namespace

std::unique_ptr<Sensor> make_boot_time_sensor() { return std::make_unique<BootTimeSensor>(); }

}  // namespace fructosa::sensors
