#include "collector/sensors/cpu_count.h"
#include "collector/sensors/cpu_freq.h"
#include "collector/sensors/cpu_percent.h"
#include "collector/sensors/cpu_stats.h"
#include "collector/sensors/cpu_times.h"
#include "collector/sensors/proc_stat.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

namespace {

ProcStat stat_of(const std::string& tree) {
    return parse_proc_stat(fixture_text(tree, "/proc/stat"), "/proc/stat");
}

}  // namespace

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

TEST(CpuTimes, SecondsFromTicks) {
    auto r = cpu_times_readings(stat_of("host").total, 100);
    ASSERT_EQ(r.size(), 10u);
    EXPECT_EQ(r[0].field, "user");
    EXPECT_DOUBLE_EQ(at(r, "user"), 127.24);
    EXPECT_DOUBLE_EQ(at(r, "system"), 43.07);
    EXPECT_DOUBLE_EQ(at(r, "idle"), 1341.11);
    EXPECT_DOUBLE_EQ(at(r, "steal"), 0.13);
    EXPECT_DOUBLE_EQ(at(r, "guest_nice"), 0);
}

TEST(CpuTimes, SensorUsesUserHz) {
    auto r = sample_on("CPUTimes", "host");
    EXPECT_DOUBLE_EQ(at(r, "iowait"), 338 / clock_ticks_per_second());
}

TEST(CpuTimesPercent, SharesOfTheTimeBetweenTwoSamples) {
    // Deltas: user 70, system 20, idle 280, iowait 20, softirq 10, guest 4 (inside user):
    // 400 ticks in all.
    auto r = cpu_times_percent_readings(stat_of("host").total, stat_of("host_later").total);
    EXPECT_DOUBLE_EQ(at(r, "user"), 17.5);
    EXPECT_DOUBLE_EQ(at(r, "system"), 5);
    EXPECT_DOUBLE_EQ(at(r, "idle"), 70);
    EXPECT_DOUBLE_EQ(at(r, "iowait"), 5);
    EXPECT_DOUBLE_EQ(at(r, "softirq"), 2.5);
    EXPECT_DOUBLE_EQ(at(r, "guest"), 1);
    EXPECT_DOUBLE_EQ(at(r, "nice"), 0);
}

TEST(CpuTimesPercent, NoTimePassedGivesZeros) {
    auto t = stat_of("host").total;
    for (const auto& x : cpu_times_percent_readings(t, t)) EXPECT_EQ(x.value, 0) << x.field;
}

TEST(CpuPercent, BusyPerCpuNamedByItsNumber) {
    // cpu0: 200 ticks, 100 idle + 20 iowait -> 40 % busy; cpu2: 200 ticks, 180 idle -> 10 %.
    // cpu3 came online between the samples: no baseline, not reported yet.
    auto r = cpu_percent_readings(stat_of("host"), stat_of("host_later"));
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].field, "0");
    EXPECT_DOUBLE_EQ(r[0].value, 40);
    EXPECT_EQ(r[1].field, "2");
    EXPECT_DOUBLE_EQ(r[1].value, 10);
}

TEST(CpuPercent, CounterGoingBackwardsCountsAsNoTime) {
    CpuTicks before{100, 0, 0, 100, 0, 0, 0, 0, 0, 0};
    CpuTicks after{90, 0, 0, 150, 0, 0, 0, 0, 0, 0};
    EXPECT_DOUBLE_EQ(cpu_busy_percent(before, after), 0);
    EXPECT_DOUBLE_EQ(cpu_busy_percent(before, before), 0);
}

TEST(CpuPercent, SensorPrimesOnFirstSampleThenReportsDeltas) {
    auto s = sensor("CPUPercent");
    auto first = s->sample(FixtureSystemReader(fixture_root("host")));
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(first->empty());
    auto second = s->sample(FixtureSystemReader(fixture_root("host_later")));
    ASSERT_TRUE(second.has_value());
    EXPECT_DOUBLE_EQ(at(*second, "0"), 40);
    EXPECT_DOUBLE_EQ(at(*second, "2"), 10);
    EXPECT_FALSE(has(*second, "1"));
}

TEST(CpuTimesPercent, SensorPrimesOnFirstSample) {
    auto s = sensor("CPUTimesPercent");
    auto first = s->sample(FixtureSystemReader(fixture_root("host")));
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(first->empty());
    auto second = s->sample(FixtureSystemReader(fixture_root("host_later")));
    ASSERT_TRUE(second.has_value());
    EXPECT_DOUBLE_EQ(at(*second, "idle"), 70);
}

TEST(CpuStats, CountersFromProcStat) {
    auto r = sample_on("CPUStats", "host");
    EXPECT_EQ(r, (Readings{{"ctx_switches", 439099},
                           {"interrupts", 242338},
                           {"soft_interrupts", 166040},
                           {"syscalls", 0}}));
    EXPECT_THROW(cpu_stats_readings(parse_proc_stat("cpu 1 2 3 4\n", "s"), "s"),
                 std::runtime_error);
}

TEST(BootTime, BtimeOfProcStat) {
    EXPECT_EQ(sample_on("BootTime", "host"), (Readings{{"", 1795490382}}));
}

TEST(CpuCount, CountsTheOnlineList) {
    EXPECT_EQ(count_cpu_list("0-3\n", "online"), 4);
    EXPECT_EQ(count_cpu_list("0,2-3,8", "online"), 4);
    EXPECT_EQ(count_cpu_list("5", "online"), 1);
    EXPECT_THROW(count_cpu_list("", "online"), std::runtime_error);
    EXPECT_THROW(count_cpu_list("3-1", "online"), std::runtime_error);
    EXPECT_THROW(count_cpu_list("0-x", "online"), std::runtime_error);
    // The host fixture has cpu1 offline: "0,2".
    EXPECT_EQ(sample_on("CPUCount", "host"), (Readings{{"", 2}}));
}

TEST(CpuCount, FallsBackToProcStatLines) {
    // host_later has no sysfs: three "cpuN" lines.
    EXPECT_EQ(sample_on("CPUCount", "host_later"), (Readings{{"", 3}}));
}

TEST(CpuFreq, SysfsPoliciesInKhzAveraged) {
    auto r = sample_on("CPUFreq", "laptop");
    EXPECT_EQ(r, (Readings{{"current", 1500}, {"min", 800}, {"max", 3000}}));
    auto per = sample_on("CPUFreq", "laptop", "percpu = yes\n");
    EXPECT_DOUBLE_EQ(at(per, "0.current"), 2000);
    EXPECT_DOUBLE_EQ(at(per, "2.current"), 1000);
}

TEST(CpuFreq, CpuinfoFallbackHasCurrentOnly) {
    // The host fixture (a VM, like this machine) has no cpufreq.
    auto r = sample_on("CPUFreq", "host", "percpu = yes\n");
    EXPECT_EQ(r,
              (Readings{{"current", 2596.122}, {"0.current", 2596.122}, {"1.current", 2596.122}}));
    auto cpus = parse_cpuinfo_mhz(
        "processor : 3\ncpu MHz : 1200.5\n\nprocessor : 7\ncpu MHz : 800\n", "ci");
    ASSERT_EQ(cpus.size(), 2u);
    EXPECT_EQ(cpus[1].cpu, 7);
    EXPECT_DOUBLE_EQ(cpus[0].current, 1200.5);
    EXPECT_THROW(parse_cpuinfo_mhz("cpu MHz : fast\n", "ci"), std::runtime_error);
}

TEST(CpuFreq, NoSourceIsNullopt) {
    auto s = sensor("CPUFreq");
    EXPECT_FALSE(s->sample(FixtureSystemReader(fixture_root("host_later"))).has_value());
}

TEST(CpuFreq, UnknownOptionIsRejected) {
    auto s = make_sensor("CPUFreq");
    auto ini = IniFile::parse("[sensor:CPUFreq]\npercpu = yes\nper_cpu = no\n", "x.conf");
    SectionReader section(ini, "sensor:CPUFreq");
    s->configure(section);
    EXPECT_THROW(section.reject_unknown(), ConfigError);
}
