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

TEST(SensorsBattery, ChargeFilesWhenThereIsNoEnergy) {
    // charge 1.5/3 Ah drawing 0.5 A: 50 %, 3 h left; no mains, the status decides.
    std::vector<SysfsDir> s = {{"BAT1",
                                {{"type", "Battery"},
                                 {"status", "Discharging"},
                                 {"capacity", "49"},
                                 {"charge_now", "1500000"},
                                 {"charge_full", "3000000"},
                                 {"current_now", "500000"}}}};
    EXPECT_EQ(battery_readings(s),
              (Readings{{"percent", 50}, {"secsleft", 10800}, {"power_plugged", 0}}));
}

TEST(SensorsBattery, PercentClampedSecondsTruncated) {
    std::vector<SysfsDir> s = {{"BAT0",
                                {{"type", "Battery"},
                                 {"status", "Discharging"},
                                 {"energy_now", "41000000"},
                                 {"energy_full", "40000000"},
                                 {"power_now", "7000000"}}}};
    // 41/7 h = 21085.71... s
    EXPECT_EQ(battery_readings(s),
              (Readings{{"percent", 100}, {"secsleft", 21085}, {"power_plugged", 0}}));
    s[0].attrs["power_now"] = "0";  // no draw: remaining time unknown
    EXPECT_EQ(battery_readings(s),
              (Readings{{"percent", 100}, {"secsleft", power_time_unknown}, {"power_plugged", 0}}));
}

TEST(SensorsBattery, MainsOnlineWinsOverTheStatus) {
    std::vector<SysfsDir> s = {
        {"BAT0", {{"type", "Battery"}, {"status", "Discharging"}, {"capacity", "80"}}},
        {"AC0", {{"online", "1"}}}};  // no type attribute: known by its name
    EXPECT_EQ(
        battery_readings(s),
        (Readings{{"percent", 80}, {"secsleft", power_time_unlimited}, {"power_plugged", 1}}));
    s[1].attrs["online"] = "0";
    EXPECT_EQ(battery_readings(s),
              (Readings{{"percent", 80}, {"secsleft", power_time_unknown}, {"power_plugged", 0}}));
    std::vector<SysfsDir> full = {
        {"BAT0", {{"type", "Battery"}, {"status", "Full"}, {"capacity", "100"}}}};
    EXPECT_EQ(
        battery_readings(full),
        (Readings{{"percent", 100}, {"secsleft", power_time_unlimited}, {"power_plugged", 1}}));
}

TEST(SensorsBattery, OldKernelsWithoutTypeGoByName) {
    std::vector<SysfsDir> bat = {{"ADP1", {{"online", "0"}}}, {"BAT1", {{"capacity", "30"}}}};
    EXPECT_EQ(battery_readings(bat), (Readings{{"percent", 30}, {"secsleft", power_time_unknown}}));
    std::vector<SysfsDir> named = {{"CMB1_Battery", {{"capacity", "20"}}}};
    EXPECT_EQ(battery_readings(named),
              (Readings{{"percent", 20}, {"secsleft", power_time_unknown}}));
    std::vector<SysfsDir> none = {{"ADP1", {{"capacity", "20"}}}};
    EXPECT_FALSE(battery_readings(none).has_value());
    EXPECT_FALSE(battery_readings({}).has_value());
}

TEST(SensorsBattery, MalformedValueNamesTheFile) {
    std::vector<SysfsDir> s = {
        {"BAT0", {{"type", "Battery"}, {"energy_now", "lots"}, {"energy_full", "1"}}}};
    try {
        battery_readings(s);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(),
                     "/sys/class/power_supply/BAT0/energy_now: energy_now is not a number: 'lots'");
    }
}

TEST(SensorsBattery, NoPowerSupplyIsNullopt) {
    TempTree tree;
    tree.write("/sys/class/power_supply/AC/type", "Mains\n")
        .write("/sys/class/power_supply/AC/online", "1\n");
    EXPECT_FALSE(sensor("SensorsBattery")->sample(tree.reader()).has_value());
}
