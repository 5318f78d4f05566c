#include "collector/sensors/disk_io.h"
#include "collector/sensors/disk_partitions.h"
#include "collector/sensors/disk_usage.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(Mounts, DecodesOctalEscapes) {
    EXPECT_EQ(decode_mount_field("/mnt/my\\040disk"), "/mnt/my disk");
    EXPECT_EQ(decode_mount_field("a\\011b\\134c"), "a\tb\\c");
    EXPECT_EQ(decode_mount_field("trailing\\04"), "trailing\\04");
    EXPECT_EQ(decode_mount_field("not\\999octal"), "not\\999octal");
}

TEST(Mounts, ParsesTheMountsFile) {
    auto mounts = parse_mounts(fixture_text("host", "/proc/self/mounts"), "mounts");
    ASSERT_GE(mounts.size(), 3u);
    EXPECT_EQ(mounts[0], (Mount{"proc", "/proc", "proc", "rw,relatime"}));
    EXPECT_EQ(mounts[mounts.size() - 2],
              (Mount{"/dev/vdb1", "/mnt/my disk", "ext4", "ro,relatime"}));
    EXPECT_THROW(parse_mounts("/dev/sda1 /boot ext4\n", "mounts"), std::runtime_error);
}

TEST(Mounts, PhysicalFstypesAreThoseWithoutNodev) {
    auto types = parse_physical_fstypes("nodev\tsysfs\n\text4\nnodev\tzfs\n\txfs\n");
    EXPECT_EQ(types, (std::vector<std::string>{"ext4", "zfs", "xfs"}));
}

TEST(DiskPartitions, CountsTypesAndReadOnlyPerMountPoint) {
    auto r = sample_on("DiskPartitions", "host");
    // Physical: / (ext4), /mnt/my disk (ext4, ro), /srv/data (xfs); tmpfs, cgroup... are not.
    EXPECT_EQ(r, (Readings{{"count", 3},
                           {"fstype.ext4", 2},
                           {"fstype.xfs", 1},
                           {"root.readonly", 0},
                           {"mnt_my_disk.readonly", 1},
                           {"srv_data.readonly", 0}}));
}

TEST(DiskPartitions, DevicelessMountsAreSkipped) {
    std::vector<Mount> m = {{"none", "/x", "ext4", "rw"},
                            {"", "/y", "ext4", "rw"},
                            {"/dev/sda1", "/z", "ext4", "rw,noatime,ro"}};
    auto p = physical_partitions(m, {"ext4"});
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(disk_partitions_readings(p),
              (Readings{{"count", 1}, {"fstype.ext4", 1}, {"z.readonly", 1}}));
    // "rox" is not "ro".
    EXPECT_EQ(disk_partitions_readings({{"/dev/a", "/", "ext4", "rw,rox"}})[2].value, 0);
}

TEST(DiskUsage, OnePathKeepsTheOriginalFieldNames) {
    // statvfs fixture: / total 1000000, used 400000, free 500000.
    auto r = sample_on("DiskUsage", "host");
    EXPECT_EQ(r, (Readings{{"total", 1000000},
                           {"used", 400000},
                           {"free", 500000},
                           {"percent", 400000.0 / 900000 * 100}}));
}

TEST(DiskUsage, SeveralPathsArePrefixedAndMissingOnesSkipped) {
    auto r = sample_on("DiskUsage", "host", "path = /, /srv/data, /not/mounted\n");
    ASSERT_EQ(r.size(), 8u);
    EXPECT_DOUBLE_EQ(at(r, "root.total"), 1000000);
    EXPECT_DOUBLE_EQ(at(r, "srv_data.used"), 1500);
    EXPECT_DOUBLE_EQ(at(r, "srv_data.free"), 400);
    EXPECT_DOUBLE_EQ(at(r, "srv_data.percent"), 1500.0 / 1900 * 100);
    auto none = sensor("DiskUsage", "path = /not/mounted\n");
    EXPECT_FALSE(none->sample(FixtureSystemReader(fixture_root("host"))).has_value());
}

TEST(DiskUsage, RelativePathIsAConfigError) {
    auto s = make_sensor("DiskUsage");
    auto ini = IniFile::parse("[sensor:DiskUsage]\npath = home\n", "x.conf");
    SectionReader section(ini, "sensor:DiskUsage");
    EXPECT_THROW(s->configure(section), ConfigError);
}

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
