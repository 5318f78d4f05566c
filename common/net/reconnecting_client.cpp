#include "common/net/reconnecting_client.h"

#include <stdexcept>
#include <string>

#include <boost/asio/connect.hpp>

namespace fructosa::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

ReconnectingClient::ReconnectingClient(asio::io_context& io, ReconnectingClientSettings settings)
    : settings_(std::move(settings)),
      resolver_(io),
      socket_(io),
      deadline_(io),
      retry_timer_(io),
      failback_timer_(io),
      probe_resolver_(io),
      probe_(io),
      backoff_(settings_.first_backoff, settings_.max_backoff) {
    if (settings_.endpoints.empty()) throw std::invalid_argument("a reconnecting client needs at least one endpoint");
}

ReconnectingClient::~ReconnectingClient() { *alive_ = false; }

void ReconnectingClient::start() {
    if (state_ != State::Idle) return;
    index_ = 0;
    attempt();
}

void ReconnectingClient::attempt() {
    state_ = State::Connecting;
    std::uint64_t gen = ++generation_;
    const Endpoint& ep = endpoint();
    resolver_.async_resolve(
        ep.host, std::to_string(ep.port),
        [this, alive = alive_, gen](const error_code& ec, tcp::resolver::results_type results) {
            if (!*alive || gen != generation_) return;
            if (ec) return attempt_failed(Step::Resolve, ec);
            if (settings_.connect_timeout.count() > 0) {
                deadline_.expires_after(settings_.connect_timeout);
                deadline_.async_wait([this, alive, gen](const error_code& e) {
                    if (e || !*alive || gen != generation_ || state_ != State::Connecting) return;
                    error_code ignored;
                    socket_.close(ignored);  // completes the connect with operation_aborted
                });
            }
            asio::async_connect(socket_, results, [this, alive, gen](const error_code& e, const tcp::endpoint&) {
                if (!*alive || gen != generation_) return;
                deadline_.cancel();
                if (e) {
                    close_socket();
                    return attempt_failed(Step::Connect, e);
                }
                state_ = State::Connected;
                error_code ignored;
                socket_.set_option(tcp::no_delay(true), ignored);
                if (index_ > 0) schedule_failback_probe();
                if (on_connected_) on_connected_();
            });
        });
}

void ReconnectingClient::attempt_failed(Step step, const error_code& ec) {
    std::uint64_t gen = generation_;
    if (on_failed_) on_failed_(endpoint(), step, ec);
    if (gen != generation_) return;  // the owner stopped (or restarted) us meanwhile
    if (++index_ < settings_.endpoints.size()) return attempt();
    index_ = 0;
    wait_and_retry();
}

void ReconnectingClient::disconnect() {
    if (state_ != State::Connected) return;
    ++generation_;
    close_socket();
    index_ = 0;  // the preferred endpoint first again
    wait_and_retry();
}

void ReconnectingClient::wait_and_retry() {
    state_ = State::Waiting;
    std::uint64_t gen = generation_;
    retry_timer_.expires_after(backoff_.next());
    retry_timer_.async_wait([this, alive = alive_, gen](const error_code& ec) {
        if (ec || !*alive || gen != generation_) return;
        attempt();
    });
}

void ReconnectingClient::reconnect_preferred() {
    if (state_ != State::Connected) return;
    close_socket();
    index_ = 0;
    attempt();  // a new generation: the old connection's handlers are void
}

void ReconnectingClient::schedule_failback_probe() {
    if (settings_.failback_interval.count() <= 0) return;
    std::uint64_t gen = generation_;
    failback_timer_.expires_after(settings_.failback_interval);
    failback_timer_.async_wait([this, alive = alive_, gen](const error_code& ec) {
        if (ec || !*alive || gen != generation_ || state_ != State::Connected || index_ == 0) return;
        probe_preferred();
    });
}

void ReconnectingClient::probe_preferred() {
    // A plain TCP connect to the preferred endpoint, on its own socket: the connection
    // in use carries on meanwhile. No answer within the deadline: try again later.
    std::uint64_t gen = generation_;
    const Endpoint& ep = settings_.endpoints.front();
    auto done = [this, alive = alive_, gen](bool answered) {
        if (!*alive) return;
        error_code ignored;
        probe_.close(ignored);
        if (gen != generation_ || state_ != State::Connected) return;
        if (!answered) return schedule_failback_probe();
        if (on_preferred_back_) on_preferred_back_();
        else reconnect_preferred();
    };
    probe_resolver_.async_resolve(ep.host, std::to_string(ep.port),
                                  [this, alive = alive_, done](const error_code& ec, tcp::resolver::results_type r) {
                                      if (!*alive) return;
                                      if (ec) return done(false);
                                      if (settings_.connect_timeout.count() > 0) {
                                          failback_timer_.expires_after(settings_.connect_timeout);
                                          failback_timer_.async_wait([this, alive](const error_code& e) {
                                              if (e || !*alive) return;
                                              error_code ignored;
                                              probe_.close(ignored);  // the connect fails: no answer in time
                                          });
                                      }
                                      asio::async_connect(probe_, r, [this, alive, done](const error_code& e,
                                                                                         const tcp::endpoint&) {
                                          if (!*alive) return;
                                          failback_timer_.cancel();
                                          done(!e);
                                      });
                                  });
}

void ReconnectingClient::stop() {
    ++generation_;
    state_ = State::Idle;
    resolver_.cancel();
    deadline_.cancel();
    retry_timer_.cancel();
    failback_timer_.cancel();
    probe_resolver_.cancel();
    error_code ignored;
    probe_.close(ignored);
    close_socket();
}

bool ReconnectingClient::set_endpoints(std::vector<Endpoint> endpoints) {
    if (endpoints.empty()) throw std::invalid_argument("a reconnecting client needs at least one endpoint");
    Endpoint current = endpoint();
    settings_.endpoints = std::move(endpoints);
    if (state_ == State::Connected) {
        for (std::size_t i = 0; i < settings_.endpoints.size(); ++i) {
            if (settings_.endpoints[i].host == current.host && settings_.endpoints[i].port == current.port) {
                index_ = i;
                return true;
            }
        }
        index_ = 0;  // endpoint() stays valid until the owner disconnects
        return false;
    }
    index_ = 0;
    if (state_ == State::Connecting) {
        ++generation_;  // the old attempt's handlers see a new generation and do nothing
        resolver_.cancel();
        deadline_.cancel();
        close_socket();
        attempt();
    }
    return true;
}

void ReconnectingClient::close_socket() {
    error_code ignored;
    socket_.close(ignored);
}

}  // namespace fructosa::net
