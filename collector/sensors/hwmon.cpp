#include "collector/sensors/hwmon.h"

#include <algorithm>
#include <string>

#include "collector/sensors/parse_util.h"
#include "common/metric.h"

namespace fructosa::sensors {

namespace {

const std::string hwmon_dir = "/sys/class/hwmon";

bool is_hwmon_attr(std::string_view a) {
    return a == "name" || a.starts_with("temp") || a.starts_with("fan");
}

/// N of every "<kind>N_input" attribute, ascending.
std::vector<int> channels(const SysfsDir& chip, std::string_view kind) {
    std::vector<int> out;
    for (const auto& [attr, value] : chip.attrs) {
        if (!attr.ends_with("_input")) continue;
        if (auto n = number_after(std::string_view(attr).substr(0, attr.size() - 6), kind))
            out.push_back(*n);
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// The chip names in order, repeated names made unique.
std::vector<std::string> chip_names(const std::vector<SysfsDir>& chips) {
    std::vector<std::string> taken, names;
    for (const auto& c : chips)
        names.push_back(unique_name(taken, sanitize_component(c.get("name").value_or(c.name))));
    return names;
}

/// Calls `each(prefix, channel)` for every channel of `kind` of every chip, with
/// prefix "<chip>.<label>".
template <typename F>
void for_each_channel(const std::vector<SysfsDir>& chips, std::string_view kind, F each) {
    auto names = chip_names(chips);
    for (std::size_t c = 0; c < chips.size(); ++c) {
        std::vector<std::string> labels;
        for (int n : channels(chips[c], kind)) {
            std::string base = std::string(kind) + std::to_string(n);
            auto label = chips[c].get(base + "_label").value_or(base);
            each(chips[c], names[c] + "." + unique_name(labels, sanitize_component(label)), base);
        }
    }
}

double attr_number(const SysfsDir& chip, const std::string& attr) {
    return to_double(*chip.get(attr), hwmon_dir + "/" + chip.name + "/" + attr, attr);
}

}  // namespace

std::vector<SysfsDir> read_hwmon_chips(const SystemReader& sys) {
    std::vector<SysfsDir> chips;
    for (const auto& name : numbered_names(sys.list_dir(hwmon_dir), "hwmon")) {
        auto dir = hwmon_dir + "/" + name;
        auto chip = read_sysfs_dir(sys, dir + "/device", is_hwmon_attr);
        chip.name = name;
        for (auto& [attr, value] : read_sysfs_dir(sys, dir, is_hwmon_attr).attrs)
            chip.attrs[attr] = value;
        chips.push_back(std::move(chip));
    }
    return chips;
}

Readings hwmon_temperatures(const std::vector<SysfsDir>& chips) {
    Readings out;
    for_each_channel(chips, "temp",
                     [&](const SysfsDir& chip, const std::string& prefix, const std::string& base) {
                         add(out, prefix + ".current", attr_number(chip, base + "_input") / 1000.0);
                         if (chip.get(base + "_max"))
                             add(out, prefix + ".high", attr_number(chip, base + "_max") / 1000.0);
                         if (chip.get(base + "_crit"))
                             add(out, prefix + ".critical",
                                 attr_number(chip, base + "_crit") / 1000.0);
                     });
    return out;
}

Readings hwmon_fans(const std::vector<SysfsDir>& chips) {
    Readings out;
    for_each_channel(chips, "fan",
                     [&](const SysfsDir& chip, const std::string& prefix, const std::string& base) {
                         add(out, prefix + ".current", attr_number(chip, base + "_input"));
                     });
    return out;
}

namespace {

class SensorsTemperaturesSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{
            "SensorsTemperatures",
            "hardware temperatures (hwmon)",
            {{"<chip>.<label>.current", "°C"},
             {"<chip>.<label>.high", "°C, the chip's high threshold"},
             {"<chip>.<label>.critical", "°C, the chip's critical threshold"}},
            {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        auto out = hwmon_temperatures(read_hwmon_chips(sys));
        if (out.empty()) return std::nullopt;
        return out;
    }
};

class SensorsFansSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{
            "SensorsFans", "fan speeds (hwmon)", {{"<chip>.<label>.current", "RPM"}}, {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        auto out = hwmon_fans(read_hwmon_chips(sys));
        if (out.empty()) return std::nullopt;
        return out;
    }
};

}  // namespace

std::unique_ptr<Sensor> make_sensors_temperatures_sensor() {
    return std::make_unique<SensorsTemperaturesSensor>();
}
std::unique_ptr<Sensor> make_sensors_fans_sensor() { return std::make_unique<SensorsFansSensor>(); }

}  // namespace fructosa::sensors
