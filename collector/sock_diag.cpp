#include "collector/sock_diag.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>

namespace fructosa {

namespace {

/// Sends `msg` and appends the state of every socket the kernel dumps; false when the
/// dump failed.
template <typename Message>
bool dump(int fd, const Message& msg, std::vector<int>& out) {
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
            out.push_back(static_cast<const inet_diag_msg*>(NLMSG_DATA(h))->idiag_state);
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
    msg.req.idiag_states = ~0u;  // every state
    return dump(fd, msg, out);
}

/// Every TCP socket, IPv4 and IPv6, in one walk of the hash tables: the kernel answers
/// the old request with family AF_UNSPEC.
bool dump_tcp_compat(int fd, std::vector<int>& out) {
    struct {
        nlmsghdr nlh;
        inet_diag_req req;
    } msg{};
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = TCPDIAG_GETSOCK;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.req.idiag_family = AF_INET;
    msg.req.idiag_states = ~0u;
    return dump(fd, msg, out);
}

}  // namespace

SockDiag::~SockDiag() {
    if (fd_ >= 0) ::close(fd_);
}

bool SockDiag::states(int protocol, std::vector<int>& out) {
    out.clear();
    if (fd_ < 0) fd_ = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd_ < 0) return false;
    if (protocol == IPPROTO_TCP && compat_tcp_ok_) {
        if (dump_tcp_compat(fd_, out)) return true;
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
