// The tests' fake reader: fixture trees and their statvfs/ifaddrs files.
#include "fixture_system_reader.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace fructosa;
using namespace fructosa::test;

namespace {
std::string host_tree() { return std::string(FIXTURE_DIR) + "/host"; }
}  // namespace

TEST(FixtureSystemReader, TreeFiles) {
    FixtureSystemReader r(host_tree());
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

TEST(FixtureSystemReader, StatvfsAndIfaddrs) {
    FixtureSystemReader r(host_tree());
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

TEST(FixtureSystemReader, SocketStatesComeFromTheTreesProcNetFiles) {
    FixtureSystemReader r(host_tree());
    EXPECT_FALSE(r.inet_socket_states(IPPROTO_TCP).has_value());
    EXPECT_FALSE(r.inet_socket_states(IPPROTO_UDP).has_value());
}

TEST(FixtureSystemReader, MalformedStatvfsAndIfaddrsThrow) {
    auto root =
        std::filesystem::temp_directory_path() / ("fructosa-statvfs-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root);
    std::ofstream(root / "statvfs") << "/ 10 x 5\n";
    std::ofstream(root / "ifaddrs") << "eth0 ipx\n";
    FixtureSystemReader r(root.string());
    EXPECT_THROW(r.fs_usage("/"), std::runtime_error);
    EXPECT_THROW(r.interface_addresses(), std::runtime_error);
    std::filesystem::remove_all(root);
}

TEST(FixtureSystemReader, TreeWithoutStatvfsOrIfaddrsHasNone) {
    FixtureSystemReader r(std::string(FIXTURE_DIR) + "/no-such-tree");
    EXPECT_FALSE(r.fs_usage("/").has_value());
    EXPECT_TRUE(r.interface_addresses().empty());
}
