#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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

TEST(HostSystemReader, KeepsKernelFilesOpenAndReadsThemAfresh) {
    HostSystemReader kept(true);
    auto first = kept.read_file("/proc/self/stat");
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(kept.files_kept_open(), 1u);
    // Read again through the same descriptor: fresh contents (utime/stime move, and at
    // least the text is a whole /proc/self/stat again, not an empty read at EOF).
    std::string again;
    ASSERT_TRUE(kept.read_file_into("/proc/self/stat", again));
    EXPECT_EQ(kept.files_kept_open(), 1u);
    EXPECT_EQ(again.substr(0, again.find(' ')), first->substr(0, first->find(' ')));
    EXPECT_GT(again.size(), 50u);
    EXPECT_FALSE(kept.read_file("/proc/no-such-file").has_value());
    EXPECT_EQ(kept.files_kept_open(), 1u);
}

TEST(HostSystemReader, KeepsNoRegularFileOpen) {
    // A regular file may be replaced by a rename: it is opened by name at every read.
    auto path = std::filesystem::temp_directory_path() / ("fructosa-kept-" + std::to_string(::getpid()));
    std::ofstream(path) << "old";
    HostSystemReader kept(true);
    EXPECT_EQ(kept.read_file(path.string()), std::optional<std::string>("old"));
    auto tmp = path.string() + ".new";
    std::ofstream(tmp) << "new";
    std::filesystem::rename(tmp, path);
    EXPECT_EQ(kept.read_file(path.string()), std::optional<std::string>("new"));
    EXPECT_EQ(kept.files_kept_open(), 0u);
    std::filesystem::remove(path);
}

TEST(HostSystemReader, WithoutKeepingOpensEveryTime) {
    HostSystemReader plain;
    ASSERT_TRUE(plain.read_file("/proc/self/stat").has_value());
    EXPECT_EQ(plain.files_kept_open(), 0u);
}

TEST(HostSystemReader, AKeptMountTableIsReadAgainOnlyWhenItChanged) {
    // The integration tests mount tmpfs too (test_lagent_bounds): they and CI run as root.
    auto dir = std::filesystem::temp_directory_path() / ("fructosa-mnt-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    HostSystemReader kept(true);
    auto before = kept.read_file("/proc/self/mounts");
    ASSERT_TRUE(before.has_value());
    EXPECT_EQ(kept.read_file("/proc/self/mounts"), before);  // unchanged: the kept text
    ASSERT_EQ(::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64k"), 0) << std::strerror(errno);
    auto mounted = kept.read_file("/proc/self/mounts");
    ASSERT_EQ(::umount(dir.c_str()), 0);
    std::filesystem::remove(dir);
    ASSERT_TRUE(mounted.has_value());
    EXPECT_NE(mounted->find(dir.string()), std::string::npos) << "the new mount is seen at once";
    auto unmounted = kept.read_file("/proc/self/mounts");
    ASSERT_TRUE(unmounted.has_value());
    EXPECT_EQ(unmounted->find(dir.string()), std::string::npos) << "and its unmount";
}

TEST(HostSystemReader, AKeptKernelDirectoryListsItsEntriesAfresh) {
    // /proc/self/fd: every descriptor opened is a new entry of a kernel directory.
    HostSystemReader kept(true);
    auto before = kept.list_dir("/proc/self/fd");
    ASSERT_FALSE(before.empty());
    EXPECT_EQ(kept.dirs_kept_open(), 1u);
    int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    auto after = kept.list_dir("/proc/self/fd");
    ::close(fd);
    EXPECT_EQ(kept.dirs_kept_open(), 1u);
    EXPECT_NE(std::find(after.begin(), after.end(), std::to_string(fd)), after.end());
    EXPECT_TRUE(std::is_sorted(after.begin(), after.end()));
    EXPECT_TRUE(kept.list_dir("/proc/no-such-dir").empty());
    EXPECT_EQ(kept.dirs_kept_open(), 1u);
}

TEST(HostSystemReader, AMissingKernelDirectoryIsLookedForAgainAfterAMinute) {
    double now = 1000;
    HostSystemReader kept(true, [&] { return now; });
    EXPECT_TRUE(kept.list_dir("/proc/no-such-dir").empty());
    EXPECT_EQ(kept.dirs_absent(), 1u);
    now += HostSystemReader::kAbsentDirRetryS - 1;
    EXPECT_TRUE(kept.list_dir("/proc/no-such-dir").empty());
    EXPECT_EQ(kept.dirs_absent(), 1u);
    now += 2;  // its minute is up: looked for again (still missing, so a new minute)
    EXPECT_TRUE(kept.list_dir("/proc/no-such-dir").empty());
    EXPECT_EQ(kept.dirs_absent(), 1u);
    // A directory that exists is listed, and one outside /proc and /sys always asked.
    EXPECT_FALSE(kept.list_dir("/proc/self/fd").empty());
    EXPECT_TRUE(kept.list_dir("/no-such-dir-outside-the-kernel").empty());
    EXPECT_EQ(kept.dirs_absent(), 1u);
    // The job tracker's reader (nothing kept) asks every time.
    HostSystemReader plain(false, [&] { return now; });
    EXPECT_TRUE(plain.list_dir("/proc/no-such-dir").empty());
    EXPECT_EQ(plain.dirs_absent(), 0u);
}

TEST(HostSystemReader, KernelFilesReadWholeInOneReadOrRecordByRecord) {
    // /proc/stat (one show), a sysfs attribute and /proc/self/maps (record by record,
    // longer than a page here: short reads before its end) all come back whole.
    HostSystemReader kept(true);
    for (const char* path : {"/proc/stat", "/sys/devices/system/cpu/online", "/proc/self/maps", "/proc/vmstat"}) {
        std::string out;
        ASSERT_TRUE(kept.read_file_into(path, out)) << path;
        std::ifstream in(path);
        std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (std::string_view(path) == "/proc/self/maps" || std::string_view(path) == "/proc/vmstat" ||
            std::string_view(path) == "/proc/stat") {
            // Their figures move between two reads: compare the shape, line by line.
            EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), std::count(expected.begin(), expected.end(), '\n'))
                << path;
            EXPECT_EQ(out.back(), '\n') << path;
        } else {
            EXPECT_EQ(out, expected) << path;
        }
    }
}

TEST(HostSystemReader, OnlyFilesWrittenInOneShowSkipTheReadOfTheirEnd) {
    for (const char* whole : {"/proc/stat", "/proc/meminfo", "/proc/loadavg", "/proc/net/sockstat",
                              "/sys/class/net/eth0/speed", "/sys/devices/system/cpu/online", "/sys/block/sda/stat"})
        EXPECT_TRUE(whole_in_one_read(whole)) << whole;
    // Record by record: a read may stop short well before the end.
    for (const char* records : {"/proc/vmstat", "/proc/diskstats", "/proc/self/mountstats", "/proc/cpuinfo",
                                "/proc/net/dev", "/sys/fs/cgroup/cpuacct/slurm/uid_0/job_1/cgroup.procs",
                                "/sys/kernel/debug/lustre/llite/fs-ffff/stats", "/sys/kernel/tracing/trace",
                                "/home/user/stat"})
        EXPECT_FALSE(whole_in_one_read(records)) << records;
}
