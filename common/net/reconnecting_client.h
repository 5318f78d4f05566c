#pragma once
/// One TCP peer that may go away, for the daemons (lagent's lmasters, lmaster's carbon):
/// carbon-c-relay's server.c shape, used for every peer.
///
/// Connects to the first endpoint of a list of host:port that answers, with a deadline
/// on each attempt. After a failed attempt the next endpoint is tried at once; when
/// every endpoint failed, or a connection that stood is lost, it waits the backoff and
/// starts again from the first endpoint (the preferred one). While connected to another
/// one (failed over), it tries the preferred endpoint every `failback_interval` with a
/// probe connection and, once that answers, tells the owner, who moves back with
/// reconnect_preferred() when it is ready (or at once, with no handler). It only connects: what
/// travels over the socket (frames and acks, carbon's pickle), when the peer counts as
/// healthy (reset_backoff) and every log line belong to the owner.
///
/// All calls and callbacks happen on the io_context's thread. Built into fructosa_net,
/// the Asio helpers only the daemons link (never the SPANK plugin).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/net/backoff.h"

namespace fructosa::net {

/// One peer address; `host` is resolved at every attempt (a name may move).
struct Endpoint {
    std::string host;
    int port = 0;
};

/// The peer's addresses, the deadline of one attempt and the bounds of the backoff.
struct ReconnectingClientSettings {
    std::vector<Endpoint> endpoints;  ///< in order of preference; at least one
    /// Per attempt, counted from the end of name resolution; zero: none (the kernel's own).
    std::chrono::milliseconds connect_timeout{0};
    std::chrono::milliseconds first_backoff = Backoff::kDefaultFirst;
    std::chrono::milliseconds max_backoff = Backoff::kDefaultMax;
    /// While failed over: how often the preferred endpoint is probed; zero: never.
    std::chrono::milliseconds failback_interval{0};
};

class ReconnectingClient {
public:
    /// Where an attempt on one endpoint failed.
    enum class Step { Resolve, Connect };
    using ConnectedHandler = std::function<void()>;
    using FailedHandler = std::function<void(const Endpoint&, Step, const boost::system::error_code&)>;
    using FailbackHandler = std::function<void()>;

    /// Throws std::invalid_argument when `settings` lists no endpoint.
    ReconnectingClient(boost::asio::io_context& io, ReconnectingClientSettings settings);
    ~ReconnectingClient();
    ReconnectingClient(const ReconnectingClient&) = delete;
    ReconnectingClient& operator=(const ReconnectingClient&) = delete;

    /// Called when a connection stands: socket() is open, with TCP_NODELAY.
    void on_connected(ConnectedHandler handler) { on_connected_ = std::move(handler); }
    /// Called when an attempt on one endpoint failed (a connect cut by the deadline
    /// fails with operation_aborted), before the next endpoint is tried or the backoff
    /// starts: retry_delay() is then the wait to come when this was the last endpoint.
    void on_attempt_failed(FailedHandler handler) { on_failed_ = std::move(handler); }
    /// Called while failed over when the preferred endpoint answers a probe again.
    void on_preferred_back(FailbackHandler handler) { on_preferred_back_ = std::move(handler); }

    /// Starts connecting at the first endpoint; nothing while connecting, connected or
    /// waiting to retry.
    void start();
    /// The owner found the connection broken: closes it and, after the backoff,
    /// connects again from the first endpoint. Nothing when not connected.
    void disconnect();
    /// Closes the connection and connects to the preferred endpoint at once (no
    /// backoff: it just answered). Nothing when not connected.
    void reconnect_preferred();
    /// Cancels the attempt or the wait and closes the socket; start() begins again.
    void stop();
    /// A new list of endpoints (SIGHUP). Throws std::invalid_argument when empty. A
    /// standing connection to an endpoint still listed is kept; an attempt in progress
    /// starts over at the new first endpoint; a wait ends into the new list. Returns
    /// false when the connection stands to an endpoint no longer listed: the owner then
    /// disconnects (it knows what to do with its in-flight data).
    bool set_endpoints(std::vector<Endpoint> endpoints);

    bool connected() const { return state_ == State::Connected; }
    boost::asio::ip::tcp::socket& socket() { return socket_; }
    /// The endpoint connected to, or being tried.
    const Endpoint& endpoint() const { return settings_.endpoints[index_]; }
    /// Its place in the list: above 0 means failed over.
    std::size_t endpoint_index() const { return index_; }
    /// Changes with every attempt, loss and stop: an owner's I/O handler that kept the
    /// value it started with can tell it belongs to a connection that is gone.
    std::uint64_t generation() const { return generation_; }
    /// The wait before the next round, when one is needed.
    std::chrono::milliseconds retry_delay() const { return backoff_.peek(); }
    /// The peer proved healthy: the next wait is the shortest again.
    void reset_backoff() { backoff_.reset(); }

private:
    enum class State { Idle, Connecting, Connected, Waiting };

    void attempt();
    void attempt_failed(Step step, const boost::system::error_code& ec);
    void wait_and_retry();
    void close_socket();
    void schedule_failback_probe();
    void probe_preferred();

    ReconnectingClientSettings settings_;
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer deadline_;
    boost::asio::steady_timer retry_timer_;
    boost::asio::steady_timer failback_timer_;
    boost::asio::ip::tcp::resolver probe_resolver_;
    boost::asio::ip::tcp::socket probe_;
    Backoff backoff_;
    State state_ = State::Idle;
    std::size_t index_ = 0;
    std::uint64_t generation_ = 0;
    ConnectedHandler on_connected_;
    FailedHandler on_failed_;
    FailbackHandler on_preferred_back_;
    /// Guards handlers that run after the client is gone (each holds a copy).
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace fructosa::net
