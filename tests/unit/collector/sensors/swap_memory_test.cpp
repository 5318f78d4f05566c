// SwapMemory: swap space from /proc/meminfo, traffic from /proc/vmstat.
#include "collector/sensors/swap_memory.h"

#include <unistd.h>

#include "collector/sensors/meminfo.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

namespace {
constexpr double kib = 1024;
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
