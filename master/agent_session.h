#pragma once
/// One agent's connection to lmaster (the protocol of master/agent_server.h seen from a
/// single socket): Hello first, then Batch and JobEvent frames answered with Acks, every
/// violation answered with an Error frame and a close, deadlines for the handshake and
/// for silence. The AgentServer owns the sessions; a session reaches back into it for
/// its settings, sink, authenticator, counters and shared read buffer, and removes
/// itself from the server's map when it closes.

#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>

namespace fructosa {

class AgentServer;
class AgentSession;

/// A session of `server` on `socket`, not yet reading: register it with the server,
/// then start it (start may close it again at once, e.g. when the socket is gone).
std::shared_ptr<AgentSession> make_agent_session(AgentServer& server, boost::asio::ip::tcp::socket socket,
                                                 std::uint64_t id);
/// Arms the handshake deadline and starts reading.
void start_agent_session(AgentSession& session);
/// Closes the session (no Error frame), logging `why`; safe on a closed session.
void close_agent_session(AgentSession& session, const std::string& why);

/// The peer the session was accepted from ("address:port").
std::string peer_of_session(const AgentSession& session);

/// "address:port" of the socket's peer, or "?" when it is gone.
std::string peer_of(const boost::asio::ip::tcp::socket& socket);

}  // namespace fructosa
