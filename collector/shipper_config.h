#pragma once
/// What the Shipper takes: plain values, filled from lagent.conf by agent_config.cpp
/// (the credential provider is wired in by the Agent). No Asio here.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fructosa {

/// The lmaster list as one agent should try it: starting at the entry its host name
/// hashes to (FNV-1a, the same on every machine and build), then the following ones
/// in list order, wrapping around. Agents with the same list so share the lmasters
/// about evenly, and each still fails over through all of them.
std::vector<std::pair<std::string, int>> spread_masters(std::vector<std::pair<std::string, int>> masters,
                                                        std::string_view agent_host);

struct ShipperConfig {
    /// lmasters in order of preference: after a failed connection the next is tried;
    /// after a lost one, the first again. A whole round failing backs off.
    std::vector<std::pair<std::string, int>> masters{{"localhost", 7888}};
    /// While failed over, how often the first lmaster is probed to go back to it (0: never).
    double failback_s = 60;
    std::string agent_host;  ///< the name the agent reports in its hello
    double batch_interval_s = 1;
    std::size_t max_queued_points = 200000;
    std::size_t max_batch_points = 5000;
    /// Called at every connection for the hello's auth method and a fresh credential
    /// (a MUNGE credential is single-use). Unset: "none".
    std::function<std::pair<std::string, std::string>()> credential;
    std::string spool_dir;  ///< empty: memory only
    std::uint64_t spool_max_bytes = 256ull << 20;
};

}  // namespace fructosa
