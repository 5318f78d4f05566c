// NFSClient: /proc/self/mountstats, rates per NFS mount.
#include "collector/sensors/nfs_client.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(NFSClient, ParsesNfsMountsOnly) {
    auto mounts =
        parse_mountstats(fixture_text("parallel_fs", "/proc/self/mountstats"), "mountstats");
    ASSERT_EQ(mounts.size(), 2u);
    EXPECT_EQ(mounts[0].key, "fs1:/export/home /home");
    EXPECT_EQ(mounts[0].name, "home");
    EXPECT_EQ(mounts[0].counters,
              (std::map<std::string, std::uint64_t>{{"read_bytes", 1048576 + 4096},
                                                    {"write_bytes", 2097152},
                                                    {"read_ops", 256},
                                                    {"write_ops", 512},
                                                    {"ops", 1 + 100 + 256 + 512 + 3}}));
    EXPECT_EQ(mounts[1].key, "fs2:/data /mnt/my data");  // "\040" undone
    EXPECT_EQ(mounts[1].name, "mnt_my_data");
}

TEST(NFSClient, RatesPerMountAndARemountGivesNone) {
    double now = 50;
    auto s = make_nfs_client_sensor([&] { return now; });
    auto first = s->sample(FixtureSystemReader(fixture_root("parallel_fs")));
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(first->empty());  // the first sample only primes the counters
    now += 10;
    auto r = s->sample(FixtureSystemReader(fixture_root("parallel_fs_later")));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, (Readings{{"home.ops_per_s", 14},
                            {"home.read_bytes_per_s", 1153433.6},
                            {"home.read_ops_per_s", 8},
                            {"home.write_bytes_per_s", 524288},
                            {"home.write_ops_per_s", 4}}));
}

TEST(NFSClient, NotAvailableWithoutMountstatsOrWithoutNfsMounts) {
    EXPECT_FALSE(
        make_sensor("NFSClient")->sample(FixtureSystemReader(fixture_root("host"))).has_value());
    TempTree t;
    t.write("/proc/self/mountstats", "device proc mounted on /proc with fstype proc\n");
    EXPECT_FALSE(make_sensor("NFSClient")->sample(t.reader()).has_value());
}

TEST(NFSClient, MalformedLinesNameFileAndMount) {
    const std::string head = "device s:/x mounted on /x with fstype nfs statvers=1.1\n";
    try {
        parse_mountstats(head + "\tbytes:\t1 2 3\n", "mountstats");
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "mountstats: s:/x /x: short bytes line");
    }
    try {
        parse_mountstats(head + "\tper-op statistics\n\t  READ: many 1 0\n", "mountstats");
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "mountstats: s:/x /x READ operations is not a number: 'many'");
    }
}

TEST(NFSClient, WithoutAnNfsMountMountstatsIsNotRead) {
    EXPECT_TRUE(mounts_list_nfs(fixture_text("parallel_fs", "/proc/self/mounts")));
    EXPECT_FALSE(mounts_list_nfs(fixture_text("host", "/proc/self/mounts")));
    EXPECT_FALSE(mounts_list_nfs("nfsd /proc/fs/nfsd nfsd rw 0 0\n"));  // the server's, not a client mount
    EXPECT_TRUE(mounts_list_nfs("a:/b /c nfs rw 0 0\n"));
    // A mount table without NFS and a mountstats that cannot be parsed: never read, so
    // no error; nothing to report, as on a node whose mountstats has no NFS mount.
    TempTree tree;
    tree.write("/proc/self/mounts", "proc /proc proc rw 0 0\n")
        .write("/proc/self/mountstats", "device garbage\n");
    auto reader = tree.reader();
    auto s = make_nfs_client_sensor([] { return 1.0; });
    EXPECT_EQ(s->sample(reader), std::nullopt);
    // Once the table lists an NFS mount, mountstats is read (and its error surfaces).
    tree.write("/proc/self/mounts", "a:/b /c nfs rw 0 0\n");
    EXPECT_THROW(s->sample(reader), std::runtime_error);
}
