#include "master/agent_server.h"

#include "master/agent_session.h"

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>

namespace fructosa {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

AgentServer::AgentServer(asio::io_context& io, AgentServerSettings settings, GraphiteSink& sink,
                         std::unique_ptr<Authenticator> auth)
    : io_(io),
      settings_(std::move(settings)),
      sink_(sink),
      auth_(auth ? std::move(auth) : std::make_unique<NoAuth>()),
      auth_worker_(io, "authentication", settings_.auth_queue),
      accept_retry_timer_(io),
      grace_timer_(io) {}

AgentServer::~AgentServer() {
    stop();
    auth_worker_.stop();  // before auth_ goes: the worker may be inside verify()
}

void AgentServer::listen() {
    std::string where = fmt::format("{}:{}", settings_.host, settings_.port);
    tcp::resolver resolver(io_);
    error_code ec;
    auto results = resolver.resolve(settings_.host, std::to_string(settings_.port),
                                    tcp::resolver::passive | tcp::resolver::address_configured, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot listen on {}: cannot resolve {}: {}", where, settings_.host, ec.message()));
    std::set<tcp::endpoint> seen;
    std::string failures;
    for (const auto& entry : results) {
        tcp::endpoint ep = entry.endpoint();
        if (!seen.insert(ep).second) continue;
        auto acceptor = std::make_unique<tcp::acceptor>(io_);
        error_code e;
        acceptor->open(ep.protocol(), e);
        if (!e) acceptor->set_option(tcp::acceptor::reuse_address(true), e);
        if (!e && ep.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true), e);
        if (!e) acceptor->bind(ep, e);
        if (!e) acceptor->listen(asio::socket_base::max_listen_connections, e);
        if (e) {
            failures += fmt::format("{}{}: {}", failures.empty() ? "" : "; ", ep.address().to_string(), e.message());
            continue;
        }
        acceptors_.push_back(std::move(acceptor));
        if (settings_.port == 0) break;  // a free port is per address: one is enough
    }
    if (acceptors_.empty())
        throw std::runtime_error(fmt::format("cannot listen on {}: {}", where, failures.empty() ? "no address" : failures));
    if (!failures.empty()) log_warning("listening on {}, but not on: {}", where, failures);
    for (std::size_t i = 0; i < acceptors_.size(); ++i) {
        auto ep = acceptors_[i]->local_endpoint();
        log_info("listening for agents on {}:{}", ep.address().to_string(), ep.port());
        accept(i);
    }
}

tcp::endpoint AgentServer::local_endpoint() const {
    if (acceptors_.empty()) return {};
    error_code ec;
    return acceptors_.front()->local_endpoint(ec);
}

bool AgentServer::room_for_one_more() const {
    if (pending_.size() < std::max<std::size_t>(settings_.max_pending_handshakes, 1)) return true;
    return std::chrono::steady_clock::now() - pending_.begin()->second >= settings_.hello_grace;
}

void AgentServer::pause_accepting(std::size_t index) {
    paused_.push_back(index);
    grace_timer_.expires_at(pending_.begin()->second + settings_.hello_grace);
    grace_timer_.async_wait([this](const error_code& ec) {
        if (!ec && !stopped_) resume_accepting();
    });
}

void AgentServer::resume_accepting() {
    auto paused = std::exchange(paused_, {});
    for (auto index : paused) accept(index);
}

void AgentServer::accept(std::size_t index) {
    if (stopped_) return;
    if (!room_for_one_more()) {
        pause_accepting(index);
        return;
    }
    acceptors_[index]->async_accept([this, index](const error_code& ec, tcp::socket socket) {
        if (stopped_ || ec == asio::error::operation_aborted) return;
        if (ec) {
            // Typically out of file descriptors: pause instead of spinning on the error.
            accept_complaint_.complain(fmt::format("accepting agents: {}", ec.message()));
            accept_retry_timer_.expires_after(std::chrono::milliseconds(100));
            accept_retry_timer_.async_wait([this, index](const error_code& e) {
                if (!e && !stopped_) accept(index);
            });
            return;
        }
        evict_pending();
        std::uint64_t id = next_id_++;
        auto session = make_agent_session(*this, std::move(socket), id);
        sessions_.emplace(id, session);
        pending_.emplace(id, std::chrono::steady_clock::now());
        ++stats_.connections_open;
        stats_.connections_pending = pending_.size();
        start_agent_session(*session);  // may close it again at once: it is registered first
        accept(index);
    });
}

void AgentServer::evict_pending() {
    while (!pending_.empty() && pending_.size() >= std::max<std::size_t>(settings_.max_pending_handshakes, 1)) {
        // Another acceptor's newcomer may find the oldest still in its grace: let it in.
        if (std::chrono::steady_clock::now() - pending_.begin()->second < settings_.hello_grace) return;
        auto it = sessions_.find(pending_.begin()->first);
        if (it == sessions_.end()) {  // cannot happen: close() settles first; never loop on it
            pending_.erase(pending_.begin());
            continue;
        }
        ++stats_.handshakes_evicted;
        auto victim = it->second;  // close() erases it from the map
        evicted_complaint_.complain(fmt::format(
            "{} connections without a Hello (max pending handshakes): closing the oldest, from {}; {} closed so far",
            pending_.size(), peer_of_session(*victim), stats_.handshakes_evicted));
        close_agent_session(*victim, "evicted: too many connections without a Hello");
    }
}

void AgentServer::settled(std::uint64_t id) {
    pending_.erase(id);
    stats_.connections_pending = pending_.size();
    if (!paused_.empty() && !stopped_) resume_accepting();
}

void AgentServer::forget(std::uint64_t id) {
    settled(id);
    sessions_.erase(id);
}

void AgentServer::stop() {
    if (stopped_) return;
    stopped_ = true;
    error_code ec;
    for (auto& a : acceptors_) a->close(ec);
    accept_retry_timer_.cancel();
    grace_timer_.cancel();
    paused_.clear();
    auto sessions = sessions_;  // close() erases from the map
    for (auto& [id, s] : sessions) close_agent_session(*s, "lmaster is stopping");
    sessions_.clear();
    pending_.clear();
}

}  // namespace fructosa
