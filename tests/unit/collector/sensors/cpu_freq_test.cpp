// CPUFreq: sysfs cpufreq policies, /proc/cpuinfo as fallback.
#include "collector/sensors/cpu_freq.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

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

TEST(CpuFreq, MinAndMaxAveragedOverCpusThatKnowThem) {
    std::vector<CpuFreq> cpus = {
        {0, 1000, 800, 3000}, {1, 2000, std::nullopt, 4000}, {4, 3000, 1200, std::nullopt}};
    EXPECT_EQ(cpu_freq_readings(cpus, false),
              (Readings{{"current", 2000}, {"min", 1000}, {"max", 3500}}));
    EXPECT_EQ(cpu_freq_readings({{2, 1500, std::nullopt, std::nullopt}}, true),
              (Readings{{"current", 1500}, {"2.current", 1500}}));
    EXPECT_TRUE(cpu_freq_readings({}, true).empty());
}

/// A CPUFreq sensor on a fixture tree with a clock the test moves.
class CpuFreqOverTime : public ::testing::Test {
protected:
    std::optional<Readings> sample() { return sensor->sample(reader); }

    TempTree tree;
    FixtureSystemReader reader = tree.reader();
    double now = 100;
    std::unique_ptr<Sensor> sensor = make_cpu_freq_sensor([this] { return now; });
};

TEST_F(CpuFreqOverTime, AMachineWithoutCpufreqIsLookedAtAgainOnlyAfterAMinute) {
    tree.write("/proc/cpuinfo", "processor : 0\ncpu MHz : 2000\n");
    EXPECT_EQ(sample(), (Readings{{"current", 2000}}));
    // A cpufreq driver appears: /proc/cpuinfo still, until the next look.
    tree.write("/sys/devices/system/cpu/cpufreq/policy0/scaling_cur_freq", "1500000\n");
    now += kCpufreqProbeSeconds - 1;
    EXPECT_EQ(sample(), (Readings{{"current", 2000}}));
    now += 1;
    EXPECT_EQ(sample(), (Readings{{"current", 1500}}));
    // A machine with cpufreq reads it every sample: a policy gone is seen at once.
    std::filesystem::remove_all(reader.root() + "/sys/devices/system/cpu/cpufreq");
    now += 1;
    EXPECT_EQ(sample(), (Readings{{"current", 2000}}));
}

TEST_F(CpuFreqOverTime, AClockThatCannotChangeIsReadFromCpuinfoOnlyWithEachLookForCpufreq) {
    // x86 without APERF/MPERF and without cpufreq (a VM): "cpu MHz" is the boot-time clock.
    tree.write("/proc/cpuinfo", "processor : 0\nflags : fpu tsc hypervisor\ncpu MHz : 2000\n");
    EXPECT_EQ(sample(), (Readings{{"current", 2000}}));
    tree.write("/proc/cpuinfo", "processor : 0\nflags : fpu tsc hypervisor\ncpu MHz : 2100\n");
    now += kCpufreqProbeSeconds - 1;
    EXPECT_EQ(sample(), (Readings{{"current", 2000}}));  // not read again
    now += 1;
    EXPECT_EQ(sample(), (Readings{{"current", 2100}}));  // with the look for cpufreq

    // With APERF/MPERF the kernel measures the clock at each read: read every sample.
    tree.write("/proc/cpuinfo", "processor : 0\nflags : fpu tsc aperfmperf\ncpu MHz : 2200\n");
    now += kCpufreqProbeSeconds;
    EXPECT_EQ(sample(), (Readings{{"current", 2200}}));
    tree.write("/proc/cpuinfo", "processor : 0\nflags : fpu tsc aperfmperf\ncpu MHz : 1800\n");
    now += 1;
    EXPECT_EQ(sample(), (Readings{{"current", 1800}}));

    EXPECT_TRUE(cpuinfo_clock_is_fixed("processor : 0\nflags : fpu tsc\ncpu MHz : 1\n"));
    EXPECT_FALSE(cpuinfo_clock_is_fixed("processor : 0\nflags : fpu aperfmperf tsc\n"));
    EXPECT_FALSE(cpuinfo_clock_is_fixed("processor : 0\ncpu MHz : 1\n"));  // no flags: not x86
    EXPECT_FALSE(cpuinfo_clock_is_fixed("processor : 0\nflags : fpu\n\nprocessor : 1\nflags : aperfmperf\n"));
}
