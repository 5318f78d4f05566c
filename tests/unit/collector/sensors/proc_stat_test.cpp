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

TEST(ProcStat, ReadFromTheTreeOrNullopt) {
    auto st = read_proc_stat(FixtureSystemReader(fixture_root("host_later")));
    ASSERT_TRUE(st.has_value());
    EXPECT_EQ(st->total, (CpuTicks{12794, 0, 4327, 134391, 358, 0, 73, 13, 4, 0}));
    ASSERT_EQ(st->per_cpu.size(), 3u);
    EXPECT_EQ(st->per_cpu[2].first, 3);
    EXPECT_EQ(st->ctxt, 440099u);
    EXPECT_FALSE(read_proc_stat(FixtureSystemReader(fixture_root("laptop"))).has_value());
}

TEST(ProcStat, TotalTicksLeaveGuestTimeOut) {
    // guest and guest_nice are already counted inside user and nice.
    EXPECT_DOUBLE_EQ(cpu_total_ticks(CpuTicks{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), 36);
    EXPECT_DOUBLE_EQ(cpu_total_ticks(stat_of("host").total), 151556);
    EXPECT_DOUBLE_EQ(cpu_total_ticks(stat_of("host_later").total), 151956);
    EXPECT_DOUBLE_EQ(cpu_total_ticks(CpuTicks{}), 0);
}

TEST(ProcStat, DeltaPerFieldNeverBelowZero) {
    CpuTicks before{10, 5, 20, 100, 0, 0, 0, 0, 0, 0};
    CpuTicks after{15, 5, 18, 150, 1, 0, 0, 0, 2, 0};
    EXPECT_EQ(cpu_ticks_delta(before, after), (CpuTicks{5, 0, 0, 50, 1, 0, 0, 0, 2, 0}));
    EXPECT_EQ(cpu_ticks_delta(after, before), (CpuTicks{0, 0, 2, 0, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(cpu_ticks_delta(stat_of("host").total, stat_of("host_later").total),
              (CpuTicks{70, 0, 20, 280, 20, 0, 10, 0, 4, 0}));
}

TEST(ProcStat, UnknownLinesAreIgnoredAndCountersNeedANumber) {
    auto st = parse_proc_stat("cpu 1 2 3 4\nprocesses 9\npage 1 2\nbtime 7\n", "s");
    EXPECT_EQ(st.btime, 7u);
    EXPECT_FALSE(st.ctxt.has_value());
    EXPECT_TRUE(st.per_cpu.empty());
    try {
        parse_proc_stat("cpu 1 2 3 4\nctxt\n", "/proc/stat");
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "/proc/stat: 'ctxt' line has no number");
    }
    EXPECT_THROW(parse_proc_stat("cpu 1 2 3 4\ncpuX 1 2 3 4\n", "s"), std::runtime_error);
}

TEST(ProcStat, InterruptLinesGiveTheirTotalWhateverFollows) {
    // Only the total is read; the per-interrupt numbers after it are not even split.
    auto st = parse_proc_stat("cpu 1 2 3 4\nintr 900 1 2 x 4\nsoftirq 77 junk\nintr2 5\n", "s");
    EXPECT_EQ(st.intr, 900u);
    EXPECT_EQ(st.softirq, 77u);
    EXPECT_EQ(parse_proc_stat("cpu 1 2 3 4\nintr 12\n", "s").intr, 12u);
    try {
        parse_proc_stat("cpu 1 2 3 4\nintr 9y 1 2\n", "/proc/stat");
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "/proc/stat: intr is not a number: '9y'");
    }
    try {
        parse_proc_stat("cpu 1 2 3 4\nintr\n", "/proc/stat");
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "/proc/stat: 'intr' line has no number");
    }
}
