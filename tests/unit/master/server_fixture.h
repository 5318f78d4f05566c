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

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <optional>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "master/agent_server.h"
#include "master/authenticator.h"
#include "common/wire.h"
#include "recording_sink.h"

namespace fructosa::test_support {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// The server on its own io_context thread, on 127.0.0.1 and a free port.
class ServerFixture {
public:
    /// `recorder`: what the job events go through on the registry worker (after being
    /// kept for events()); `job_queue`: that worker's capacity.
    explicit ServerFixture(AgentServerSettings settings = base_settings(),
                           std::unique_ptr<Authenticator> auth = std::make_unique<NoAuth>(),
                           AgentServer::JobEventHandler recorder = {}, std::size_t job_queue = 16)
        : work_(asio::make_work_guard(io_)),
          job_worker_(io_, "registry", job_queue),
          server_(io_, std::move(settings), sink, std::move(auth)) {
        server_.on_job_event(
            [this, recorder = std::move(recorder)](const std::string& host, const wire::JobEvent& e) {
                if (recorder) recorder(host, e);
                std::lock_guard lock(mutex_);
                job_events.emplace_back(host, e);
            },
            job_worker_);
        server_.listen();
        port = server_.local_endpoint().port();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~ServerFixture() {
        asio::post(io_, [this] {
            server_.stop();
            job_worker_.stop();  // a recorder may still block: its test releases it first
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
        s.hello_grace = 0ms;  // evict at once, as the tests of the bounds expect
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
    BlockingWorker job_worker_;
    AgentServer server_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::pair<std::string, wire::JobEvent>> job_events;
};

/// A blocking agent-side client with a receive timeout, so a broken server fails
/// the test instead of hanging it.
class Client {
public:
    explicit Client(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{3, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    ~Client() { close(); }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    bool connected() const { return connected_; }
    bool send(const std::vector<std::uint8_t>& bytes) { return send(std::string(bytes.begin(), bytes.end())); }
    bool send(const std::string& bytes) {
        return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
    }
    void hello(const std::string& host = "node001", const std::string& method = "none") {
        send(wire::encode_hello({host, "0.4.0", method, ""}));
    }
    /// The next frame, or nullopt on end of stream, error or timeout.
    std::optional<wire::Frame> read_frame() {
        wire::Frame f;
        while (true) {
            auto r = decoder_.next(f);
            if (r == wire::FrameDecoder::Result::Frame) return f;
            if (r == wire::FrameDecoder::Result::Bad) return std::nullopt;
            std::uint8_t buf[4096];
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return std::nullopt;
            decoder_.feed(buf, static_cast<std::size_t>(n));
        }
    }
    /// The seq of the next frame if it is an Ack, else a value no test uses.
    std::uint64_t read_ack() {
        auto f = read_frame();
        if (!f || f->type != wire::FrameType::Ack) return ~0ull;
        return wire::decode_ack(f->payload);
    }
    /// The message of the next frame if it is an Error, else "".
    std::string read_error() {
        auto f = read_frame();
        if (!f || f->type != wire::FrameType::Error) return "";
        return wire::decode_error(f->payload);
    }
    /// True when bytes from the server wait to be read now (does not wait for any).
    bool has_data() {
        std::uint8_t b;
        return ::recv(fd_, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
    }
    /// True when the server closed its side (end of stream or reset) within the timeout.
    bool closed_by_server() {
        std::uint8_t b;
        ssize_t n = ::recv(fd_, &b, 1, 0);
        return n == 0 || (n < 0 && errno == ECONNRESET);
    }

private:
    int fd_ = -1;
    bool connected_ = false;
    wire::FrameDecoder decoder_;
};

}  // namespace fructosa::test_support
