#include "collector/sock_diag.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace fructosa {

namespace {

/// inet_diag's timer code of a time-wait socket (inet_twsk_diag_fill); a full socket
/// never has it.
constexpr int kTimeWaitTimer = 3;

/// The connection states, ESTABLISHED (1) to CLOSING (11): the kernel's TCPF_ALL. Not
/// "every bit": since Linux 6.8 the bit after NEW_SYN_RECV asks for bound-inactive sockets
/// too (bound, never listening or connected: no connection), for which the kernel walks
/// its whole bind hash table as well: a sixth more work per dump back to back, and about
/// half as much again when lagent samples at 1 s with cold caches. SYN_RECV brings the
/// request sockets (NEW_SYN_RECV) with it.
constexpr std::uint32_t kConnectionStates = 0xfff;

/// Sends `msg` and appends the state of every socket the kernel dumps; false when the
/// dump failed. Counts into `fin_wait2_tw` the time-wait sockets dumped in their FIN_WAIT2
/// substate (the kernel shows them as FIN_WAIT2; /proc/net/sockstat counts them as tw).
template <typename Message>
bool dump(int fd, const Message& msg, std::vector<int>& out, int* fin_wait2_tw = nullptr) {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, &msg, sizeof msg, 0, reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel) < 0) return false;
    alignas(nlmsghdr) std::array<char, 32768> buf;
    for (;;) {
        ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) return false;
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_DONE) return true;
            if (h->nlmsg_type == NLMSG_ERROR) return false;
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) return false;
            const auto* m = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
            out.push_back(m->idiag_state);
            if (fin_wait2_tw && m->idiag_state == TCP_FIN_WAIT2 && m->idiag_timer == kTimeWaitTimer) ++*fin_wait2_tw;
        }
    }
}

/// One address family, with the current request (SOCK_DIAG_BY_FAMILY).
bool dump_family(int fd, int family, int protocol, std::vector<int>& out) {
    struct {
        nlmsghdr nlh;
        inet_diag_req_v2 req;
    } msg{};
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.req.sdiag_family = static_cast<__u8>(family);
    msg.req.sdiag_protocol = static_cast<__u8>(protocol);
    msg.req.idiag_states = kConnectionStates;
    return dump(fd, msg, out);
}

/// Every TCP socket, IPv4 and IPv6, in one walk of the hash tables: the kernel answers
/// the old request with family AF_UNSPEC.
bool dump_tcp_compat(int fd, std::uint32_t states, std::vector<int>& out, int* fin_wait2_tw) {
    struct {
        nlmsghdr nlh;
        inet_diag_req req;
    } msg{};
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = TCPDIAG_GETSOCK;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.req.idiag_family = AF_INET;
    msg.req.idiag_states = states;
    return dump(fd, msg, out, fin_wait2_tw);
}

}  // namespace

std::optional<int> sockstat_time_wait(std::string_view text) {
    auto at = text.find("\nTCP: ");
    if (text.starts_with("TCP: ")) at = 0;
    else if (at != std::string_view::npos) ++at;
    else return std::nullopt;
    auto line = text.substr(at, text.find('\n', at) - at);
    auto tw = line.find(" tw ");
    if (tw == std::string_view::npos) return std::nullopt;
    int n = 0;
    auto digits = line.substr(tw + 4);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || p == digits.data() || n < 0) return std::nullopt;
    return n;
}

namespace {

/// TIME_WAIT sockets of this network namespace from /proc/net/sockstat (kept open at
/// `fd`, opened at the first call); nullopt when it cannot be read.
std::optional<int> read_time_wait(int& fd) {
    if (fd < 0) fd = ::open("/proc/net/sockstat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::array<char, 1024> buf;
    ssize_t n = ::pread(fd, buf.data(), buf.size(), 0);
    if (n <= 0) return std::nullopt;
    return sockstat_time_wait(std::string_view(buf.data(), static_cast<std::size_t>(n)));
}

}  // namespace

SockDiag::~SockDiag() {
    if (fd_ >= 0) ::close(fd_);
    if (sockstat_fd_ >= 0) ::close(sockstat_fd_);
}

bool SockDiag::states(int protocol, std::vector<int>& out) {
    out.clear();
    if (fd_ < 0) fd_ = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd_ < 0) return false;
    if (protocol == IPPROTO_TCP && compat_tcp_ok_) {
        // TIME_WAIT sockets, often most of a busy node's, are counted by the kernel in
        // /proc/net/sockstat: the dump leaves them out (the walk is the same, but nothing
        // is written, copied or read for them) and they are added from that count, less
        // the time-wait sockets the dump still shows in their FIN_WAIT2 substate.
        auto tw = read_time_wait(sockstat_fd_);
        std::uint32_t states = tw ? kConnectionStates & ~(1u << TCP_TIME_WAIT) : kConnectionStates;
        int fin_wait2_tw = 0;
        if (dump_tcp_compat(fd_, states, out, &fin_wait2_tw)) {
            if (tw) out.insert(out.end(), static_cast<std::size_t>(std::max(0, *tw - fin_wait2_tw)), TCP_TIME_WAIT);
            return true;
        }
        compat_tcp_ok_ = false;  // a kernel without it: the per-family requests from now on
        out.clear();
        ::close(fd_);  // whatever the failed dump left unread must not answer the next one
        fd_ = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd_ < 0) return false;
    }
    if (dump_family(fd_, AF_INET, protocol, out) && dump_family(fd_, AF_INET6, protocol, out)) return true;
    ::close(fd_);
    fd_ = -1;
    return false;
}

}  // namespace fructosa
