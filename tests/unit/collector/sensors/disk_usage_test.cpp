// DiskUsage: statvfs figures of the configured paths.
#include "collector/sensors/disk_usage.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(DiskUsage, OnePathKeepsTheOriginalFieldNames) {
    // statvfs fixture: / total 1000000, used 400000, free 500000.
    auto r = sample_on("DiskUsage", "host");
    EXPECT_EQ(r, (Readings{{"total", 1000000},
                           {"used", 400000},
                           {"free", 500000},
                           {"percent", 400000.0 / 900000 * 100}}));
}

TEST(DiskUsage, SeveralPathsArePrefixedAndMissingOnesSkipped) {
    auto r = sample_on("DiskUsage", "host", "path = /, /srv/data, /not/mounted\n");
    ASSERT_EQ(r.size(), 8u);
    EXPECT_DOUBLE_EQ(at(r, "root.total"), 1000000);
    EXPECT_DOUBLE_EQ(at(r, "srv_data.used"), 1500);
    EXPECT_DOUBLE_EQ(at(r, "srv_data.free"), 400);
    EXPECT_DOUBLE_EQ(at(r, "srv_data.percent"), 1500.0 / 1900 * 100);
    auto none = sensor("DiskUsage", "path = /not/mounted\n");
    EXPECT_FALSE(none->sample(FixtureSystemReader(fixture_root("host"))).has_value());
}

TEST(DiskUsage, RelativePathIsAConfigError) {
    auto s = make_sensor("DiskUsage");
    auto ini = IniFile::parse("[sensor:DiskUsage]\npath = home\n", "x.conf");
    SectionReader section(ini, "sensor:DiskUsage");
    EXPECT_THROW(s->configure(section), ConfigError);
}

TEST(DiskUsage, PercentOfWhatUsersCanHave) {
    // 100 blocks reserved for root: neither used nor free.
    EXPECT_EQ(
        disk_usage_readings(FsUsage{1000, 300, 600}, ""),
        (Readings{{"total", 1000}, {"used", 300}, {"free", 600}, {"percent", 300.0 / 900 * 100}}));
    EXPECT_EQ(disk_usage_readings(FsUsage{0, 0, 0}, "srv_data"),
              (Readings{{"srv_data.total", 0},
                        {"srv_data.used", 0},
                        {"srv_data.free", 0},
                        {"srv_data.percent", 0}}));
}
