// The folders a daemon makes on a fresh machine: every missing level, mode 0755 whatever
// the umask, existing folders untouched, and a one-line error that says what to do.
#include "common/directories.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "tests/unit/common/registry/registry_test_util.h"

namespace fructosa {
namespace {

using test::TempDir;

unsigned mode_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

std::string error_of(const std::string& dir) {
    try {
        ensure_directory(dir, "the spool");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "no error";
}

/// Sets the umask for the test's scope (a daemon started from a root shell with 077).
class Umask {
public:
    explicit Umask(mode_t m) : old_(::umask(m)) {}
    ~Umask() { ::umask(old_); }

private:
    mode_t old_;
};

TEST(Directories, MakesEveryMissingLevelWith0755) {
    TempDir dir;
    Umask strict(077);
    ensure_directory(dir.file("var/spool/fructosa/lagent/"), "the spool");
    for (const char* level : {"var", "var/spool", "var/spool/fructosa", "var/spool/fructosa/lagent"})
        EXPECT_EQ(mode_of(dir.file(level)), 0755u) << level;
    ensure_parent_directory(dir.file("run/fructosa/lagent.pid"), "the pid file");
    EXPECT_EQ(mode_of(dir.file("run/fructosa")), 0755u);
    EXPECT_FALSE(std::filesystem::exists(dir.file("run/fructosa/lagent.pid")));
}

TEST(Directories, LeavesAnExistingFolderAsItIs) {
    TempDir dir;
    std::filesystem::create_directory(dir.file("mine"));
    ::chmod(dir.file("mine").c_str(), 0700);
    ensure_directory(dir.file("mine"), "the spool");
    ensure_directory(dir.file("mine/sub"), "the spool");
    EXPECT_EQ(mode_of(dir.file("mine")), 0700u);
    EXPECT_EQ(mode_of(dir.file("mine/sub")), 0755u);
    ensure_parent_directory("bare.log", "the log file");  // no folder named: nothing to do
}

TEST(Directories, SaysInOneLineWhatToDo) {
    TempDir dir;
    std::ofstream(dir.file("plain")) << "a file\n";
    std::string in_the_way = dir.file("plain/spool");
    EXPECT_EQ(error_of(in_the_way), "cannot create directory " + in_the_way + " for the spool: " +
                                        dir.file("plain") + " exists and is not a directory (move it away or change the path)");
    // A folder nobody may write into (a read-only one stands in for missing rights; root
    // ignores modes, so the test uses /proc, which no one can add folders to).
    EXPECT_EQ(error_of("/proc/fructosa-test/spool").rfind("cannot create directory /proc/fructosa-test/spool for the "
                                                          "spool: ",
                                                          0),
              0u);
    EXPECT_NE(error_of("/proc/fructosa-test/spool").find("(create it: mkdir -p /proc/fructosa-test/spool)"),
              std::string::npos);
}

}  // namespace
}  // namespace fructosa
