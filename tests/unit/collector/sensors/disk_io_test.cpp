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

TEST(DiskIOCounters, OnlyNamedWholeDisksAreSummed) {
    std::vector<DiskStat> stats = {{"sda", {1, 2, 3, 4, 5, 6, 7, 8, 9}},
                                   {"sda1", {100, 100, 100, 100, 100, 100, 100, 100, 100}},
                                   {"nvme0n1", {10, 20, 30, 40, 50, 60, 70, 80, 90}}};
    EXPECT_EQ(disk_io_readings(stats, {"sda", "nvme0n1", "sdz"}, false),
              (Readings{{"read_count", 11},
                        {"write_count", 22},
                        {"read_bytes", 33},
                        {"write_bytes", 44},
                        {"read_time", 55},
                        {"write_time", 66},
                        {"read_merged_count", 77},
                        {"write_merged_count", 88},
                        {"busy_time", 99}}));
    auto none = disk_io_readings(stats, {}, false);
    ASSERT_EQ(none.size(), 9u);
    for (const auto& r : none) EXPECT_EQ(r.value, 0) << r.field;
}
