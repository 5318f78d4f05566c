#pragma once
/// Socket states from the kernel's sock_diag netlink interface (what `ss` uses).
/// Reading /proc/net/tcp makes the kernel walk every bucket of the TCP hash table in
/// seq_file steps (about 5 ms per file on a 24 GiB machine); one netlink dump costs a
/// small fraction of that, which is what keeps NetConnections cheap at a 1 s interval.
///
/// Even a dump walks every bucket of the established hash (hundreds of thousands on a
/// large machine), IPv4 and IPv6 alike: TCP is therefore asked with the old
/// TCPDIAG_GETSOCK request, which the kernel answers for both families in one walk (as
/// collectd's tcpconns does); the per-family requests are the fallback. The netlink
/// socket stays open between samples. TIME_WAIT sockets are left out of the dump and
/// counted from /proc/net/sockstat (see states()).

#include <optional>
#include <string_view>
#include <vector>

namespace fructosa {

/// The "tw" count of the "TCP:" line of /proc/net/sockstat (time-wait sockets of this
/// network namespace, FIN_WAIT2 substate included), or nullopt.
std::optional<int> sockstat_time_wait(std::string_view text);

class SockDiag {
public:
    SockDiag() = default;
    ~SockDiag();
    SockDiag(const SockDiag&) = delete;
    SockDiag& operator=(const SockDiag&) = delete;

    /// The kernel state code of every socket of `protocol` (IPPROTO_TCP or IPPROTO_UDP),
    /// IPv4 and IPv6 together, into `out` (cleared first); false when sock_diag is not
    /// available (the socket is opened again next time).
    bool states(int protocol, std::vector<int>& out);

private:
    int fd_ = -1;
    int sockstat_fd_ = -1;  ///< /proc/net/sockstat, for the TIME_WAIT count
    bool compat_tcp_ok_ = true;  ///< TCPDIAG_GETSOCK answered (or not tried yet)
};

}  // namespace fructosa
