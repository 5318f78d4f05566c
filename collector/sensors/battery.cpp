#include "collector/sensors/battery.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

namespace {

const std::string supply_dir = "/sys/class/power_supply";

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

/// The first attribute of `names` that the supply has, as a number.
std::optional<double> first_number(const SysfsDir& d, std::initializer_list<const char*> names) {
    for (const char* n : names)
        if (auto v = d.get(n)) return to_double(*v, supply_dir + "/" + d.name + "/" + n, n);
    return std::nullopt;
}

bool is_battery(const SysfsDir& d) {
    if (auto type = d.get("type")) return *type == "Battery" && d.get("scope") != "Device";
    // No type attribute (very old kernels): psutil's name rule.
    return d.name.starts_with("BAT") || lower(d.name).find("battery") != std::string::npos;
}

}  // namespace

std::optional<Readings> battery_readings(const std::vector<SysfsDir>& supplies) {
    auto bat = std::find_if(supplies.begin(), supplies.end(), is_battery);
    if (bat == supplies.end()) return std::nullopt;

    auto energy_now = first_number(*bat, {"energy_now", "charge_now"});
    auto power_now = first_number(*bat, {"power_now", "current_now"});
    auto energy_full = first_number(*bat, {"energy_full", "charge_full"});
    std::optional<double> percent;
    if (energy_now && energy_full && *energy_full > 0)
        percent = *energy_now / *energy_full * 100.0;
    else
        percent = first_number(*bat, {"capacity"});
    if (!percent) return std::nullopt;

    std::optional<bool> plugged;
    for (const auto& s : supplies)
        if (s.get("type") == "Mains" || s.name == "AC" || s.name == "AC0")
            if (auto online = s.get("online")) plugged = plugged.value_or(false) || *online == "1";
    if (!plugged) {
        auto status = lower(bat->get("status").value_or(""));
        if (status == "discharging")
            plugged = false;
        else if (status == "charging" || status == "full")
            plugged = true;
    }

    double secsleft = power_time_unknown;
    if (plugged == true)
        secsleft = power_time_unlimited;
    else if (energy_now && power_now && *power_now > 0)
        secsleft = static_cast<double>(static_cast<long long>(*energy_now / *power_now * 3600.0));

    Readings out;
    add(out, "percent", std::min(*percent, 100.0));
    add(out, "secsleft", secsleft);
    if (plugged) add(out, "power_plugged", *plugged ? 1 : 0);
    return out;
}

namespace {

class SensorsBatterySensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{"SensorsBattery",
                                  "battery charge and remaining time",
                                  {{"percent", "% charged"},
                                   {"secsleft", "s left; -1 unknown, -2 plugged in (unlimited)"},
                                   {"power_plugged", "1 on mains power, 0 on battery"}},
                                  {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        std::vector<SysfsDir> supplies;
        for (const auto& name : sys.list_dir(supply_dir))
            supplies.push_back(read_sysfs_dir(sys, supply_dir + "/" + name, [](std::string_view a) {
                return a == "type" || a == "scope" || a == "status" || a == "online" ||
                       a == "capacity" || a.starts_with("energy_") || a.starts_with("charge_") ||
                       a == "power_now" || a == "current_now";
            }));
        return battery_readings(supplies);
    }
};

}  // namespace

std::unique_ptr<Sensor> make_sensors_battery_sensor() {
    return std::make_unique<SensorsBatterySensor>();
}

}  // namespace fructosa::sensors
