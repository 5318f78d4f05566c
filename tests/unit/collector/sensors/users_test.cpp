#include "collector/sensors/users.h"

#include <unistd.h>
#include <utmp.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

namespace {

/// One utmp record as glibc writes it.
std::string record(short type, const std::string& user, const std::string& line) {
    struct utmp u;
    std::memset(&u, 0, sizeof u);
    u.ut_type = type;
    u.ut_pid = 1234;
    std::strncpy(u.ut_user, user.c_str(), sizeof u.ut_user);  // NUL-padded, may fill it
    std::strncpy(u.ut_line, line.c_str(), sizeof u.ut_line);
    u.ut_tv.tv_sec = 1700000000;
    return std::string(reinterpret_cast<const char*>(&u), sizeof u);
}

/// A fixture tree in a private temp dir holding only /var/run/utmp; removed at the end.
class UtmpTree : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = std::filesystem::temp_directory_path() /
                ("fructosa-utmp-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(root_ / "var/run");
    }
    void TearDown() override { std::filesystem::remove_all(root_); }
    void write_utmp(const std::string& bytes) {
        std::ofstream(root_ / "var/run/utmp", std::ios::binary) << bytes;
    }
    std::filesystem::path root_;
};

const std::string long_name(UT_NAMESIZE, 'x');  // fills ut_user without a NUL

std::string sessions() {
    return record(BOOT_TIME, "reboot", "~") + record(USER_PROCESS, "alice", "pts/0") +
           record(USER_PROCESS, "bob", "pts/1") + record(LOGIN_PROCESS, "LOGIN", "tty1") +
           record(USER_PROCESS, "alice", "pts/2") + record(DEAD_PROCESS, "carol", "pts/3") +
           record(USER_PROCESS, "j.doe", "pts/4") + record(USER_PROCESS, long_name, "pts/5");
}

}  // namespace

TEST(Utmp, UserProcessRecordsOnly) {
    EXPECT_EQ(parse_utmp_users(sessions(), "utmp"),
              (std::vector<std::string>{"alice", "bob", "alice", "j.doe", long_name}));
    EXPECT_TRUE(parse_utmp_users("", "utmp").empty());
}

TEST(Utmp, TruncatedFileNamesTheFile) {
    auto bytes = sessions();
    bytes.pop_back();
    try {
        parse_utmp_users(bytes, "/var/run/utmp");
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/var/run/utmp"), std::string::npos) << e.what();
    }
}

TEST_F(UtmpTree, SessionsPerUser) {
    write_utmp(sessions());
    auto r = make_sensor("Users")->sample(FixtureSystemReader(root_.string()));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, (Readings{{"count", 5}, {"alice", 2}, {"bob", 1}, {"j_doe", 1}, {long_name, 1}}));
}

TEST_F(UtmpTree, NoUtmpIsNullopt) {
    EXPECT_FALSE(make_sensor("Users")->sample(FixtureSystemReader(root_.string())).has_value());
    write_utmp("");
    EXPECT_EQ(make_sensor("Users")->sample(FixtureSystemReader(root_.string())),
              (Readings{{"count", 0}}));
}

TEST(Utmp, ReadingsCountSessionsPerSanitisedUser) {
    EXPECT_EQ(users_readings({"bob", "alice", "bob", "j.doe", "j_doe"}),
              (Readings{{"count", 5}, {"alice", 1}, {"bob", 2}, {"j_doe", 2}}));
    EXPECT_EQ(users_readings({}), (Readings{{"count", 0}}));
}
