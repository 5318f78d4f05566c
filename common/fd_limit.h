#pragma once
/// The open-file limit of a daemon. Every connection (an agent at lmaster, a plugin
/// message at lagent) and every file a sensor reads is one descriptor: a soft limit of
/// 1,024 is reached by a burst of connections, and then /proc/stat cannot be opened.

#include <cstdint>
#include <optional>

namespace fructosa {

/// Raises the soft RLIMIT_NOFILE to the hard limit (what an unprivileged process may do
/// without asking). Returns the soft limit now in force (UINT64_MAX for unlimited), or
/// nullopt when it cannot be read.
std::optional<std::uint64_t> raise_fd_limit();

}  // namespace fructosa
