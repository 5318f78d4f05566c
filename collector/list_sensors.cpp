#include "collector/list_sensors.h"

#include <fmt/format.h>

#include "collector/sensor.h"

namespace fructosa {

void print_sensor_list(std::ostream& out) {
    out << "Host sensors (enable with a [sensor:<Name>] section and time_interval = SECONDS):\n";
    for (const auto& reg : sensor_registry()) {
        auto sensor = reg.make();
        const SensorInfo& info = sensor->info();
        out << fmt::format("\n{}\n    {}\n    fields:\n", info.name, info.help);
        for (const auto& [field, help] : info.fields)
            out << fmt::format("      {:<28} {}\n", field.empty() ? "(the sensor's own value)" : field, help);
        out << fmt::format("    options:\n      {:<28} seconds between samples (fractions allowed; default {})\n",
                           "time_interval", info.default_interval_s);
        for (const auto& [opt, help] : info.options) out << fmt::format("      {:<28} {}\n", opt, help);
    }
}

}  // namespace fructosa
