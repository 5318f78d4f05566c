// PluginSocket on a real unix socket in a private directory: a line in, a parsed event
// out; garbage counted and dropped; senders other than root and the SlurmUser refused.
#include "collector/plugin_socket.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/run_until.h"

using namespace fructosa;
using namespace fructosa::test;
using namespace std::chrono_literals;

namespace {

const std::string kStepStart =
    R"({"v":1,"event":"step_start","time":1700000000.5,"job_id":42,"step_id":"batch","uid":1000,)"
    R"("user":"alice","node":"n2","nnodes":1,"cpus":4,"cgroup":{"unified":"/"}})";
const std::string kStepEnd =
    R"({"v":1,"event":"step_end","time":1,"job_id":7,"step_id":"0","node":"n1","exit_status":256})";

/// Connects to `path`, writes `text` and closes; false when it cannot connect or write.
bool send_text(const std::string& path, const std::string& text) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
              ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return ok;
}

/// Sends `text` from a child process running as `uid`; true when the child could send.
bool send_as(unsigned uid, const std::string& path, const std::string& text) {
    pid_t pid = ::fork();
    if (pid == 0) {
        // The raw system call changes only this (single-threaded) child.
        if (::syscall(SYS_setuid, uid) != 0) ::_exit(2);
        ::_exit(send_text(path, text) ? 0 : 1);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// A private directory (everyone may enter it, as lagent's run directory) and a socket
/// path in it, with an io_context to run the socket on.
class PluginSocketTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/fr-plugin-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        ::chmod(dir_.c_str(), 0755);
        path_ = dir_ + "/lagent.sock";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    /// A socket that keeps what it hears in events_.
    std::unique_ptr<PluginSocket> make_socket(std::vector<unsigned> allowed_uids = {}) {
        return std::make_unique<PluginSocket>(io_, path_, std::move(allowed_uids),
                                              [this](const StepEvent& e) { events_.push_back(e); });
    }

    boost::asio::io_context io_;
    std::string dir_, path_;
    std::vector<StepEvent> events_;
};

}  // namespace

TEST_F(PluginSocketTest, AMessageReachesTheHandlerParsed) {
    auto sock = make_socket();
    sock->start();
    ASSERT_TRUE(send_text(path_, kStepStart + "\n"));
    ASSERT_TRUE(run_until(io_, [&] { return events_.size() == 1; }));
    const StepEvent& e = events_[0];
    EXPECT_EQ(e.kind, StepEvent::Kind::Start);
    EXPECT_EQ(e.job_id, 42u);
    EXPECT_EQ(e.step_id, "batch");
    EXPECT_EQ(e.user, "alice");
    EXPECT_EQ(e.node, "n2");
    EXPECT_EQ(e.cpus, 4u);
    EXPECT_EQ(e.cgroup.at("unified"), "/");
    EXPECT_EQ(sock->malformed(), 0u);
    EXPECT_EQ(sock->refused(), 0u);
    sock->stop();
}

TEST_F(PluginSocketTest, OneLinePerConnectionAndALastLineWithoutNewline) {
    auto sock = make_socket();
    sock->start();
    ASSERT_TRUE(send_text(path_, kStepEnd));  // closed without "\n": still one message
    ASSERT_TRUE(run_until(io_, [&] { return events_.size() == 1; }));
    ASSERT_TRUE(send_text(path_, kStepStart + "\n" + kStepEnd + "\n"));  // the second is not read
    ASSERT_TRUE(run_until(io_, [&] { return events_.size() == 2; }));
    io_.restart();
    io_.run_for(50ms);
    ASSERT_EQ(events_.size(), 2u);
    EXPECT_EQ(events_[0].kind, StepEvent::Kind::End);
    EXPECT_EQ(events_[0].exit_status, 256);
    EXPECT_EQ(events_[1].kind, StepEvent::Kind::Start);
    EXPECT_EQ(sock->malformed(), 0u);
}

TEST_F(PluginSocketTest, GarbageIsCountedAndIgnored) {
    auto sock = make_socket();
    sock->start();
    ASSERT_TRUE(send_text(path_, "garbage\n"));
    ASSERT_TRUE(send_text(path_, R"({"v":1,"event":"step_end","step_id":"0","node":"n"})"
                                 "\n"));  // no job_id
    ASSERT_TRUE(run_until(io_, [&] { return sock->malformed() == 2; }));
    ASSERT_TRUE(send_text(path_, ""));  // connected and closed at once: nothing, no complaint
    ASSERT_TRUE(send_text(path_, kStepEnd + "\n"));  // the socket still serves
    ASSERT_TRUE(run_until(io_, [&] { return events_.size() == 1; }));
    io_.restart();
    io_.run_for(50ms);
    EXPECT_EQ(sock->malformed(), 2u);
    EXPECT_EQ(events_.size(), 1u);
    EXPECT_EQ(events_[0].job_id, 7u);
}

TEST_F(PluginSocketTest, ATooLongMessageIsDropped) {
    auto sock = make_socket();
    sock->start();
    ASSERT_TRUE(send_text(path_, std::string(70 * 1024, 'x')));  // past the 64 KiB bound
    ASSERT_TRUE(run_until(io_, [&] { return sock->malformed() == 1; }));
    EXPECT_TRUE(events_.empty());
}

TEST_F(PluginSocketTest, OnlyRootAndTheAllowedUidsMaySend) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to send as another uid";
    const unsigned nobody = 65534;
    {
        auto sock = make_socket();
        sock->start();
        ASSERT_TRUE(send_as(nobody, path_, kStepEnd + "\n"));
        ASSERT_TRUE(run_until(io_, [&] { return sock->refused() == 1; }));
        ASSERT_TRUE(send_text(path_, kStepEnd + "\n"));  // root may
        ASSERT_TRUE(run_until(io_, [&] { return events_.size() == 1; }));
        EXPECT_EQ(sock->refused(), 1u);
        sock->stop();
    }
    events_.clear();
    auto sock = make_socket({nobody});  // nobody is the SlurmUser here
    sock->start();
    ASSERT_TRUE(send_as(nobody, path_, kStepEnd + "\n"));
    ASSERT_TRUE(run_until(io_, [&] { return events_.size() == 1; }));
    EXPECT_EQ(sock->refused(), 0u);
}

TEST_F(PluginSocketTest, ListensForEveryoneAndRemovesItsFileOnStop) {
    auto sock = make_socket();
    sock->start();
    struct stat st {};
    ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0666u);  // SO_PEERCRED decides, not the file mode
    sock->stop();
    EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(PluginSocketTest, ReplacesAStaleSocketFile) {
    {
        auto dead = make_socket();
        dead->start();
    }  // destroyed without stop(): the file stays, nobody listens
    ASSERT_TRUE(std::filesystem::exists(path_));
    auto sock = make_socket();
    ASSERT_NO_THROW(sock->start());
    ASSERT_TRUE(send_text(path_, kStepEnd + "\n"));
    EXPECT_TRUE(run_until(io_, [&] { return events_.size() == 1; }));
}

TEST_F(PluginSocketTest, RefusesALiveSocketOrANonSocket) {
    auto live = make_socket();
    live->start();
    auto second = make_socket();
    try {
        second->start();
        ADD_FAILURE() << "started over a live socket";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("another lagent"), std::string::npos) << e.what();
    }
    live->stop();
    std::ofstream(path_) << "not a socket";
    try {
        second->start();
        ADD_FAILURE() << "replaced a regular file";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("not a socket"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(std::filesystem::is_regular_file(path_));
}

TEST_F(PluginSocketTest, CreatesItsDirectory) {
    path_ = dir_ + "/run/fructosa/lagent.sock";
    auto sock = make_socket();
    sock->start();
    ASSERT_TRUE(send_text(path_, kStepEnd + "\n"));
    EXPECT_TRUE(run_until(io_, [&] { return events_.size() == 1; }));
}

TEST_F(PluginSocketTest, OutOfDescriptorsItPausesAcceptingAndServesOnceThereAreSome) {
    auto sock = make_socket();
    sock->start();
    // The client's socket exists before the descriptors run out: connect() needs none.
    int client = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(client, 0);
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    int probe = ::dup(0);
    ASSERT_GE(probe, 0);
    ::close(probe);
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(probe + 8);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    std::vector<int> hogs;  // every descriptor below the lowered limit
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) hogs.push_back(fd);
    auto release = [&] {
        for (int fd : hogs) ::close(fd);
        hogs.clear();
        ::setrlimit(RLIMIT_NOFILE, &saved);
    };
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
    std::string line = kStepEnd + "\n";
    bool sent = ::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                ::write(client, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    bool paused = sent && run_until(io_, [&] { return sock->accept_pauses() >= 1; });
    bool accepting_while_out = sock->accepting();
    std::uint64_t pauses_while_out = sock->accept_pauses();
    release();
    ASSERT_TRUE(sent);
    ASSERT_TRUE(paused);
    EXPECT_FALSE(accepting_while_out);  // waits instead of trying again at once
    EXPECT_EQ(pauses_while_out, 1u);
    ASSERT_TRUE(run_until(io_, [&] { return events_.size() == 1; }));  // the waiting message is served
    EXPECT_TRUE(sock->accepting());
    EXPECT_EQ(events_[0].job_id, 7u);
    ::close(client);
}
