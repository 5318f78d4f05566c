// Energy: RAPL zones of /sys/class/powercap, counter wraps, MMIO duplicates, unreadable
// counters, and the node totals the job tracker shares out.
#include "collector/sensors/rapl.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

namespace {

/// A meter on the fixture trees' /sys/class/powercap whose clock the test sets.
struct FakeClockMeter {
    double now = 100;
    RaplMeter meter{kPowercapRoot, [this] { return now; }};
};

}  // namespace

TEST(Rapl, ZonesOfTwoPackagesWithDramInOrderWithoutTheMmioDuplicate) {
    auto zones = read_rapl_zones(FixtureSystemReader(fixture_root("rapl")), kPowercapRoot);
    std::vector<std::string> series;
    for (const auto& z : zones) series.push_back(z.series);
    EXPECT_EQ(series, (std::vector<std::string>{"package-0", "package-0.dram", "package-0.core", "package-1",
                                                "package-1.dram", "psys"}));
    EXPECT_EQ(zones[0].dir, "/sys/class/powercap/intel-rapl:0");
    EXPECT_EQ(zones[0].kind, RaplKind::package);
    EXPECT_EQ(zones[1].kind, RaplKind::dram);
    EXPECT_EQ(zones[2].kind, RaplKind::other);  // core is inside the package's figure
    EXPECT_EQ(zones[5].kind, RaplKind::other);  // psys is the platform, not a package
    EXPECT_EQ(zones[3].energy_uj, 262143000000u);
    EXPECT_EQ(zones[3].max_range_uj, 262143328850u);
}

TEST(Rapl, MmioZoneIsReadWhenItIsTheOnlyInterface) {
    auto zones = read_rapl_zones(FixtureSystemReader(fixture_root("rapl_mmio_only")), kPowercapRoot);
    ASSERT_EQ(zones.size(), 1u);
    EXPECT_EQ(zones[0].series, "package-0");
    EXPECT_EQ(zones[0].dir, "/sys/class/powercap/intel-rapl-mmio:0");
    EXPECT_EQ(zones[0].energy_uj, 42000000u);
}

TEST(Rapl, DeltaAcrossAWrap) {
    EXPECT_EQ(rapl_delta_uj(100, 250, 1000), 150u);
    EXPECT_EQ(rapl_delta_uj(900, 50, 1000), 150u);  // 100 to the wrap point, 50 after it
    EXPECT_EQ(rapl_delta_uj(900, 50, std::nullopt), std::nullopt);
    EXPECT_EQ(rapl_delta_uj(900, 50, 0u), std::nullopt);
    EXPECT_EQ(rapl_delta_uj(2000, 50, 1000), std::nullopt);  // above its own range: a reset
}

TEST(Rapl, FirstSampleCountsFromZeroWithoutWatts) {
    FakeClockMeter m;
    auto r = m.meter.sample(FixtureSystemReader(fixture_root("rapl")));
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (Readings{{"package-0.joules", 0},
                            {"package-0.dram.joules", 0},
                            {"package-0.core.joules", 0},
                            {"package-1.joules", 0},
                            {"package-1.dram.joules", 0},
                            {"psys.joules", 0}}));
    EXPECT_EQ(m.meter.totals().package_joules, 0.0);
    EXPECT_EQ(m.meter.totals().dram_joules, 0.0);
}

TEST(Rapl, SecondSampleJoulesAndWattsWithPackageOneWrapped) {
    FakeClockMeter m;
    m.meter.sample(FixtureSystemReader(fixture_root("rapl")));
    m.now += 10;
    auto r = m.meter.sample(FixtureSystemReader(fixture_root("rapl_later")));
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (Readings{{"package-0.joules", 2000},
                            {"package-0.watts", 200},
                            {"package-0.dram.joules", 100},
                            {"package-0.dram.watts", 10},
                            {"package-0.core.joules", 1200},
                            {"package-0.core.watts", 120},
                            {"package-1.joules", 1500},
                            {"package-1.watts", 150},
                            {"package-1.dram.joules", 50},
                            {"package-1.dram.watts", 5},
                            {"psys.joules", 3000},
                            {"psys.watts", 300}}));
    // Packages only (core is inside them, psys is the whole platform).
    EXPECT_EQ(m.meter.totals().package_joules, 3500.0);
    EXPECT_EQ(m.meter.totals().dram_joules, 150.0);
}

TEST(Rapl, UnreadableCounterIsLeftOutNotZero) {
    TempTree t;
    t.write("/sys/class/powercap/intel-rapl:0/name", "package-0\n")
        .write("/sys/class/powercap/intel-rapl:0/max_energy_range_uj", "1000\n")
        .write("/sys/class/powercap/intel-rapl:0:0/name", "dram\n")
        .write("/sys/class/powercap/intel-rapl:0:0/energy_uj", "5\n");
    FakeClockMeter m;
    auto r = m.meter.sample(t.reader());
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (Readings{{"package-0.dram.joules", 0}}));
    EXPECT_EQ(m.meter.totals().package_joules, std::nullopt);
    EXPECT_EQ(m.meter.totals().dram_joules, 0.0);
}

TEST(Rapl, NoReadableZoneIsNotAvailable) {
    TempTree t;
    t.write("/sys/class/powercap/intel-rapl:0/name", "package-0\n");
    EXPECT_FALSE(make_sensor("Energy")->sample(t.reader()).has_value());
    EXPECT_FALSE(make_sensor("Energy")->sample(FixtureSystemReader(fixture_root("host"))).has_value());
}

TEST(Rapl, CounterThatIsNotANumberThrowsNamingTheFile) {
    TempTree t;
    t.write("/sys/class/powercap/intel-rapl:0/name", "package-0\n")
        .write("/sys/class/powercap/intel-rapl:0/energy_uj", "lots\n");
    try {
        make_sensor("Energy")->sample(t.reader());
        FAIL() << "no error";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("/sys/class/powercap/intel-rapl:0/energy_uj"), std::string::npos)
            << e.what();
    }
}

TEST(EnergySensor, PowercapRootOption) {
    auto s = sensor("Energy", "powercap root = /srv/fake/powercap/\n");
    ASSERT_TRUE(s);
    EXPECT_EQ(dynamic_cast<EnergySensor&>(*s).meter()->root(), "/srv/fake/powercap");
    TempTree t;
    t.write("/srv/fake/powercap/intel-rapl:0/name", "package-0\n")
        .write("/srv/fake/powercap/intel-rapl:0/energy_uj", "7\n");
    auto r = s->sample(t.reader());
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (Readings{{"package-0.joules", 0}}));
}

TEST(EnergySensor, RelativePowercapRootIsAnError) {
    auto s = make_sensor("Energy");
    auto ini = IniFile::parse("[sensor:Energy]\npowercap root = fake\n", "lagent.conf");
    SectionReader section(ini, "sensor:Energy");
    try {
        s->configure(section);
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "lagent.conf:2: [sensor:Energy] powercap root: 'fake' is not an absolute path");
    }
}
