// A sysfs directory read into memory: the attributes asked for, trimmed; what cannot be
// read as a file (a subdirectory) left out.
#include "collector/sensors/sysfs_dir.h"

#include <map>
#include <string>

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

namespace {

using Attrs = std::map<std::string, std::string>;

bool any(std::string_view) { return true; }

}  // namespace

TEST(SysfsDir, ReadsEveryWantedAttributeTrimmed) {
    FixtureSystemReader laptop(fixture_root("laptop"));
    auto d = read_sysfs_dir(laptop, "/sys/class/power_supply/BAT0", any);
    EXPECT_EQ(d.name, "BAT0");
    EXPECT_EQ(d.attrs, (Attrs{{"capacity", "75"},
                              {"energy_full", "40000000"},
                              {"energy_full_design", "45000000"},
                              {"energy_now", "30000000"},
                              {"power_now", "10000000"},
                              {"present", "1"},
                              {"status", "Discharging"},
                              {"technology", "Li-ion"},
                              {"type", "Battery"}}));
}

TEST(SysfsDir, FilterChoosesTheAttributes) {
    FixtureSystemReader laptop(fixture_root("laptop"));
    auto d = read_sysfs_dir(laptop, "/sys/class/power_supply/BAT0",
                            [](std::string_view a) { return a.starts_with("energy_"); });
    EXPECT_EQ(d.attrs, (Attrs{{"energy_full", "40000000"},
                              {"energy_full_design", "45000000"},
                              {"energy_now", "30000000"}}));
}

TEST(SysfsDir, EmptyFileIsAnEmptyValueSubdirectoryIsLeftOut) {
    FixtureSystemReader laptop(fixture_root("laptop"));
    auto chip = read_sysfs_dir(laptop, "/sys/class/hwmon/hwmon0",
                               [](std::string_view a) { return a == "uevent" || a == "name"; });
    EXPECT_EQ(chip.attrs, (Attrs{{"name", "coretemp"}, {"uevent", ""}}));
    // hwmon10 holds only the directory "device": nothing readable.
    auto parent = read_sysfs_dir(laptop, "/sys/class/hwmon/hwmon10", any);
    EXPECT_EQ(parent.name, "hwmon10");
    EXPECT_TRUE(parent.attrs.empty());
    auto device = read_sysfs_dir(laptop, "/sys/class/hwmon/hwmon10/device", any);
    EXPECT_EQ(device.name, "device");
    EXPECT_EQ(device.attrs, (Attrs{{"name", "acpitz"}, {"temp1_input", "27800"}}));
}

TEST(SysfsDir, MissingDirectoryIsEmptyAndNamedByItsLastComponent) {
    auto d = read_sysfs_dir(FixtureSystemReader(fixture_root("host")), "/sys/class/net/eth7", any);
    EXPECT_EQ(d.name, "eth7");
    EXPECT_TRUE(d.attrs.empty());
}

TEST(SysfsDir, GetIsNulloptForAnAbsentAttribute) {
    SysfsDir d{"eth0", {{"mtu", "1500"}, {"speed", ""}}};
    EXPECT_EQ(d.get("mtu"), "1500");
    EXPECT_EQ(d.get("speed"), "");  // present but empty is not absent
    EXPECT_EQ(d.get("duplex"), std::nullopt);
}

TEST(SysfsDir, AttributesByNameAreWhatTheListingGives) {
    // read_sysfs_attrs reads the named attributes without listing: the same result as
    // read_sysfs_dir with a filter of those names, absent and unreadable ones left out.
    FixtureSystemReader laptop(fixture_root("laptop"));
    auto by_name = read_sysfs_attrs(laptop, "/sys/class/power_supply/BAT0", {"capacity", "status", "no_such", "type"});
    EXPECT_EQ(by_name.name, "BAT0");
    EXPECT_EQ(by_name.attrs, (Attrs{{"capacity", "75"}, {"status", "Discharging"}, {"type", "Battery"}}));
    auto subdir = read_sysfs_attrs(laptop, "/sys/class/hwmon/hwmon10", {"device"});
    EXPECT_TRUE(subdir.attrs.empty());  // a directory is no attribute
}
