// BootTime: btime of /proc/stat.
#include "collector/sensors/boot_time.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(BootTime, BtimeOfProcStat) {
    EXPECT_EQ(sample_on("BootTime", "host"), (Readings{{"", 1795490382}}));
}
