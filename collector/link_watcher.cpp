#include "collector/link_watcher.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace fructosa {

LinkWatcher::~LinkWatcher() {
    if (fd_ >= 0) ::close(fd_);
}

std::optional<std::uint64_t> LinkWatcher::generation() {
    if (fd_ < 0) {
        fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
        if (fd_ < 0) return std::nullopt;
        sockaddr_nl local{};
        local.nl_family = AF_NETLINK;
        local.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
        if (::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
            ::close(fd_);
            fd_ = -1;
            return std::nullopt;
        }
        return ++generation_;  // whatever was read before the socket existed is unknown
    }
    bool changed = false;
    alignas(nlmsghdr) std::array<char, 8192> buf;
    for (;;) {
        ssize_t n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n > 0) {
            changed = true;  // any announcement: which one does not matter
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == ENOBUFS) {  // announcements were lost: something changed
            changed = true;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        ::close(fd_);  // anything else: listen afresh next time, assume nothing now
        fd_ = -1;
        return std::nullopt;
    }
    if (changed) ++generation_;
    return generation_;
}

}  // namespace fructosa
