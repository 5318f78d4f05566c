// SensorsTemperatures and SensorsFans: hwmon chips of /sys/class/hwmon.
#include "collector/sensors/hwmon.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(Hwmon, ReadsChipsInNumberOrderWithDeviceSubdirectory) {
    auto chips = read_hwmon_chips(FixtureSystemReader(fixture_root("laptop")));
    ASSERT_EQ(chips.size(), 4u);
    EXPECT_EQ(chips[2].name, "hwmon2");
    EXPECT_EQ(chips[3].name, "hwmon10");
    EXPECT_EQ(chips[3].get("name"), "acpitz");  // from hwmon10/device/
    EXPECT_EQ(chips[0].get("temp1_label"), "Package id 0");
}

TEST(SensorsTemperatures, CurrentHighCriticalInCelsius) {
    auto r = sample_on("SensorsTemperatures", "laptop");
    EXPECT_EQ(r, (Readings{{"coretemp.Package_id_0.current", 45},
                           {"coretemp.Package_id_0.high", 80},
                           {"coretemp.Package_id_0.critical", 100},
                           {"coretemp.Core_0.current", 43.5},
                           {"coretemp.Core_0.high", 80},
                           {"coretemp.Core_0.critical", 100},
                           {"nct6775.temp1.current", 30},
                           {"coretemp_1.Package_id_1.current", 50},
                           {"acpitz.temp1.current", 27.8}}));
}

TEST(SensorsFans, Rpm) {
    auto r = sample_on("SensorsFans", "laptop");
    EXPECT_EQ(r, (Readings{{"nct6775.fan1.current", 1200}, {"nct6775.CPU_Fan.current", 0}}));
}

TEST(Hwmon, NoHwmonIsNullopt) {
    FixtureSystemReader host(fixture_root("host"));
    EXPECT_FALSE(make_sensor("SensorsTemperatures")->sample(host).has_value());
    EXPECT_FALSE(make_sensor("SensorsFans")->sample(host).has_value());
    EXPECT_FALSE(make_sensor("SensorsBattery")->sample(host).has_value());
}

TEST(Hwmon, DuplicateLabelsAndMalformedValues) {
    std::vector<SysfsDir> chips = {
        {"hwmon0",
         {{"name", "nvme"},
          {"temp1_input", "31000"},
          {"temp1_label", "Sensor"},
          {"temp2_input", "32000"},
          {"temp2_label", "Sensor"}}},
        {"hwmon1", {{"temp1_input", "1000"}}}};  // no name: the directory's
    EXPECT_EQ(hwmon_temperatures(chips), (Readings{{"nvme.Sensor.current", 31},
                                                   {"nvme.Sensor_1.current", 32},
                                                   {"hwmon1.temp1.current", 1}}));
    std::vector<SysfsDir> bad = {{"hwmon3", {{"name", "x"}, {"temp1_input", "hot"}}}};
    try {
        hwmon_temperatures(bad);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/sys/class/hwmon/hwmon3/temp1_input"),
                  std::string::npos)
            << e.what();
    }
}

TEST(SensorsFans, LabelsNumbersAndRepeatedChipNames) {
    std::vector<SysfsDir> chips = {
        {"hwmon0",
         {{"name", "it87"},
          {"fan2_input", "900"},
          {"fan1_input", "1500"},
          {"fan1_label", "Rear Fan"}}},
        {"hwmon1", {{"name", "it87"}, {"fan1_input", "0"}, {"temp1_input", "1000"}}},
        {"hwmon2", {{"name", "nofans"}, {"fan1_min", "300"}}}};  // no _input: no channel
    EXPECT_EQ(hwmon_fans(chips), (Readings{{"it87.Rear_Fan.current", 1500},
                                           {"it87.fan2.current", 900},
                                           {"it87_1.fan1.current", 0}}));
    EXPECT_TRUE(hwmon_fans({}).empty());
}
