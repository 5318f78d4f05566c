#include "collector/sock_diag.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
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

/// A TCP socket listening on the loopback address of `family`.
int listen_on_loopback(int family) {
    int fd = ::socket(family, SOCK_STREAM, 0);
    if (fd < 0) return fd;
    int rc;
    if (family == AF_INET) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    } else {
        sockaddr_in6 addr{};
        addr.sin6_family = AF_INET6;
        addr.sin6_addr = in6addr_loopback;
        rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    }
    if (rc != 0 || ::listen(fd, 1) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::optional<std::vector<int>> sock_diag_states(int protocol) {
    SockDiag diag;
    std::vector<int> out;
    if (!diag.states(protocol, out)) return std::nullopt;
    return out;
}

}  // namespace

TEST(SockDiag, SeesTheSameListeningSocketsAsProc) {
    // One IPv4 and one IPv6 listener: the one-walk TCP request must see both families.
    int fd4 = listen_on_loopback(AF_INET);
    int fd6 = listen_on_loopback(AF_INET6);
    ASSERT_GE(fd4, 0);
    ASSERT_GE(fd6, 0);
    auto diag = sock_diag_states(IPPROTO_TCP);
    auto proc = proc_states("/proc/net/tcp", "/proc/net/tcp6");
    ::close(fd4);
    ::close(fd6);
    ASSERT_TRUE(diag.has_value()) << "sock_diag not available";
    constexpr int kListen = 10;
    EXPECT_GE(count_state(*diag, kListen), 2);
    EXPECT_EQ(count_state(*diag, kListen), count_state(proc, kListen));
}

TEST(SockDiag, OneSocketServesSampleAfterSample) {
    SockDiag diag;
    std::vector<int> first, second;
    ASSERT_TRUE(diag.states(IPPROTO_TCP, first));
    int fd = listen_on_loopback(AF_INET6);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(diag.states(IPPROTO_TCP, second));
    ::close(fd);
    constexpr int kListen = 10;
    EXPECT_EQ(count_state(second, kListen), count_state(first, kListen) + 1);
    ASSERT_TRUE(diag.states(IPPROTO_UDP, second));  // the same socket, another protocol
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
