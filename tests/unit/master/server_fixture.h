#pragma once
/// An AgentServer for tests, running on its own io_context thread on 127.0.0.1 and a free
/// port, with a RecordingSink behind it and the job events it received.

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "master/agent_server.h"
#include "master/authenticator.h"
#include "recording_sink.h"

namespace fructosa::test_support {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// The server on its own io_context thread, on 127.0.0.1 and a free port.
class ServerFixture {
public:
    explicit ServerFixture(AgentServerSettings settings = base_settings(),
                           std::unique_ptr<Authenticator> auth = std::make_unique<NoAuth>())
        : work_(asio::make_work_guard(io_)), server_(io_, std::move(settings), sink, std::move(auth)) {
        server_.on_job_event([this](const std::string& host, const wire::JobEvent& e) {
            std::lock_guard lock(mutex_);
            job_events.emplace_back(host, e);
        });
        server_.listen();
        port = server_.local_endpoint().port();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~ServerFixture() {
        asio::post(io_, [this] {
            server_.stop();
            work_.reset();
        });
        thread_.join();
    }
    static AgentServerSettings base_settings() {
        AgentServerSettings s;
        s.host = "127.0.0.1";
        s.port = 0;
        s.handshake_timeout = 5000ms;
        s.idle_timeout = 5000ms;
        s.linger = 1000ms;
        return s;
    }
    AgentServerStats stats() {
        std::promise<AgentServerStats> p;
        asio::post(io_, [&] { p.set_value(server_.stats()); });
        return p.get_future().get();
    }
    std::vector<std::pair<std::string, wire::JobEvent>> events() {
        std::lock_guard lock(mutex_);
        return job_events;
    }

    RecordingSink sink;
    int port = 0;

private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    AgentServer server_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::pair<std::string, wire::JobEvent>> job_events;
};

}  // namespace fructosa::test_support
