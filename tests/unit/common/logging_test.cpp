// Process-wide logging: levels, the line format, the log file and its rotation at maxBytes
// keeping backupCount files, copies to standard error, and the complain/release limiter.
#include "common/logging.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/config.h"

namespace fructosa {
namespace {

namespace fs = std::filesystem;

/// A private directory for the test's log files; logging goes back to standard error at
/// WARNING (what the other tests expect) and the directory is removed at the end.
class TempLog {
  public:
    TempLog()
        : dir_(fs::temp_directory_path() /
               ("fructosa-logging-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~TempLog() {
        Log::also_to_stderr(false);
        Log::configure(LogSettings{"-", 0, 0, LogLevel::Warning}, "test");
        fs::remove_all(dir_);
    }
    TempLog(const TempLog&) = delete;
    TempLog& operator=(const TempLog&) = delete;

    std::string path(const std::string& name = "x.log") const { return (dir_ / name).string(); }
    bool exists(const std::string& name) const { return fs::exists(dir_ / name); }

    /// The lines of `name`.
    std::vector<std::string> lines(const std::string& name = "x.log") const {
        std::ifstream in(dir_ / name);
        std::vector<std::string> out;
        for (std::string line; std::getline(in, line);) out.push_back(line);
        return out;
    }
    /// The message part of every line of `name` (after "LEVEL: ").
    std::vector<std::string> messages(const std::string& name = "x.log") const {
        std::vector<std::string> out;
        for (const auto& l : lines(name)) out.push_back(l.substr(l.find(": ") + 2));
        return out;
    }

  private:
    fs::path dir_;
};

/// The length of one line that log_info("line NN") writes for program "test" (the same
/// for every NN: the time stamp and the pid have a fixed width during a run).
std::uint64_t line_length(const TempLog& t) {
    Log::configure(LogSettings{t.path("probe.log"), 0, 0, LogLevel::Info}, "test");
    log_info("line {:02d}", 0);
    return fs::file_size(t.path("probe.log"));
}

using Lines = std::vector<std::string>;

TEST(Logging, LineFormatHasTimeProgramPidAndLevel) {
    TempLog t;
    Log::configure(LogSettings{t.path(), 0, 0, LogLevel::Debug}, "lagent");
    log_info("hello {}", 42);
    log_error("bad {}", "thing");
    auto lines = t.lines();
    ASSERT_EQ(lines.size(), 2u);
    const std::string pid = std::to_string(::getpid());
    const std::regex info(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} lagent\[)" + pid +
                          R"(\] INFO: hello 42)");
    EXPECT_TRUE(std::regex_match(lines[0], info)) << lines[0];
    EXPECT_NE(lines[1].find(" lagent[" + pid + "] ERROR: bad thing"), std::string::npos)
        << lines[1];
}

TEST(Logging, LevelFiltersWhatIsWritten) {
    TempLog t;
    Log::configure(LogSettings{t.path(), 0, 0, LogLevel::Warning}, "test");
    EXPECT_FALSE(Log::enabled(LogLevel::Debug));
    EXPECT_FALSE(Log::enabled(LogLevel::Info));
    EXPECT_TRUE(Log::enabled(LogLevel::Warning));
    EXPECT_TRUE(Log::enabled(LogLevel::Critical));
    log_debug("d");
    log_info("i");
    log_warning("w");
    log_error("e");
    Log::write(LogLevel::Critical, "c");
    EXPECT_EQ(t.messages(), (Lines{"w", "e", "c"}));
    Log::configure(LogSettings{t.path("debug.log"), 0, 0, LogLevel::Debug}, "test");
    log_debug("d");
    log_info("i");
    EXPECT_EQ(t.messages("debug.log"), (Lines{"d", "i"}));
}

TEST(Logging, SetLevelChangesTheThresholdOfTheOpenLog) {
    TempLog t;
    Log::configure(LogSettings{t.path(), 0, 0, LogLevel::Warning}, "test");
    log_info("before");
    Log::set_level(LogLevel::Debug);  // SIGHUP's [logging] level
    EXPECT_EQ(Log::level(), LogLevel::Debug);
    log_debug("after");
    Log::set_level(LogLevel::Error);
    log_warning("hidden");
    log_error("shown");
    EXPECT_EQ(t.messages(), (Lines{"after", "shown"}));
}

TEST(Logging, RotationAtMaxBytesKeepsBackupCountFiles) {
    TempLog t;
    const auto len = line_length(t);
    // Three lines fill a file: the fourth goes to a fresh one.
    Log::configure(LogSettings{t.path(), 3 * len, 2, LogLevel::Info}, "test");
    for (int i = 0; i < 10; ++i) log_info("line {:02d}", i);
    EXPECT_EQ(t.messages("x.log"), (Lines{"line 09"}));
    EXPECT_EQ(t.messages("x.log.1"), (Lines{"line 06", "line 07", "line 08"}));
    EXPECT_EQ(t.messages("x.log.2"), (Lines{"line 03", "line 04", "line 05"}));
    EXPECT_FALSE(t.exists("x.log.3"));  // lines 00..02 fell off
}

TEST(Logging, WithoutBackupsTheFileStartsAfresh) {
    TempLog t;
    const auto len = line_length(t);
    Log::configure(LogSettings{t.path(), 2 * len, 0, LogLevel::Info}, "test");
    for (int i = 0; i < 5; ++i) log_info("line {:02d}", i);
    EXPECT_EQ(t.messages(), (Lines{"line 04"}));
    EXPECT_FALSE(t.exists("x.log.1"));
}

TEST(Logging, MaxBytesZeroNeverRotates) {
    TempLog t;
    Log::configure(LogSettings{t.path(), 0, 3, LogLevel::Info}, "test");
    for (int i = 0; i < 200; ++i)
        log_info("line {:02d} with some padding to make the file grow", i);
    EXPECT_EQ(t.lines().size(), 200u);
    EXPECT_FALSE(t.exists("x.log.1"));
}

TEST(Logging, AppendsToAnExistingFileAndCountsItsSize) {
    TempLog t;
    const auto len = line_length(t);
    std::ofstream(t.path(), std::ios::binary) << std::string(len - 1, 'o') << "\n";
    Log::configure(LogSettings{t.path(), 2 * len, 1, LogLevel::Info}, "test");
    log_info("line {:02d}", 1);  // fits beside the old line
    log_info("line {:02d}", 2);  // does not: rotates
    const auto old = t.lines("x.log.1");
    ASSERT_EQ(old.size(), 2u);
    EXPECT_EQ(old[0], std::string(len - 1, 'o'));
    EXPECT_EQ(t.messages("x.log.1")[1], "line 01");
    EXPECT_EQ(t.messages(), (Lines{"line 02"}));
}

TEST(Logging, ConfigureCreatesDirectoriesOrSaysWhyNot) {
    TempLog t;
    Log::configure(LogSettings{t.path("a/b/x.log"), 0, 0, LogLevel::Info}, "test");
    log_info("deep");
    EXPECT_EQ(t.messages("a/b/x.log"), (Lines{"deep"}));
    try {
        Log::configure(LogSettings{"/dev/null/x.log", 0, 0, LogLevel::Info}, "test");
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "cannot create directory /dev/null for the log file: /dev/null exists and is not a directory "
                  "(move it away or change the path)");
    }
}

// logrotate moves the file away and sends SIGHUP: the daemon reopens the configured path,
// so new lines go to a new file there while the moved file keeps what it had.
TEST(Logging, ReopenStartsANewFileAtTheConfiguredPath) {
    TempLog t;
    Log::configure(LogSettings{t.path(), 0, 0, LogLevel::Info}, "test");
    log_info("before");
    fs::rename(t.path(), t.path("x.log.1"));
    log_info("after the move");  // still the open file, now x.log.1
    EXPECT_FALSE(t.exists("x.log"));
    EXPECT_EQ(Log::reopen(), "");
    log_info("after the reopen");
    EXPECT_EQ(t.messages("x.log.1"), (Lines{"before", "after the move"}));
    EXPECT_EQ(t.messages("x.log"), (Lines{"after the reopen"}));
}

TEST(Logging, ReopenThatFailsKeepsWritingToTheOldFile) {
    TempLog t;
    Log::configure(LogSettings{t.path("logs/x.log"), 0, 0, LogLevel::Info}, "test");
    fs::rename(t.path("logs"), t.path("moved"));
    std::ofstream(t.path("logs")) << "a file where the log folder was\n";
    EXPECT_EQ(Log::reopen(), "cannot create directory " + t.path("logs") + " for the log file: " + t.path("logs") +
                                 " exists and is not a directory (move it away or change the path)");
    log_info("kept");
    EXPECT_EQ(t.messages("moved/x.log"), (Lines{"kept"}));
}

TEST(Logging, ReopenOnHangupSaysSoInTheNewFile) {
    TempLog t;
    Log::configure(LogSettings{t.path(), 0, 0, LogLevel::Info}, "test");
    fs::rename(t.path(), t.path("x.log.1"));
    reopen_log_on_hangup();
    EXPECT_EQ(t.messages(), (Lines{"SIGHUP: log file reopened"}));
    EXPECT_TRUE(t.messages("x.log.1").empty());
}

TEST(Logging, StandardErrorWhenNoFileOrAsACopy) {
    TempLog t;
    Log::configure(LogSettings{"-", 0, 0, LogLevel::Info}, "test");
    ::testing::internal::CaptureStderr();
    log_info("to stderr");
    EXPECT_NE(::testing::internal::GetCapturedStderr().find("] INFO: to stderr\n"),
              std::string::npos);

    Log::configure(LogSettings{t.path(), 0, 0, LogLevel::Info}, "test");
    ::testing::internal::CaptureStderr();
    log_info("file only");
    Log::also_to_stderr(true);
    log_info("both");
    Log::also_to_stderr(false);
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(err.find("file only"), std::string::npos) << err;
    EXPECT_NE(err.find("] INFO: both\n"), std::string::npos) << err;
    EXPECT_EQ(t.messages(), (Lines{"file only", "both"}));
}

TEST(Logging, LevelNamesInAnyCase) {
    struct Case {
        const char* text;
        LogLevel expected;
    };
    const Case good[] = {{"DEBUG", LogLevel::Debug},     {"info", LogLevel::Info},
                         {"Warning", LogLevel::Warning}, {"WARN", LogLevel::Warning},
                         {"error", LogLevel::Error},     {"CRITICAL", LogLevel::Critical}};
    for (const auto& c : good) {
        LogLevel l = LogLevel::Info;
        EXPECT_TRUE(parse_log_level(c.text, l)) << c.text;
        EXPECT_EQ(l, c.expected) << c.text;
    }
    for (const char* bad : {"", "verbose", "WARNINGS", "30", " INFO", "FATAL"}) {
        LogLevel l = LogLevel::Error;
        EXPECT_FALSE(parse_log_level(bad, l)) << bad;
        EXPECT_EQ(l, LogLevel::Error) << bad;  // untouched
    }
}

TEST(Logging, SettingsRejectBadValues) {
    auto settings = [](const std::string& body) {
        return read_log_settings(IniFile::parse("[logging]\n" + body, "l.conf"), "/var/log/x.log");
    };
    auto s = settings("filename = -\nmaxBytes = 0\nbackupCount = 0\nlevel = warn\n");
    EXPECT_EQ(s.filename, "-");
    EXPECT_EQ(s.max_bytes, 0u);
    EXPECT_EQ(s.backup_count, 0);
    EXPECT_EQ(s.level, LogLevel::Warning);
    EXPECT_THROW(settings("level = loud\n"), ConfigError);
    EXPECT_THROW(settings("maxBytes = -1\n"), ConfigError);
    EXPECT_THROW(settings("backupCount = 1001\n"), ConfigError);
    EXPECT_THROW(settings("rotate = yes\n"), ConfigError);
    try {
        settings("level = loud\n");
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "'loud' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Logging, ComplaintLogsOnceThenSummarisesRepeats) {
    TempLog t;
    Log::configure(LogSettings{t.path(), 0, 0, LogLevel::Info}, "test");
    Complaint c(std::chrono::seconds(1));
    EXPECT_FALSE(c.active());
    c.release("nothing to release");  // not active: no line
    EXPECT_TRUE(c.complain("disk gone"));
    EXPECT_TRUE(c.active());
    EXPECT_FALSE(c.complain("disk gone"));
    EXPECT_FALSE(c.complain("disk gone"));
    std::this_thread::sleep_for(std::chrono::milliseconds(1050));
    EXPECT_TRUE(c.complain("disk gone"));
    c.release("disk back");
    EXPECT_FALSE(c.active());
    EXPECT_TRUE(c.complain("disk gone"));  // a new episode starts plain
    EXPECT_EQ(t.messages(),
              (Lines{"disk gone", "disk gone (repeated 2 more times since last report)",
                     "disk back", "disk gone"}));
    const auto lines = t.lines();
    EXPECT_NE(lines.at(0).find("WARNING: "), std::string::npos);
    EXPECT_NE(lines.at(2).find("INFO: disk back"), std::string::npos);
}

}  // namespace
}  // namespace fructosa

// Moved from config_test.cpp: they test logging.cpp.
namespace fructosa {

TEST(Config, LoggingDefaultsApplyWhenKeysAreAbsent) {
    auto f = IniFile::parse("[lmaster]\nhost = a\n", "x.conf");
    auto s = read_log_settings(f, "/var/log/fructosa/lagent.log");
    EXPECT_EQ(s.filename, "/var/log/fructosa/lagent.log");
    EXPECT_EQ(s.max_bytes, 10u << 20);
    EXPECT_EQ(s.backup_count, 5);
    EXPECT_EQ(s.level, LogLevel::Info);
}

TEST(Logging, RotationHappensAndKeepsBackupCount) {
    auto dir = std::filesystem::temp_directory_path() / ("fructosa-log-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    LogSettings s{(dir / "x.log").string(), 300, 2, LogLevel::Debug};
    Log::configure(s, "test");
    for (int i = 0; i < 50; ++i) log_info("line number {} with some padding to fill the file", i);
    EXPECT_TRUE(std::filesystem::exists(dir / "x.log"));
    EXPECT_TRUE(std::filesystem::exists(dir / "x.log.1"));
    EXPECT_TRUE(std::filesystem::exists(dir / "x.log.2"));
    EXPECT_FALSE(std::filesystem::exists(dir / "x.log.3"));
    EXPECT_LE(std::filesystem::file_size(dir / "x.log"), 300u);
    Log::configure(LogSettings{"-", 0, 0, LogLevel::Warning}, "test");
    std::filesystem::remove_all(dir);
}

}  // namespace fructosa
