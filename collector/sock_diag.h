#pragma once
/// Socket states from the kernel's sock_diag netlink interface (what `ss` uses).
/// Reading /proc/net/tcp makes the kernel walk every bucket of the TCP hash table in
/// seq_file steps (about 5 ms per file on a 24 GiB machine); one netlink dump costs a
/// small fraction of that, which is what keeps NetConnections cheap at a 1 s interval.

#include <optional>
#include <vector>

namespace fructosa {

/// The kernel state code of every socket of `protocol` (IPPROTO_TCP or IPPROTO_UDP),
/// IPv4 and IPv6 together; nullopt when sock_diag is not available.
std::optional<std::vector<int>> sock_diag_states(int protocol);

}  // namespace fructosa
