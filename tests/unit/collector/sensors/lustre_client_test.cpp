// LustreClient: llite.*.stats, rates per Lustre mount.
#include "collector/sensors/lustre_client.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(LustreClient, ParsesBytesCallsAndMetadataOperations) {
    auto c = parse_llite_stats(
        fixture_text("parallel_fs", "/sys/kernel/debug/lustre/llite/lfs01-ffff8c0b5a7d1000/stats"),
        "stats");
    EXPECT_EQ(c, (std::map<std::string, std::uint64_t>{{"read_bytes", 2097152},
                                                       {"write_bytes", 3145728},
                                                       {"read_ops", 4},
                                                       {"write_ops", 6},
                                                       {"metadata_ops", 3 + 10 + 10 + 40 + 2},
                                                       {"ops", 4 + 6 + 65}}));
}

TEST(LustreClient, MountPointOfAnInstance) {
    auto mounts = fixture_text("parallel_fs", "/proc/self/mounts");
    EXPECT_EQ(lustre_mount_point(mounts, "lfs01-ffff8c0b5a7d1000"), "/lustre/lfs01");
    EXPECT_EQ(lustre_mount_point(mounts, "scratch-ffff8c0b5a7d2000"),
              std::nullopt);  // mounted twice
    EXPECT_EQ(lustre_mount_point(mounts, "other-ffff8c0b5a7d3000"), std::nullopt);
}

TEST(LustreClient, RatesPerMountAndAResetGivesNone) {
    double now = 7;
    auto s = make_lustre_client_sensor([&] { return now; });
    auto first = s->sample(FixtureSystemReader(fixture_root("parallel_fs")));
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(first->empty());
    now += 10;
    auto r = s->sample(FixtureSystemReader(fixture_root("parallel_fs_later")));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, (Readings{{"lustre_lfs01.metadata_ops_per_s", 10},
                            {"lustre_lfs01.ops_per_s", 11.5},
                            {"lustre_lfs01.read_bytes_per_s", 2097152},
                            {"lustre_lfs01.read_ops_per_s", 1},
                            {"lustre_lfs01.write_bytes_per_s", 1048576},
                            {"lustre_lfs01.write_ops_per_s", 0.5},
                            // scratch's read counters went down: only what did not
                            {"scratch.metadata_ops_per_s", 0},
                            {"scratch.write_bytes_per_s", 0},
                            {"scratch.write_ops_per_s", 0}}));
}

TEST(LustreClient, OlderProcLayoutAndNoLustre) {
    EXPECT_FALSE(
        make_sensor("LustreClient")->sample(FixtureSystemReader(fixture_root("host"))).has_value());
    TempTree t;
    t.write("/proc/fs/lustre/llite/work-ffff0001/stats",
            "snapshot_time 1.0 secs.usecs\nwrite_bytes 2 samples [bytes] 1 2 3\n");
    double now = 0;
    auto s = make_lustre_client_sensor([&] { return now; });
    auto reader = t.reader();
    ASSERT_TRUE(s->sample(reader).has_value());
    t.write("/proc/fs/lustre/llite/work-ffff0001/stats",
            "snapshot_time 2.0 secs.usecs\nwrite_bytes 4 samples [bytes] 1 2 7\n");
    now = 2;
    auto r = s->sample(reader);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(at(*r, "work.write_bytes_per_s"), 2);  // no mounts file: named by the file system
    EXPECT_EQ(at(*r, "work.write_ops_per_s"), 1);
}

TEST(LustreClient, MalformedLineNamesTheFile) {
    try {
        parse_llite_stats("read_bytes 4 samples [bytes] 0 1\n", "llite/x/stats");
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "llite/x/stats: read_bytes: no sum");
    }
    try {
        parse_llite_stats("open lots\n", "llite/x/stats");
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "llite/x/stats: unexpected line: 'open lots'");
    }
}
