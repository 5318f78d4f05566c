// SensorsBattery: the first battery of /sys/class/power_supply, psutil's rules.
#include "collector/sensors/battery.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(SensorsBattery, DischargingFromTheTree) {
    // energy 30/40 Wh, drawing 10 W: 75 %, 3 h left, AC offline.
    auto r = sample_on("SensorsBattery", "laptop");
    EXPECT_EQ(r, (Readings{{"percent", 75}, {"secsleft", 10800}, {"power_plugged", 0}}));
}

TEST(SensorsBattery, PluggedInIsUnlimited) {
    std::vector<SysfsDir> s = {{"ACAD", {{"type", "Mains"}, {"online", "1"}}},
                               {"BAT1",
                                {{"type", "Battery"},
                                 {"status", "Charging"},
                                 {"capacity", "42"},
                                 {"charge_now", "2000000"},
                                 {"current_now", "1000000"}}}};
    EXPECT_EQ(
        battery_readings(s),
        (Readings{{"percent", 42}, {"secsleft", power_time_unlimited}, {"power_plugged", 1}}));
}

TEST(SensorsBattery, StatusDecidesWithoutMainsAndPeripheralsAreIgnored) {
    std::vector<SysfsDir> s = {
        {"hid-mouse-battery", {{"type", "Battery"}, {"scope", "Device"}, {"capacity", "10"}}},
        {"BAT0", {{"type", "Battery"}, {"status", "Discharging"}, {"capacity", "60"}}}};
    EXPECT_EQ(battery_readings(s),
              (Readings{{"percent", 60}, {"secsleft", power_time_unknown}, {"power_plugged", 0}}));
    std::vector<SysfsDir> unknown = {
        {"BAT0", {{"type", "Battery"}, {"status", "Unknown"}, {"capacity", "60"}}}};
    EXPECT_EQ(battery_readings(unknown),
              (Readings{{"percent", 60}, {"secsleft", power_time_unknown}}));
    std::vector<SysfsDir> mouse_only = {s[0]};
    EXPECT_FALSE(battery_readings(mouse_only).has_value());
    std::vector<SysfsDir> no_charge = {{"BAT0", {{"type", "Battery"}}}};
    EXPECT_FALSE(battery_readings(no_charge).has_value());
}
