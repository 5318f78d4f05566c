#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::test;

TEST(HostSystemReader, ReadsFilesAtTheirAbsolutePaths) {
    auto dir = std::filesystem::temp_directory_path() / ("fructosa-reader-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "sub");
    std::ofstream(dir / "b") << "two";
    std::ofstream(dir / "a") << "one\n";
    HostSystemReader r;
    EXPECT_EQ(r.read_file((dir / "a").string()), std::optional<std::string>("one\n"));
    EXPECT_FALSE(r.read_file((dir / "nope").string()).has_value());
    EXPECT_FALSE(r.read_file((dir / "sub").string()).has_value());  // a directory is no file
    EXPECT_EQ(r.list_dir(dir.string()), (std::vector<std::string>{"a", "b", "sub"}));
    EXPECT_TRUE(r.list_dir((dir / "nope").string()).empty());
    EXPECT_TRUE(r.exists((dir / "sub").string()));
    EXPECT_FALSE(r.exists((dir / "nope").string()));
    std::filesystem::remove_all(dir);
}

TEST(HostSystemReader, LiveMachine) {
    HostSystemReader r;
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
