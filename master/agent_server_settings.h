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
    std::size_t max_agents = 10000;
    std::chrono::milliseconds handshake_timeout{10000};
    std::chrono::milliseconds idle_timeout{300000};
    /// How long a closing connection may take to receive its Error frame.
    std::chrono::milliseconds linger{2000};
};

}  // namespace fructosa
