// BootTime: btime of /proc/stat.
#include "collector/sensors/boot_time.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(BootTime, BtimeOfProcStat) {
    EXPECT_EQ(sample_on("BootTime", "host"), (Readings{{"", 1795490382}}));
}

TEST(BootTime, SameBootLaterSample) {
    EXPECT_EQ(sample_on("BootTime", "host_later"), (Readings{{"", 1795490382}}));
}

TEST(BootTime, NoProcStatIsNullopt) {
    EXPECT_FALSE(
        sensor("BootTime")->sample(FixtureSystemReader(fixture_root("laptop"))).has_value());
}

TEST(BootTime, ProcStatWithoutBtimeIsAnError) {
    TempTree tree;
    tree.write("/proc/stat", "cpu 1 2 3 4\nctxt 5\n");
    try {
        sensor("BootTime")->sample(tree.reader());
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "/proc/stat: no 'btime' line");
    }
    tree.write("/proc/stat", "cpu 1 2 3 4\nbtime 1700000000\n");
    EXPECT_EQ(sensor("BootTime")->sample(tree.reader()), (Readings{{"", 1700000000}}));
}
