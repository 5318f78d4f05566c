// DiskPartitions: /proc/self/mounts, physical file system types, per mount point flags.
#include "collector/sensors/disk_partitions.h"

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

TEST(DiskPartitions, ANewMountTableIsParsedAgainTheSameOneIsNot) {
    TempTree tree;
    tree.write("/proc/filesystems", "nodev\tproc\n\text4\n")
        .write("/proc/self/mounts", "proc /proc proc rw 0 0\n/dev/sda1 / ext4 rw 0 0\n");
    auto reader = tree.reader();
    auto s = make_sensor("DiskPartitions");
    auto first = s->sample(reader);
    ASSERT_TRUE(first);
    EXPECT_EQ(s->sample(reader), first);  // the same table: the same readings
    tree.write("/proc/self/mounts", "proc /proc proc rw 0 0\n/dev/sda1 / ext4 ro 0 0\n/dev/sdb1 /data ext4 rw 0 0\n");
    auto r = s->sample(reader);
    ASSERT_TRUE(r);
    EXPECT_DOUBLE_EQ(at(*r, "count"), 2);
    EXPECT_DOUBLE_EQ(at(*r, "root.readonly"), 1);
    EXPECT_DOUBLE_EQ(at(*r, "data.readonly"), 0);
}
