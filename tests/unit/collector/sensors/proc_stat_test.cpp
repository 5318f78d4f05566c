// /proc/stat parsing shared by the CPU sensors, CPUStats and BootTime.
#include "collector/sensors/proc_stat.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(ProcStat, ParsesTotalsPerCpuAndCounters) {
    auto st = stat_of("host");
    EXPECT_EQ(st.total, (CpuTicks{12724, 0, 4307, 134111, 338, 0, 63, 13, 0, 0}));
    ASSERT_EQ(st.per_cpu.size(), 2u);  // cpu1 is offline: absent
    EXPECT_EQ(st.per_cpu[0].first, 0);
    EXPECT_EQ(st.per_cpu[1].first, 2);
    EXPECT_EQ(st.per_cpu[1].second[3], 66277u);
    EXPECT_EQ(st.ctxt, 439099u);
    EXPECT_EQ(st.intr, 242338u);
    EXPECT_EQ(st.softirq, 166040u);
    EXPECT_EQ(st.btime, 1795490382u);
}

TEST(ProcStat, OldKernelLinesWithFewerFieldsLeaveTheRestZero) {
    auto st = parse_proc_stat("cpu 1 2 3 4\ncpu0 1 2 3 4 5\n", "stat");
    EXPECT_EQ(st.total, (CpuTicks{1, 2, 3, 4, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(st.per_cpu[0].second[4], 5u);
    EXPECT_FALSE(st.btime.has_value());
}

TEST(ProcStat, MalformedTextNamesTheFile) {
    try {
        parse_proc_stat("cpu 1 2 x 4\n", "/proc/stat");
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/proc/stat"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_proc_stat("intr 5\n", "/proc/stat"), std::runtime_error);  // no cpu line
    EXPECT_THROW(parse_proc_stat("cpu 1 2\n", "/proc/stat"), std::runtime_error);
}
