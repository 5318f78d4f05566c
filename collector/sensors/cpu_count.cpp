#include "collector/sensors/cpu_count.h"

#include <string>

#include "collector/sensors/parse_util.h"
#include "collector/sensors/proc_stat.h"

namespace fructosa::sensors {

int count_cpu_list(std::string_view list, std::string_view origin) {
    list = trim(list);
    if (list.empty()) parse_error(origin, "empty CPU list");
    int count = 0;
    while (!list.empty()) {
        auto comma = list.find(',');
        auto item = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        auto dash = item.find('-');
        if (dash == std::string_view::npos) {
            to_u64(item, origin, "CPU number");
            ++count;
            continue;
        }
        auto first = to_u64(item.substr(0, dash), origin, "CPU range start");
        auto last = to_u64(item.substr(dash + 1), origin, "CPU range end");
        if (last < first)
            parse_error(origin, "CPU range '" + std::string(item) + "' goes backwards");
        count += static_cast<int>(last - first + 1);
    }
    return count;
}

namespace {

class CpuCountSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{"CPUCount", "logical CPUs online", {{"", "count"}}, {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        static const std::string online = "/sys/devices/system/cpu/online";
        if (auto text = sys.read_file(online))
            return Readings{{"", static_cast<double>(count_cpu_list(*text, online))}};
        auto st = read_proc_stat(sys);
        if (!st || st->per_cpu.empty()) return std::nullopt;
        return Readings{{"", static_cast<double>(st->per_cpu.size())}};
    }
};

}  // namespace

std::unique_ptr<Sensor> make_cpu_count_sensor() { return std::make_unique<CpuCountSensor>(); }

}  // namespace fructosa::sensors
