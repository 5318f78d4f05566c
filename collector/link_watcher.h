#pragma once
/// Whether the kernel announced a change of the network interfaces or their addresses
/// since the last look: an rtnetlink socket subscribed to the link and address groups
/// (what `ip monitor link address` listens to), drained without blocking. NetIFStats
/// and NetIFAddrs read the interfaces again only after a change (or once a minute):
/// their sysfs attributes and getifaddrs(3) cost more each second than anything they
/// would find, as interfaces and addresses change rarely and the kernel says when.

#include <cstdint>
#include <optional>

namespace fructosa {

class LinkWatcher {
public:
    LinkWatcher() = default;
    ~LinkWatcher();
    LinkWatcher(const LinkWatcher&) = delete;
    LinkWatcher& operator=(const LinkWatcher&) = delete;

    /// A number that grows whenever the kernel announced a link or address change since
    /// the previous call (a lost announcement, when the socket's buffer overflowed, counts
    /// as one); nullopt where rtnetlink cannot be listened to (then nothing may be
    /// assumed unchanged). The socket is opened at the first call: changes are known
    /// from then on.
    std::optional<std::uint64_t> generation();

private:
    int fd_ = -1;
    std::uint64_t generation_ = 0;
};

}  // namespace fructosa
