#include <set>

#include "collector/sensors/parse_util.h"
#include "common/metric.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::test;

namespace {

/// Every dot-separated level of a field is a safe Graphite path component.
void expect_safe_field(const std::string& sensor, const std::string& field) {
    if (field.empty()) return;  // the sensor's single value
    std::size_t start = 0;
    for (;;) {
        auto dot = field.find('.', start);
        auto level =
            field.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        EXPECT_EQ(sanitize_component(level), level) << sensor << ": " << field;
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
}

/// GPU reads NVML on a thread of its own (tests/unit/collector/sensors/gpu_test.cpp), not
/// the SystemReader: its first sample has nothing yet, whatever the tree.
bool reads_the_system_reader(const std::string& sensor) { return sensor != "GPU"; }

}  // namespace

// The original's twenty, Energy (RAPL) after the other hardware sensors, then the new ones.
TEST(SensorRegistry, TheOriginalsTwentySensorsThenTheNewOnesInOrder) {
    std::vector<std::string> names;
    for (const auto& r : sensor_registry()) names.push_back(r.name);
    EXPECT_EQ(names,
              (std::vector<std::string>{
                  "CPUPercent",     "VirtualMemory",  "CPUTimes",       "CPUTimesPercent",
                  "CPUCount",       "CPUStats",       "CPUFreq",        "SwapMemory",
                  "DiskPartitions", "DiskUsage",      "DiskIOCounters", "NetIOCounters",
                  "NetConnections", "NetIFAddrs",     "NetIFStats",     "SensorsTemperatures",
                  "SensorsFans",    "SensorsBattery", "Energy",         "BootTime",
                  "Users",          "InfiniBand",     "NFSClient",      "LustreClient",
                  "HardwareCounters", "TopProcesses", "GPU"}));
    for (const auto& r : sensor_registry()) {
        auto s = r.make();
        ASSERT_NE(s, nullptr) << r.name;
        EXPECT_EQ(s->info().name, r.name);
        EXPECT_FALSE(s->info().help.empty()) << r.name;
        EXPECT_FALSE(s->info().fields.empty()) << r.name;
        for (const auto& [field, help] : s->info().fields)
            EXPECT_FALSE(help.empty()) << r.name << " " << field;
        for (const auto& [option, help] : s->info().options)
            EXPECT_FALSE(help.empty()) << r.name << " " << option;
    }
    EXPECT_EQ(make_sensor("NoSuchSensor"), nullptr);
    EXPECT_NE(make_sensor("Users"), nullptr);
}

TEST(SensorRegistry, EverySensorRunsOnTheLiveMachine) {
    HostSystemReader live;
    for (const auto& r : sensor_registry()) {
        if (!reads_the_system_reader(r.name)) continue;
        auto s = r.make();
        // Twice, so the delta sensors report too.
        for (int i = 0; i < 2; ++i) {
            std::optional<Readings> out;
            EXPECT_NO_THROW(out = s->sample(live)) << r.name;
            if (!out) continue;
            std::set<std::string> seen;
            for (const auto& x : *out) {
                expect_safe_field(r.name, x.field);
                EXPECT_TRUE(seen.insert(x.field).second) << r.name << ": duplicate " << x.field;
            }
            if (i == 1) {
                EXPECT_FALSE(out->empty()) << r.name;
            }
        }
    }
    // What this machine certainly has.
    for (const char* name : {"CPUPercent", "VirtualMemory", "CPUTimes", "CPUCount", "CPUStats",
                             "SwapMemory", "DiskUsage", "DiskIOCounters", "NetIOCounters",
                             "NetConnections", "NetIFAddrs", "NetIFStats", "BootTime"})
        EXPECT_TRUE(make_sensor(name)->sample(live).has_value()) << name;
}

TEST(SensorRegistry, EverySensorIsNulloptOnAnEmptyTree) {
    FixtureSystemReader empty(fixture_root("no-such-tree"));
    for (const auto& r : sensor_registry()) {
        if (reads_the_system_reader(r.name)) {
            EXPECT_FALSE(r.make()->sample(empty).has_value()) << r.name;
        }
    }
}

TEST(SensorRegistry, EveryFixtureFieldIsASafePath) {
    for (const char* tree : {"host", "laptop", "infiniband", "parallel_fs", "processes"}) {
        for (const auto& r : sensor_registry()) {
            auto s = r.make();
            s->sample(FixtureSystemReader(fixture_root(tree)));
            auto out = s->sample(FixtureSystemReader(fixture_root(tree)));
            if (!out) continue;
            for (const auto& x : *out) expect_safe_field(r.name, x.field);
        }
    }
}

TEST(PathComponent, MountPointsAndPaths) {
    using sensors::path_component;
    EXPECT_EQ(path_component("/"), "root");
    EXPECT_EQ(path_component("/mnt/my disk"), "mnt_my_disk");
    EXPECT_EQ(path_component("/home"), "home");
    EXPECT_EQ(path_component("/a.b/c"), "a_b_c");
}
