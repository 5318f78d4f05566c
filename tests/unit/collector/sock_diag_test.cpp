#include "collector/sock_diag.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "collector/sensors/net_connections.h"

using namespace fructosa;

namespace {

int count_state(const std::vector<int>& states, int code) {
    return static_cast<int>(std::count(states.begin(), states.end(), code));
}

std::vector<int> proc_states(const char* a, const char* b) {
    std::vector<int> out;
    for (const char* path : {a, b}) {
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        for (int s : sensors::parse_inet_socket_states(ss.str(), path)) out.push_back(s);
    }
    return out;
}

}  // namespace

TEST(SockDiag, SeesTheSameListeningSocketsAsProc) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    auto diag = sock_diag_states(IPPROTO_TCP);
    auto proc = proc_states("/proc/net/tcp", "/proc/net/tcp6");
    ::close(fd);
    ASSERT_TRUE(diag.has_value()) << "sock_diag not available";
    constexpr int kListen = 10;
    EXPECT_GE(count_state(*diag, kListen), 1);
    EXPECT_EQ(count_state(*diag, kListen), count_state(proc, kListen));
}

TEST(SockDiag, CountsUdpSockets) {
    auto before = sock_diag_states(IPPROTO_UDP);
    int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_addr = in6addr_loopback;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    auto after = sock_diag_states(IPPROTO_UDP);
    ::close(fd);
    ASSERT_TRUE(before && after);
    EXPECT_EQ(after->size(), before->size() + 1);
}
