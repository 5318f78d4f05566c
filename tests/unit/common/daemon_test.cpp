// The lifecycle every daemon shares, without daemonising: pid files (stale, recycled,
// zombie), the command line, `status`, `stop` of a real child process, and `run` in the
// foreground. `start` forks twice and detaches; the integration tests cover it.
#include "common/daemon.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/logging.h"
#include "tests/unit/common/registry/registry_test_util.h"

namespace fructosa {
namespace {

using test::TempDir;
using testing::internal::CaptureStderr;
using testing::internal::CaptureStdout;
using testing::internal::GetCapturedStderr;
using testing::internal::GetCapturedStdout;

/// This test binary's name as the kernel keeps it (at most 15 characters): running_pid
/// accepts a pid only for the program whose name matches.
std::string own_comm() {
    std::ifstream in("/proc/self/comm");
    std::string s;
    std::getline(in, s);
    return s;
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A child that exited and was reaped: its pid names no process (until recycled).
int dead_pid() {
    pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    return child;
}

/// A child that waits for a signal; reaped by wait().
class Child {
public:
    Child() {
        pid_ = ::fork();
        if (pid_ == 0)
            for (;;) ::pause();
    }
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    int pid() const { return pid_; }
    /// The status it ended with (after it has ended).
    int wait() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return status;
    }

private:
    pid_t pid_ = -1;
};

TEST(RunningPid, OnlyALiveProcessOfTheProgram) {
    TempDir dir;
    const std::string pidfile = dir.file("d.pid");
    const std::string me = own_comm();
    const std::string own = std::to_string(::getpid());
    EXPECT_EQ(running_pid(pidfile, me), 0) << "no pid file";
    struct Case {
        std::string content;
        std::string program;
        int expected;
    };
    const Case cases[] = {
        {"", me, 0},
        {"abc\n", me, 0},
        {"0\n", me, 0},
        {"-1\n", me, 0},
        {own + "\n", me, ::getpid()},
        {own, me, ::getpid()},
        {own + "\n", me + "-with-a-longer-name", ::getpid()},  // the kernel keeps 15 characters
        {own + "\n", "lagent", 0},                             // a recycled pid: another program
        {std::to_string(dead_pid()) + "\n", me, 0},            // stale
    };
    for (const auto& c : cases) {
        write_file(pidfile, c.content);
        EXPECT_EQ(running_pid(pidfile, c.program), c.expected) << "'" << c.content << "' " << c.program;
    }
}

TEST(RunningPid, AZombieIsNotRunning) {
    TempDir dir;
    pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    // Not reaped yet: kill(pid, 0) still succeeds, but the process has exited.
    for (int i = 0; i < 200 && read_file("/proc/" + std::to_string(child) + "/stat").find(") Z") == std::string::npos;
         ++i)
        ::usleep(5000);
    write_file(dir.file("z.pid"), std::to_string(child));
    EXPECT_EQ(running_pid(dir.file("z.pid"), own_comm()), 0);
    ::waitpid(child, nullptr, 0);
}

/// Runs daemon_main over `args` for a daemon called like this test binary, and keeps
/// its exit status and what it printed.
struct Outcome {
    int rc;
    std::string out, err;
};

class DaemonMain : public ::testing::Test {
protected:
    DaemonMain() {
        spec_.program = own_comm();
        spec_.summary = "a test daemon";
        spec_.default_config = "/etc/fructosa/test.conf";
        spec_.help_epilog = "Epilog line.";
        spec_.extra_flags.push_back({"--list-things", "list the things", [this](const std::string& config) {
                                         extra_config_ = config;
                                         if (config.find("bad") != std::string::npos)
                                             throw std::runtime_error("cannot list");
                                         return 5;
                                     }});
        spec_.prepare = [this](const std::string& config, bool foreground) -> RunFn {
            prepared_config_ = config;
            prepared_foreground_ = foreground;
            if (prepare_error_) throw ConfigError("t.conf:3: [x] y: bad value");
            return run_;
        };
        ::sigaction(SIGPIPE, nullptr, &old_sigpipe_);
    }
    ~DaemonMain() override {
        Log::also_to_stderr(false);                    // `run` copies the log to stderr
        ::sigaction(SIGPIPE, &old_sigpipe_, nullptr);  // and ignores SIGPIPE
    }

    Outcome invoke(std::vector<std::string> args) {
        args.insert(args.begin(), spec_.program);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        CaptureStdout();
        CaptureStderr();
        int rc = daemon_main(static_cast<int>(args.size()), argv.data(), spec_);
        std::string out = GetCapturedStdout();
        return {rc, out, GetCapturedStderr()};
    }
    std::string prefix() const { return spec_.program + ": "; }

    TempDir dir_;
    std::string pidfile_ = dir_.file("run/sub/test.pid");
    DaemonSpec spec_;
    RunFn run_ = [](const ReadyFn& ready) {
        ready();
        return 0;
    };
    bool prepare_error_ = false;
    std::string prepared_config_, extra_config_;
    bool prepared_foreground_ = false;
    struct sigaction old_sigpipe_ {};
};

TEST_F(DaemonMain, HelpAndVersion) {
    auto r = invoke({"--help"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out.rfind("Usage: " + spec_.program + " start|stop|run|status [options]\na test daemon\n", 0), 0u)
        << r.out;
    for (const char* want : {"(default /etc/fructosa/test.conf)", "(default /run/",
                             "  --list-things      list the things\n",
                             "\nEpilog line.\n"})
        EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
    r = invoke({"-V"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out.rfind(spec_.program + " (FrUCToSA) ", 0), 0u) << r.out;
    EXPECT_TRUE(prepared_config_.empty()) << "help prepared the daemon";
}

TEST_F(DaemonMain, BadArgumentsExitTwoWithOneLine) {
    const std::string help = " (see " + spec_.program + " --help)\n";
    struct Case {
        std::vector<std::string> args;
        std::string err;
    };
    const Case cases[] = {
        {{}, prefix() + "no command given: start, stop, run or status" + help},
        {{"restart"}, prefix() + "unknown argument 'restart'" + help},
        {{"status", "--bogus"}, prefix() + "unknown argument '--bogus'" + help},
        {{"status", "-c"}, prefix() + "-c needs a file name" + help},
        {{"status", "--pidfile"}, prefix() + "--pidfile needs a file name" + help},
        {{"stop", "-t", "0"}, prefix() + "--timeout: '0' is not a positive number" + help},
        {{"stop", "--timeout=soon"}, prefix() + "--timeout: 'soon' is not a positive number" + help},
        {{"stop", "--timeout="}, prefix() + "--timeout: '' is not a positive number" + help},
        {{"start", "stop"}, prefix() + "give only one command" + help},
    };
    for (const auto& c : cases) {
        auto r = invoke(c.args);
        EXPECT_EQ(r.rc, 2) << c.err;
        EXPECT_EQ(r.err, c.err);
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
}

TEST_F(DaemonMain, StatusReadsThePidFile) {
    auto r = invoke({"status", "-p", pidfile_});
    EXPECT_EQ(r.rc, 3);
    EXPECT_EQ(r.out, prefix() + "not running\n");
    std::filesystem::create_directories(dir_.file("run/sub"));
    write_file(pidfile_, std::to_string(::getpid()) + "\n");
    r = invoke({"status", "--pidfile=" + pidfile_});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, prefix() + "running (pid " + std::to_string(::getpid()) + ")\n");
}

TEST_F(DaemonMain, StopRemovesAStalePidFile) {
    auto r = invoke({"stop", "-p", pidfile_});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, prefix() + "not running\n");
    std::filesystem::create_directories(dir_.file("run/sub"));
    write_file(pidfile_, std::to_string(dead_pid()) + "\n");
    r = invoke({"stop", "-p", pidfile_});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, prefix() + "not running (removed stale pid file " + pidfile_ + ")\n");
    EXPECT_FALSE(std::filesystem::exists(pidfile_));
}

TEST_F(DaemonMain, StopSignalsTheDaemonAndWaitsUntilItHasExited) {
    Child daemon;
    std::filesystem::create_directories(dir_.file("run/sub"));
    write_file(pidfile_, std::to_string(daemon.pid()) + "\n");
    auto r = invoke({"stop", "-p", pidfile_, "-t", "10"});
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, prefix() + "stopped (pid " + std::to_string(daemon.pid()) + ")\n");
    EXPECT_FALSE(std::filesystem::exists(pidfile_));
    int status = daemon.wait();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
}

TEST_F(DaemonMain, RunWritesThePidFileForItsLifetime) {
    std::string during;
    run_ = [&](const ReadyFn& ready) {
        ready();  // a no-op in the foreground: nobody waits on a pipe
        during = read_file(pidfile_);
        return 7;
    };
    auto r = invoke({"run", "-c", "relative.conf", "-p", pidfile_});
    EXPECT_EQ(r.rc, 7) << r.err;
    EXPECT_EQ(during, std::to_string(::getpid()) + "\n");
    EXPECT_FALSE(std::filesystem::exists(pidfile_)) << "the pid file outlived the daemon";
    EXPECT_TRUE(prepared_foreground_);
    EXPECT_EQ(prepared_config_, (std::filesystem::current_path() / "relative.conf").string());
}

TEST_F(DaemonMain, RunLeavesAPidFileThatNamesAnotherProcess) {
    run_ = [&](const ReadyFn&) {
        write_file(pidfile_, "1\n");  // another instance took over the file meanwhile
        return 0;
    };
    EXPECT_EQ(invoke({"run", "-p", pidfile_}).rc, 0);
    EXPECT_EQ(read_file(pidfile_), "1\n");
}

TEST_F(DaemonMain, RunRefusesWhileAnotherInstanceRuns) {
    std::filesystem::create_directories(dir_.file("run/sub"));
    write_file(pidfile_, std::to_string(::getpid()) + "\n");
    auto r = invoke({"run", "-p", pidfile_});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err,
              prefix() + "already running (pid " + std::to_string(::getpid()) + ", pid file " + pidfile_ + ")\n");
    EXPECT_TRUE(prepared_config_.empty()) << "prepared a second instance";
}

TEST_F(DaemonMain, ABadConfigExitsTwoBeforeThePidFileIsWritten) {
    prepare_error_ = true;
    auto r = invoke({"run", "-p", pidfile_});
    EXPECT_EQ(r.rc, 2);
    EXPECT_EQ(r.err, prefix() + "t.conf:3: [x] y: bad value\n");
    EXPECT_FALSE(std::filesystem::exists(pidfile_));
}

TEST_F(DaemonMain, ADaemonThatThrowsExitsOneAndSaysWhy) {
    run_ = [](const ReadyFn&) -> int { throw std::runtime_error("port 2003 is taken"); };
    auto r = invoke({"run", "-p", pidfile_});
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find(prefix() + "port 2003 is taken\n"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(pidfile_));
}

TEST_F(DaemonMain, AnExtraFlagRunsInsteadOfACommand) {
    auto r = invoke({"--list-things", "-c", "/etc/x.conf"});
    EXPECT_EQ(r.rc, 5);
    EXPECT_EQ(extra_config_, "/etc/x.conf");
    EXPECT_TRUE(prepared_config_.empty());
    r = invoke({"--list-things", "-c", "/etc/bad.conf"});
    EXPECT_EQ(r.rc, 2);
    EXPECT_EQ(r.err, prefix() + "cannot list\n");
}

}  // namespace
}  // namespace fructosa
