// DiskIOCounters: /proc/diskstats summed over whole disks, optionally per disk.
#include "collector/sensors/disk_io.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(DiskStats, ParsesKernelFormats) {
    auto stats = parse_diskstats(fixture_text("host", "/proc/diskstats"), "diskstats");
    ASSERT_EQ(stats.size(), 11u);
    const auto& vda = stats[8];
    EXPECT_EQ(vda.name, "vda");
    // 254 0 vda 43791 9318 3527842 21789 30337 17107 1669400 9679 0 6348 31899 ...
    EXPECT_EQ(vda.values,
              (std::array<std::uint64_t, 9>{43791, 30337, 3527842ull * 512, 1669400ull * 512, 21789,
                                            9679, 9318, 17107, 6348}));
    auto old = parse_diskstats("   8    1 sda1 10 20 30 40\n", "d");
    EXPECT_EQ(old[0].values,
              (std::array<std::uint64_t, 9>{10, 30, 20 * 512, 40 * 512, 0, 0, 0, 0, 0}));
    EXPECT_THROW(parse_diskstats("8 1 sda1 1 2 3\n", "d"), std::runtime_error);
}

TEST(DiskIOCounters, SumsWholeDisksOnly) {
    // vda1 is a partition (no /sys/block/vda1): not added to vda's figures again.
    auto r = sample_on("DiskIOCounters", "host");
    ASSERT_EQ(r.size(), 9u);
    EXPECT_DOUBLE_EQ(at(r, "read_count"), 43791);
    EXPECT_DOUBLE_EQ(at(r, "read_bytes"), 3527842.0 * 512);
    EXPECT_DOUBLE_EQ(at(r, "write_merged_count"), 17107);
    EXPECT_DOUBLE_EQ(at(r, "busy_time"), 6348);
}

TEST(DiskIOCounters, PerDiskAddsEveryEntry) {
    auto r = sample_on("DiskIOCounters", "host", "perdisk = yes\n");
    EXPECT_DOUBLE_EQ(at(r, "read_count"), 43791);
    EXPECT_DOUBLE_EQ(at(r, "vda.read_count"), 43791);
    EXPECT_DOUBLE_EQ(at(r, "vda1.write_time"), 9000);
    EXPECT_DOUBLE_EQ(at(r, "loop3.busy_time"), 0);
    EXPECT_EQ(r.size(), 9u + 11u * 9u);
}
