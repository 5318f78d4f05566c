#pragma once
/// lmaster's side of the agent protocol (common/wire.h): an Asio acceptor and one
/// small session per connection, all on one io_context thread.
///
/// A session must open with a Hello (within the handshake timeout) that the
/// Authenticator accepts; after that, Batch frames go to the GraphiteSink and
/// JobEvent frames to the owner's callback, each answered with a cumulative Ack of
/// the highest sequence number received. A Hello must name a host usable as one
/// path level; a batch's points outside that host's own tree (agent_may_write) are
/// dropped and counted as points_refused (the batch is still acked, or an agent
/// would replay it forever). Anything else (garbage, a bad length, a
/// frame out of place, a payload that does not decode) is answered with an Error
/// frame and the connection is closed; the server itself never stops on input.
/// Silent connections are closed after the idle timeout. Two separate bounds: at most
/// `max_agents` agents past their Hello (a Hello beyond it is answered "too many agents"
/// and counted as connections_refused), and at most `max_pending_handshakes` connections
/// without a Hello; a new connection beyond that closes the OLDEST pending one
/// (handshakes_evicted), once that one had `hello_grace` (1 s) to say its Hello; until
/// then lmaster accepts nothing more (a reconnection storm of honest agents is not
/// evicted before its Hellos are read). A connection that has sent its Hello is no
/// longer pending, while it is verified too. So connections held open without a Hello
/// can never keep an agent out for long: its Hello follows its connect at once, theirs
/// never comes.
///
/// Nothing that may block runs on the io_context thread: a Hello's credential is checked
/// on the server's own authentication worker, and each JobEvent is handed to the owner's
/// callback on the owner's registry worker (master/blocking_worker.h). Meanwhile that one
/// session reads nothing more (so its frames keep their order and a cumulative Ack never
/// covers an event not yet recorded); every other session goes on. A Hello is answered
/// once verified, a JobEvent acked once the callback returned. When a worker's queue is
/// full the session waits for room, still reading nothing (hellos_queue_full,
/// job_events_queue_full): nothing is refused or lost, the agent's TCP window fills.
///
/// Memory per session is bounded: a session reads only when its previous bytes
/// have been decoded and handed on (at most one partial frame held), and its
/// outgoing data is at most one pending Ack plus one Error frame. All sessions
/// read through one shared buffer.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/logging.h"
#include "common/wire.h"
#include "master/agent_server_settings.h"
#include "master/authenticator.h"
#include "master/blocking_worker.h"
#include "master/graphite_sink.h"

namespace fructosa {

/// Counters of the server, published as lmaster's own metrics.
struct AgentServerStats {
    std::uint64_t connections_open = 0;     ///< sockets now held, before and after Hello
    std::uint64_t agents_connected = 0;     ///< of those, agents past their Hello
    std::uint64_t connections_pending = 0;  ///< of those, connections that never got past a Hello
    std::uint64_t connections_refused = 0;  ///< authenticated Hellos turned away at max agents
    std::uint64_t handshakes_evicted = 0;   ///< pending connections closed to make room (max pending handshakes)
    std::uint64_t batches_in = 0;
    std::uint64_t points_in = 0;          ///< points received in batches (refused ones included)
    std::uint64_t points_refused = 0;     ///< outside the sender's own tree (master/agent_paths.h): dropped
    std::uint64_t job_events_in = 0;
    std::uint64_t bad_frames = 0;     ///< protocol violations answered with an Error frame
    std::uint64_t auth_failures = 0;  ///< Hellos refused: by the Authenticator, or naming an unusable host
    std::uint64_t timeouts = 0;       ///< handshake or idle timeouts
    std::uint64_t hellos_verifying = 0;        ///< Hellos at the authentication worker now
    std::uint64_t hellos_queue_full = 0;       ///< Hellos that found its queue full and waited for room
    std::uint64_t job_events_recording = 0;    ///< job events at the registry worker now
    std::uint64_t job_events_queue_full = 0;   ///< job events that found its queue full and waited for room
};

class AgentSession;

class AgentServer {
public:
    using JobEventHandler = std::function<void(const std::string& host, const wire::JobEvent&)>;

    AgentServer(boost::asio::io_context& io, AgentServerSettings settings, GraphiteSink& sink,
                std::unique_ptr<Authenticator> auth);
    ~AgentServer();
    AgentServer(const AgentServer&) = delete;
    AgentServer& operator=(const AgentServer&) = delete;

    /// Calls `handler` for each JobEvent frame on `worker`'s thread (it may block, e.g. on
    /// the registry); the event is acked once it returned. `worker` must outlive the server's
    /// sessions, or be stopped first. Without a handler, job events are counted and acked.
    void on_job_event(JobEventHandler handler, BlockingWorker& worker) {
        job_event_handler_ = std::move(handler);
        job_worker_ = &worker;
    }

    /// Binds every address `host` resolves to (the first only for port 0) and starts
    /// accepting. Throws std::runtime_error "cannot listen on host:port: why" when
    /// no address can be bound.
    void listen();
    /// The first bound address (with the real port when port 0 was asked for).
    boost::asio::ip::tcp::endpoint local_endpoint() const;

    /// Closes the acceptors and every session; the io_context then runs out of work.
    void stop();

    const AgentServerStats& stats() const { return stats_; }

private:
    friend class AgentSession;

    void accept(std::size_t index);
    /// Whether a newcomer can be taken now: pending connections below the bound, or
    /// the oldest one past its hello_grace (then evicted when the newcomer comes).
    bool room_for_one_more() const;
    /// Stops accepting on `index` until a pending connection settles or the oldest one's
    /// grace ends.
    void pause_accepting(std::size_t index);
    void resume_accepting();
    /// Makes room for one more pending connection: closes the oldest ones beyond the bound.
    void evict_pending();
    /// `id` has said a Hello that was accepted (or is closed): no longer pending.
    void settled(std::uint64_t id);
    void forget(std::uint64_t id);

    boost::asio::io_context& io_;
    AgentServerSettings settings_;
    GraphiteSink& sink_;
    std::unique_ptr<Authenticator> auth_;
    /// Checks credentials off the io_context thread; declared after auth_, and stopped
    /// by ~AgentServer, so it never runs on a destroyed Authenticator.
    BlockingWorker auth_worker_;
    JobEventHandler job_event_handler_;
    BlockingWorker* job_worker_ = nullptr;

    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
    boost::asio::steady_timer accept_retry_timer_;
    std::map<std::uint64_t, std::shared_ptr<AgentSession>> sessions_;
    /// Ids of the sessions without an accepted Hello (closing ones included), oldest first.
    std::map<std::uint64_t, std::chrono::steady_clock::time_point> pending_;  ///< id -> accepted at
    std::vector<std::size_t> paused_;  ///< acceptors waiting for room among the pending
    boost::asio::steady_timer grace_timer_;
    std::uint64_t next_id_ = 1;
    bool stopped_ = false;
    /// Read buffer of every session: safe to share because handlers run one at a time
    /// and a session copies what it reads into its decoder before returning.
    std::array<std::uint8_t, 64 * 1024> read_buffer_{};

    AgentServerStats stats_;
    Complaint bad_frame_complaint_;
    Complaint refused_complaint_;
    Complaint evicted_complaint_;
    Complaint accept_complaint_;
    Complaint points_refused_complaint_;
    Complaint auth_complaint_;
};

}  // namespace fructosa
