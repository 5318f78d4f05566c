#include <unistd.h>

#include "collector/sensors/meminfo.h"
#include "collector/sensors/swap_memory.h"
#include "collector/sensors/virtual_memory.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

namespace {
constexpr double kib = 1024;
}

TEST(MemInfo, KilobytesBecomeBytesUnitlessStay) {
    auto m = parse_meminfo("MemTotal:  100 kB\nHugePages_Total:       3\n", "mi");
    EXPECT_EQ(meminfo_value(m, "MemTotal"), 102400u);
    EXPECT_EQ(meminfo_value(m, "HugePages_Total"), 3u);
    EXPECT_EQ(meminfo_value(m, "Nope", 7), 7u);
    EXPECT_THROW(parse_meminfo("MemTotal 100 kB\n", "mi"), std::runtime_error);
    EXPECT_THROW(parse_meminfo("MemTotal: lots kB\n", "mi"), std::runtime_error);
    EXPECT_THROW(parse_meminfo("MemTotal: 1 MB\n", "mi"), std::runtime_error);
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

TEST(SwapMemory, SpaceAndTraffic) {
    auto m = parse_meminfo(fixture_text("host", "/proc/meminfo"), "mi");
    auto counts = parse_vmstat_swap(fixture_text("host", "/proc/vmstat"), "vmstat");
    EXPECT_EQ(counts.pages_in, 12u);
    EXPECT_EQ(counts.pages_out, 34u);
    auto r = swap_memory_readings(m, counts, 4096, "mi");
    EXPECT_EQ(r, (Readings{{"total", 2097152 * kib},
                           {"used", 524288 * kib},
                           {"free", 1572864 * kib},
                           {"percent", 25},
                           {"sin", 12 * 4096},
                           {"sout", 34 * 4096}}));
    auto live = sample_on("SwapMemory", "host");
    EXPECT_DOUBLE_EQ(at(live, "sout"), 34.0 * static_cast<double>(::sysconf(_SC_PAGESIZE)));
}

TEST(SwapMemory, NoSwapIsZeroPercentAndVmstatIsOptional) {
    auto m = parse_meminfo("SwapTotal: 0 kB\nSwapFree: 0 kB\n", "mi");
    EXPECT_EQ(swap_memory_readings(m, std::nullopt, 4096, "mi"),
              (Readings{{"total", 0}, {"used", 0}, {"free", 0}, {"percent", 0}}));
    EXPECT_THROW(parse_vmstat_swap("pswpin 3\n", "vmstat"), std::runtime_error);
}
