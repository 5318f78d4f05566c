// VirtualMemory: psutil's formulas over /proc/meminfo.
#include "collector/sensors/virtual_memory.h"

#include "collector/sensors/meminfo.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

namespace {
constexpr double kib = 1024;
}

TEST(VirtualMemory, PsutilFormulasOnRealMeminfo) {
    auto r = sample_on("VirtualMemory", "host");
    ASSERT_EQ(r.size(), 11u);
    EXPECT_DOUBLE_EQ(at(r, "total"), 24684092 * kib);
    EXPECT_DOUBLE_EQ(at(r, "free"), 23875148 * kib);
    EXPECT_DOUBLE_EQ(at(r, "available"), 24161496 * kib);
    EXPECT_DOUBLE_EQ(at(r, "buffers"), 5272 * kib);
    EXPECT_DOUBLE_EQ(at(r, "cached"), (442352 + 110476) * kib);  // Cached + SReclaimable
    // used = total - free - buffers - cached
    EXPECT_DOUBLE_EQ(at(r, "used"), (24684092.0 - 23875148 - 5272 - 552828) * kib);
    EXPECT_DOUBLE_EQ(at(r, "percent"), (24684092.0 - 24161496) / 24684092 * 100);
    EXPECT_DOUBLE_EQ(at(r, "shared"), 8856 * kib);
    EXPECT_DOUBLE_EQ(at(r, "active"), 238716 * kib);
    EXPECT_DOUBLE_EQ(at(r, "inactive"), 211328 * kib);
    EXPECT_DOUBLE_EQ(at(r, "slab"), 135660 * kib);
}

TEST(VirtualMemory, UsedFallsBackWhenCacheExceedsIt) {
    auto m = parse_meminfo("MemTotal: 100 kB\nMemFree: 50 kB\nCached: 80 kB\nMemAvailable: 60 kB\n",
                           "mi");
    auto r = virtual_memory_readings(m, "mi");
    EXPECT_DOUBLE_EQ(at(r, "used"), 50 * kib);
    EXPECT_DOUBLE_EQ(at(r, "percent"), 40);
    EXPECT_THROW(virtual_memory_readings(parse_meminfo("MemFree: 1 kB\n", "mi"), "mi"),
                 std::runtime_error);
}
