#pragma once
/// What the AgentServer takes: plain values, filled from `[lmaster]` by
/// lmaster_config.cpp. No Asio here.

#include <chrono>
#include <cstddef>
#include <string>

namespace fructosa {

/// Where the AgentServer listens and how long it waits for agents.
struct AgentServerSettings {
    std::string host = "localhost";
    int port = 7888;  ///< 0 picks a free port (tests)
    /// Agents past their Hello; a Hello beyond it is refused ("too many agents").
    std::size_t max_agents = 10000;
    /// Connections that have not (yet) said Hello, counted apart from the agents so that
    /// they can never take an agent's place; when full, the oldest of them is closed to
    /// make room for the newcomer (a real agent sends its Hello at once, a connection
    /// held open without one is the one that goes).
    std::size_t max_pending_handshakes = 1024;
    /// A pending connection is evicted only once it had this long to say its Hello: when
    /// all of them are younger (thousands of agents connecting at once), lmaster stops
    /// accepting for a moment instead (the newcomers wait in the kernel's listen queue),
    /// so a burst of honest agents does not evict itself before its Hellos are read.
    std::chrono::milliseconds hello_grace{1000};
    std::chrono::milliseconds handshake_timeout{10000};
    std::chrono::milliseconds idle_timeout{300000};
    /// How long a closing connection may take to receive its Error frame.
    std::chrono::milliseconds linger{2000};
    /// Hellos whose credential may wait at once for the authentication worker (queued,
    /// being checked, or answered but not yet handled); beyond, a session waits for room.
    std::size_t auth_queue = 256;
};

}  // namespace fructosa
