#include <sys/statvfs.h>

#include <filesystem>
#include <fstream>

#include "sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::test;

TEST(HostSystemReader, FixtureTreeFiles) {
    HostSystemReader r(fixture_root("host"));
    auto stat = r.read_file("/proc/stat");
    ASSERT_TRUE(stat.has_value());
    EXPECT_EQ(stat->substr(0, 4), "cpu ");
    EXPECT_FALSE(r.read_file("/proc/nope").has_value());
    EXPECT_FALSE(r.read_file("/proc/net").has_value());  // a directory is no file
    EXPECT_TRUE(r.exists("/sys/block/vda"));
    EXPECT_FALSE(r.exists("/sys/block/vda1"));
    EXPECT_EQ(r.list_dir("/sys/class/net"),
              (std::vector<std::string>{"bonding_masters", "eth0", "eth0.100", "ifb0", "lo"}));
    EXPECT_TRUE(r.list_dir("/sys/class/hwmon").empty());
}

TEST(HostSystemReader, FixtureStatvfsAndIfaddrs) {
    HostSystemReader r(fixture_root("host"));
    auto u = r.fs_usage("/srv/data");
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->total, 2000u);
    EXPECT_EQ(u->used, 1500u);
    EXPECT_EQ(u->free, 400u);
    EXPECT_FALSE(r.fs_usage("/srv").has_value());
    auto a = r.interface_addresses();
    ASSERT_EQ(a.size(), 10u);
    EXPECT_EQ(a[3], (std::pair<std::string, std::string>{"eth0.100", "link"}));
}

TEST(HostSystemReader, MalformedFixtureStatvfsThrows) {
    auto root =
        std::filesystem::temp_directory_path() / ("fructosa-statvfs-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root);
    std::ofstream(root / "statvfs") << "/ 10 x 5\n";
    std::ofstream(root / "ifaddrs") << "eth0 ipx\n";
    HostSystemReader r(root.string());
    EXPECT_THROW(r.fs_usage("/"), std::runtime_error);
    EXPECT_THROW(r.interface_addresses(), std::runtime_error);
    std::filesystem::remove_all(root);
}

TEST(HostSystemReader, LiveMachine) {
    HostSystemReader r("");
    auto stat = r.read_file("/proc/stat");  // size 0 in stat(2), read to the end anyway
    ASSERT_TRUE(stat.has_value());
    EXPECT_GT(stat->size(), 100u);
    auto u = r.fs_usage("/");
    ASSERT_TRUE(u.has_value());
    struct statvfs st {};
    ASSERT_EQ(::statvfs("/", &st), 0);
    EXPECT_EQ(u->total, static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize);
    EXPECT_LE(u->used, u->total);
    EXPECT_FALSE(r.fs_usage("/no/such/path").has_value());
    EXPECT_FALSE(r.interface_addresses().empty());
}
