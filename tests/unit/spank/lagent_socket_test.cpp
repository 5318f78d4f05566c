// Bounded fire-and-forget delivery to a unix socket (spank/lagent_socket.c).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "lagent_socket.h"

namespace fructosa {
namespace {

class SpankLagentSocket : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fr-sock-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/l.sock";
  }
  void TearDown() override {
    for (int fd : fds_)
      close(fd);
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  int listen_on(int backlog) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(fd, backlog), 0);
    fds_.push_back(fd);
    return fd;
  }
  int connect_plain() {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
    int rc = connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    fds_.push_back(fd);
    return rc;
  }
  std::string dir_, path_;
  std::vector<int> fds_;
};

TEST_F(SpankLagentSocket, DeliversTheWholeLineAndCloses) {
  int lfd = listen_on(8);
  std::string line = "{\"v\":1}\n";
  char err[128];
  ASSERT_EQ(fructosa_send_line(path_.c_str(), line.data(), line.size(), 100, err, sizeof err), 0)
      << err;
  int conn = accept(lfd, nullptr, nullptr);
  ASSERT_GE(conn, 0);
  fds_.push_back(conn);
  std::string got;
  char buf[256];
  ssize_t n;
  while ((n = read(conn, buf, sizeof buf)) > 0)
    got.append(buf, static_cast<size_t>(n));
  EXPECT_EQ(n, 0) << "the sender closed";
  EXPECT_EQ(got, line);
}

TEST_F(SpankLagentSocket, MissingSocketFailsAtOnceWithReason) {
  char err[128];
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(fructosa_send_line(path_.c_str(), "x\n", 2, 1000, err, sizeof err), -1);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200));
  EXPECT_NE(std::string(err).find("connect: No such file"), std::string::npos) << err;
}

TEST_F(SpankLagentSocket, FullBacklogTimesOutWithinTheBudget) {
  listen_on(0);
  int filled = 0;  // take the backlog ourselves: the listener never accepts
  while (connect_plain() == 0 && filled < 64)
    ++filled;
  ASSERT_GT(filled, 0);
  char err[128];
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(fructosa_send_line(path_.c_str(), "x\n", 2, 150, err, sizeof err), -1);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, std::chrono::milliseconds(140));
  EXPECT_LT(took, std::chrono::milliseconds(600));
  EXPECT_STREQ(err, "timed out after 150 ms while connecting");
}

TEST_F(SpankLagentSocket, PeerThatNeverReadsTimesOutOnBigWrites) {
  int lfd = listen_on(8);
  std::string big(8 * 1024 * 1024, 'x');  // far more than a socket buffer
  char err[128];
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(fructosa_send_line(path_.c_str(), big.data(), big.size(), 150, err, sizeof err), -1);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, std::chrono::milliseconds(600));
  EXPECT_STREQ(err, "timed out after 150 ms while sending");
  (void)lfd;
}

TEST_F(SpankLagentSocket, PathTooLongIsRefused) {
  std::string path = "/" + std::string(200, 'a');
  char err[128];
  EXPECT_EQ(fructosa_send_line(path.c_str(), "x\n", 2, 100, err, sizeof err), -1);
  EXPECT_NE(std::string(err).find("socket path"), std::string::npos) << err;
}

TEST_F(SpankLagentSocket, PeerGoneDoesNotRaiseSigpipe) {
  int lfd = listen_on(8);
  // Accept and close at once while the sender writes a lot: EPIPE, not SIGPIPE.
  std::string big(4 * 1024 * 1024, 'y');
  pid_t child = fork();
  if (child == 0) {
    int c = accept(lfd, nullptr, nullptr);
    close(c);
    _exit(0);
  }
  char err[128];
  int rc = fructosa_send_line(path_.c_str(), big.data(), big.size(), 2000, err, sizeof err);
  EXPECT_EQ(rc, -1);  // still alive: no SIGPIPE killed the test
  int status = 0;
  waitpid(child, &status, 0);
}

}  // namespace
}  // namespace fructosa
