#include "collector/sock_diag.h"

#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

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

TEST(SockDiag, ABoundSocketThatNeverListenedOrConnectedIsNoConnection) {
    // Linux 6.8 and later dump such a socket (bound-inactive, state 13) when asked for
    // every state bit, and walk the whole bind hash table for it; /proc/net/tcp (the
    // original's source, through psutil) never lists it, and neither may we.
    auto before = sock_diag_states(IPPROTO_TCP);
    ASSERT_TRUE(before.has_value()) << "sock_diag not available";
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    auto after = sock_diag_states(IPPROTO_TCP);
    auto proc = proc_states("/proc/net/tcp", "/proc/net/tcp6");
    ::close(fd);
    ASSERT_TRUE(after.has_value());
    constexpr int kBoundInactive = 13;
    EXPECT_EQ(count_state(*after, kBoundInactive), 0);
    for (int code : *after) EXPECT_TRUE(code >= 1 && code <= 11) << "state " << code;
    constexpr int kClose = 7;  // a bound socket's own state
    EXPECT_EQ(count_state(*after, kClose), count_state(proc, kClose));
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

namespace {

/// In a network namespace of its own (nothing else opens sockets there): connections in
/// TIME_WAIT, in FIN_WAIT2 (time-wait sockets in that substate), CLOSE_WAIT and
/// ESTABLISHED, counted by SockDiag (TIME_WAIT from sockstat) and by /proc/net/tcp. The
/// child's exit code: 0, or which check failed.
int time_wait_in_a_namespace_of_its_own() {
    if (::unshare(CLONE_NEWNET) != 0 && ::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) return 10;
    int ctl = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq req{};
    std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
    if (ctl < 0 || ::ioctl(ctl, SIOCGIFFLAGS, &req) != 0) return 11;
    req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
    if (::ioctl(ctl, SIOCSIFFLAGS, &req) != 0) return 12;
    int listener = listen_on_loopback(AF_INET);
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    if (listener < 0 || ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 13;
    std::vector<int> clients, servers;
    for (int i = 0; i < 6; ++i) {
        int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c < 0 || ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 14;
        int s = ::accept(listener, nullptr, nullptr);
        if (s < 0) return 15;
        clients.push_back(c);
        servers.push_back(s);
    }
    for (int i = 0; i < 4; ++i) ::close(clients[i]);  // FIN_WAIT2 (orphaned: time-wait substate)
    for (int i = 0; i < 2; ++i) ::close(servers[i]);  // their peers: TIME_WAIT
    ::usleep(200 * 1000);
    SockDiag diag;
    std::vector<int> states;
    if (!diag.states(IPPROTO_TCP, states)) return 16;
    auto proc = proc_states("/proc/net/tcp", "/proc/net/tcp6");
    const std::vector<std::pair<int, int>> expected = {
        {1, 4} /* ESTABLISHED */, {5, 2} /* FIN_WAIT2 */, {6, 2} /* TIME_WAIT */, {8, 2} /* CLOSE_WAIT */,
        {10, 1} /* LISTEN */};
    for (const auto& [state, n] : expected) {
        if (count_state(states, state) != n) return 20 + state;
        if (count_state(proc, state) != n) return 40 + state;
    }
    if (states.size() != 11u) return 60;
    return 0;
}

}  // namespace

TEST(SockDiag, TimeWaitFromSockstatCountsWhatTheSocketListsShow) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) ::_exit(time_wait_in_a_namespace_of_its_own());
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0)
        << "10: no network namespace of its own (needs root or user namespaces); 11-15: setting up; 16: no "
           "sock_diag; 20+state: SockDiag's count of that state wrong; 40+state: /proc/net/tcp's; 60: others";
}

TEST(SockDiag, TimeWaitOfSockstat) {
    EXPECT_EQ(sockstat_time_wait("sockets: used 28\nTCP: inuse 4 orphan 0 tw 249 alloc 4 mem 0\nUDP: inuse 6\n"), 249);
    EXPECT_EQ(sockstat_time_wait("TCP: inuse 4 orphan 0 tw 0 alloc 4 mem 0\n"), 0);
    EXPECT_EQ(sockstat_time_wait("sockets: used 28\nUDP: inuse 6\n"), std::nullopt);
    EXPECT_EQ(sockstat_time_wait("TCP: inuse 4 orphan 0\n"), std::nullopt);
    EXPECT_EQ(sockstat_time_wait("TCP: inuse 4 tw x\n"), std::nullopt);
}
