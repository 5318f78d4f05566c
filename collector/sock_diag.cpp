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

/// Appends the states of one address family; false when the dump failed.
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
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, &msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) return false;
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

}  // namespace

std::optional<std::vector<int>> sock_diag_states(int protocol) {
    int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return std::nullopt;
    std::vector<int> states;
    bool ok = dump_family(fd, AF_INET, protocol, states) && dump_family(fd, AF_INET6, protocol, states);
    ::close(fd);
    if (!ok) return std::nullopt;
    return states;
}

}  // namespace fructosa
