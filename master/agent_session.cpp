#include "master/agent_session.h"

#include "master/agent_paths.h"
#include "master/agent_server.h"

#include <algorithm>
#include <optional>

#include <boost/asio/write.hpp>

namespace fructosa {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

const char* frame_name(wire::FrameType t) {
    switch (t) {
        case wire::FrameType::Hello: return "Hello";
        case wire::FrameType::Batch: return "Batch";
        case wire::FrameType::Ack: return "Ack";
        case wire::FrameType::Error: return "Error";
        case wire::FrameType::JobEvent: return "JobEvent";
    }
    return "unknown";
}

/// Bytes an agent may send before its Hello is accepted: a Hello is a few hundred
/// bytes (a MUNGE credential included), so an unknown peer cannot make lmaster hold
/// a large partial frame.
constexpr std::size_t kMaxBytesBeforeHello = 64 * 1024;

/// `text` from the network made safe for one log line: printable ASCII, bounded.
std::string printable(std::string_view text, std::size_t max = 64) {
    std::string out;
    for (char c : text.substr(0, max)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (text.size() > max) out += "...";
    return out;
}

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

}  // namespace

std::string peer_of(const tcp::socket& s) {
    error_code ec;
    auto ep = s.remote_endpoint(ec);
    if (ec) return "?";
    return fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

/// One agent connection (see agent_session.h). Every handler first checks `closed_`, so nothing touches
/// the server after the session was closed (or the server destroyed).
class AgentSession : public std::enable_shared_from_this<AgentSession> {
public:
    AgentSession(AgentServer& server, tcp::socket socket, std::uint64_t id)
        : server_(server), socket_(std::move(socket)), timer_(server.io_), id_(id), peer_(peer_of(socket_)) {}

    void start() {
        error_code ec;
        socket_.non_blocking(true, ec);
        set_deadline(Clock::now() + server_.settings_.handshake_timeout);
        wait_readable();
    }

    /// Closes at once (server stop, or the end of a closing handshake).
    const std::string& peer() const { return peer_; }

    void close(const std::string& why) {
        if (closed_) return;
        closed_ = true;
        server_.settled(id_);
        if (state_ == State::Serving) --server_.stats_.agents_connected;
        --server_.stats_.connections_open;
        if (at_worker_) --(hello_ ? server_.stats_.hellos_verifying : server_.stats_.job_events_recording);
        if (!host_.empty()) log_info("agent {} ({}) disconnected: {}", host_, peer_, why);
        else log_debug("connection from {} closed: {}", peer_, why);
        error_code ignored;
        timer_.cancel();
        socket_.close(ignored);
        server_.forget(id_);  // may destroy *this once the caller's reference goes
    }

private:
    enum class State { AwaitHello, Serving, Closing };

    void wait_readable() {
        socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const error_code& ec) {
            if (self->closed_) return;
            if (ec) {
                self->close(ec.message());
                return;
            }
            self->on_readable();
        });
    }

    void on_readable() {
        auto& buf = server_.read_buffer_;
        error_code ec;
        std::size_t n = socket_.read_some(asio::buffer(buf), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            wait_readable();
            return;
        }
        if (ec) {
            close(ec == asio::error::eof ? std::string("connection closed by the agent") : ec.message());
            return;
        }
        if (state_ == State::Closing) {  // discard until the agent closes or the linger ends
            wait_readable();
            return;
        }
        if (state_ == State::Serving) set_deadline(Clock::now() + server_.settings_.idle_timeout);
        decoder_.feed(buf.data(), n);
        handle_buffered();
    }

    /// Handles the frames decoded so far, until one has to wait for a worker; then reads
    /// again, unless waiting (the worker's answer resumes here).
    void handle_buffered() {
        wire::Frame frame;
        while (state_ != State::Closing && !waiting_) {
            auto r = decoder_.next(frame);
            if (r == wire::FrameDecoder::Result::NeedMore) break;
            if (r == wire::FrameDecoder::Result::Bad) {
                reject(decoder_.error());
                break;
            }
            handle(std::move(frame));
            if (closed_) return;
        }
        // While a Hello is verified nothing more is read: what is buffered came with it.
        if (state_ == State::AwaitHello && !waiting_ && decoder_.buffered() > kMaxBytesBeforeHello)
            reject(fmt::format("more than {} bytes before a Hello", kMaxBytesBeforeHello));
        // Give back the memory of a large frame once it is handled (or refused).
        if (decoder_.buffered() == 0 || state_ == State::Closing) decoder_ = wire::FrameDecoder{};
        if (!waiting_) wait_readable();
    }

    /// A worker's answer has come (or the session's wait ended): read and handle again.
    void resume() {
        waiting_ = false;
        if (state_ == State::Closing) {  // a deadline closed it meanwhile: wait for the agent's close
            decoder_ = wire::FrameDecoder{};
            wait_readable();
            return;
        }
        handle_buffered();
    }

    void handle(wire::Frame&& frame) {
        try {
            if (state_ == State::AwaitHello) {
                if (frame.type != wire::FrameType::Hello) {
                    reject(fmt::format("expected a Hello frame first, got {}", frame_name(frame.type)));
                    return;
                }
                on_hello(wire::decode_hello(frame.payload));
                return;
            }
            switch (frame.type) {
                case wire::FrameType::Batch: on_batch(wire::decode_batch(frame.payload)); return;
                case wire::FrameType::JobEvent: on_job_event(wire::decode_job_event(frame.payload)); return;
                default: reject(fmt::format("unexpected {} frame", frame_name(frame.type))); return;
            }
        } catch (const wire::WireError& e) {
            reject(e.what());
        }
    }

    void on_hello(wire::Hello&& hello) {
        // The host becomes a level of every path this agent writes: refuse what
        // cannot be one as it is, before asking the authenticator.
        if (!valid_agent_host(hello.host)) {
            on_verified(hello, AuthResult{false, fmt::format("host '{}' cannot be one level of a metric path "
                                                             "(letters, digits and -_:+%@ only; not jobs or fructosa)",
                                                             printable(hello.host))});
            return;
        }
        hello_ = std::move(hello);
        waiting_ = true;
        // It has said its Hello: no longer a connection that might never say one, so
        // newcomers do not evict it while munged is asked (the handshake deadline still runs).
        server_.settled(id_);
        verify_hello();
    }

    /// Hands the Hello to the authentication worker (MUNGE asks munged: it may block), or
    /// waits for room there.
    void verify_hello() {
        Authenticator* auth = server_.auth_.get();  // the worker is stopped before it goes
        bool posted = server_.auth_worker_.try_post(
            [auth, hello = *hello_]() {
                try {
                    return auth->verify(hello);
                } catch (const std::exception& e) {
                    return AuthResult{false, fmt::format("lmaster could not check the credential: {}", e.what())};
                }
            },
            [self = shared_from_this()](AuthResult result) {
                if (self->closed_) return;  // close() took it off the gauge (the server may be gone)
                self->at_worker_ = false;
                --self->server_.stats_.hellos_verifying;
                wire::Hello hello = std::move(*self->hello_);
                self->hello_.reset();
                if (self->state_ == State::AwaitHello) self->on_verified(hello, result);
                if (!self->closed_) self->resume();
            });
        if (posted) {
            at_worker_ = true;
            ++server_.stats_.hellos_verifying;
            return;
        }
        ++server_.stats_.hellos_queue_full;
        server_.auth_worker_.when_room([self = shared_from_this()]() {
            if (!self->closed_ && self->state_ == State::AwaitHello) self->verify_hello();
            else if (!self->closed_) self->resume();
        });
    }

    void on_verified(const wire::Hello& hello, const AuthResult& auth) {
        if (!auth.ok) {
            ++server_.stats_.auth_failures;
            // Rate-limited: a refused agent retries, and anyone may send Hellos.
            std::string line = fmt::format("agent at {} (claims {}) refused: {}", peer_, printable(hello.host), auth.error);
            if (!server_.auth_complaint_.complain(line)) log_debug("{}", line);
            close_with_error(auth.error);
            return;
        }
        if (server_.stats_.agents_connected >= server_.settings_.max_agents) {
            // Only agents past their Hello count here: connections that never say one
            // are bounded apart (max pending handshakes) and cannot fill this.
            ++server_.stats_.connections_refused;
            server_.refused_complaint_.complain(
                fmt::format("refusing agent {} from {}: {} agents connected (max agents); {} refused so far",
                            printable(hello.host), peer_, server_.stats_.agents_connected,
                            server_.stats_.connections_refused));
            close_with_error(fmt::format("too many agents ({}); try again later", server_.settings_.max_agents));
            return;
        }
        host_ = hello.host;  // valid_agent_host: already path-safe
        state_ = State::Serving;
        server_.settled(id_);
        ++server_.stats_.agents_connected;
        log_info("agent {} (version {}) connected from {}", host_, printable(hello.agent_version), peer_);
        set_deadline(Clock::now() + server_.settings_.idle_timeout);
    }

    void on_batch(wire::Batch&& batch) {
        ++server_.stats_.batches_in;
        server_.stats_.points_in += batch.points.size();
        std::size_t before = batch.points.size();
        std::string first_refused;
        std::erase_if(batch.points, [&](const Point& p) {
            if (agent_may_write(p.path, host_)) return false;
            if (first_refused.empty()) first_refused = printable(p.path, 128);
            return true;
        });
        if (std::size_t refused = before - batch.points.size()) {
            server_.stats_.points_refused += refused;
            server_.points_refused_complaint_.complain(fmt::format(
                "agent {} ({}): {} point(s) refused outside its own series (e.g. '{}'); {} refused in all", host_,
                peer_, refused, first_refused, server_.stats_.points_refused));
        }
        if (!batch.points.empty()) server_.sink_.offer(std::move(batch.points));
        ack(batch.seq);
    }

    void on_job_event(wire::JobEvent&& event) {
        ++server_.stats_.job_events_in;
        if (!server_.job_event_handler_ || !server_.job_worker_) {
            ack(event.seq);
            return;
        }
        event_ = std::move(event);
        waiting_ = true;
        record_job_event();
    }

    /// Hands the event to the registry worker, or waits for room there. Acked (and the
    /// session reads again) only once recorded: the agent keeps it until then.
    void record_job_event() {
        bool posted = server_.job_worker_->try_post(
            [handler = server_.job_event_handler_, host = host_, event = *event_]() {
                try {
                    handler(host, event);
                } catch (const std::exception& e) {
                    // The owner's bug must not cost the agent its connection or lmaster its life.
                    log_error("job event {} from {}: handler failed: {}", event.seq, host, e.what());
                }
                return event.seq;
            },
            [self = shared_from_this()](std::uint64_t seq) {
                if (self->closed_) return;  // close() took it off the gauge (the server may be gone)
                self->at_worker_ = false;
                --self->server_.stats_.job_events_recording;
                self->event_.reset();
                if (self->state_ == State::Serving) self->ack(seq);
                if (!self->closed_) self->resume();
            });
        if (posted) {
            at_worker_ = true;
            ++server_.stats_.job_events_recording;
            return;
        }
        ++server_.stats_.job_events_queue_full;
        server_.job_worker_->when_room([self = shared_from_this()]() {
            if (!self->closed_ && self->state_ == State::Serving) self->record_job_event();
            else if (!self->closed_) self->resume();
        });
    }

    void ack(std::uint64_t seq) {
        if (!have_acked_ || seq > highest_seq_) highest_seq_ = seq;
        have_acked_ = true;
        ack_pending_ = true;
        flush();
    }

    /// A protocol violation: counted, logged rate-limited, answered, closed.
    void reject(const std::string& why) {
        ++server_.stats_.bad_frames;
        server_.bad_frame_complaint_.complain(fmt::format(
            "bad frame from {} ({}): {}", peer_, host_.empty() ? std::string("before Hello") : host_, why));
        close_with_error(why);
    }

    /// Sends an Error frame (after any pending Ack), half-closes, and waits up to the
    /// linger for the agent to close, so the frame is not lost to a reset.
    void close_with_error(const std::string& message) {
        if (state_ == State::Closing) return;
        if (state_ == State::Serving) --server_.stats_.agents_connected;
        state_ = State::Closing;
        error_frame_ = wire::encode_error(message);
        set_deadline(Clock::now() + server_.settings_.linger);
        flush();
    }

    void flush() {
        if (writing_ || closed_) return;
        if (ack_pending_) {
            out_ = wire::encode_ack(highest_seq_);
            ack_pending_ = false;
        } else if (error_frame_) {
            out_ = std::move(*error_frame_);
            error_frame_.reset();
            error_sent_ = true;
        } else {
            return;
        }
        writing_ = true;
        asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](const error_code& ec, std::size_t) {
            if (self->closed_) return;
            self->writing_ = false;
            if (ec) {
                self->close(fmt::format("write failed: {}", ec.message()));
                return;
            }
            if (self->error_sent_ && !self->error_frame_ && !self->ack_pending_) {
                error_code ignored;
                self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
                return;  // the read side waits for the agent's close, the timer for the linger
            }
            self->flush();
        });
    }

    /// Moves the deadline; the timer is re-armed only when it must fire earlier
    /// (later deadlines are picked up when it fires), so most reads cost no timer call.
    void set_deadline(Clock::time_point t) {
        bool earlier = !timer_armed_ || t < deadline_;
        deadline_ = t;
        if (earlier) arm_timer();
    }

    void arm_timer() {
        timer_armed_ = true;
        timer_.expires_at(deadline_);
        timer_.async_wait([self = shared_from_this()](const error_code& ec) {
            if (self->closed_ || ec == asio::error::operation_aborted) return;
            if (Clock::now() < self->deadline_) {
                self->arm_timer();
                return;
            }
            self->on_deadline();
        });
    }

    void on_deadline() {
        switch (state_) {
            case State::AwaitHello:
                ++server_.stats_.timeouts;
                if (hello_) {  // said, but still queued or being checked: munged is slow, or lmaster busy
                    log_info("connection from {}: Hello not verified within {} s", peer_,
                             seconds(server_.settings_.handshake_timeout));
                    close_with_error(fmt::format("lmaster could not verify the Hello within {} s; try again later",
                                                 seconds(server_.settings_.handshake_timeout)));
                    return;
                }
                log_debug("connection from {}: no Hello within {} s", peer_, seconds(server_.settings_.handshake_timeout));
                close_with_error(fmt::format("no Hello frame within {} s", seconds(server_.settings_.handshake_timeout)));
                return;
            case State::Serving:
                ++server_.stats_.timeouts;
                log_info("agent {} ({}) silent for {} s: closing", host_, peer_, seconds(server_.settings_.idle_timeout));
                close_with_error(fmt::format("no data for {} s", seconds(server_.settings_.idle_timeout)));
                return;
            case State::Closing:
                close("closed after an error");
                return;
        }
    }

    AgentServer& server_;
    tcp::socket socket_;
    asio::steady_timer timer_;
    std::uint64_t id_;
    std::string peer_;
    std::string host_;  ///< the agent's host, path-safe, once its Hello is accepted
    State state_ = State::AwaitHello;
    bool closed_ = false;

    wire::FrameDecoder decoder_;
    /// A Hello or JobEvent is at a worker (or waits for room there): nothing more is read
    /// or handled until its answer resumes the session.
    bool waiting_ = false;
    std::optional<wire::Hello> hello_;     ///< the Hello being verified
    std::optional<wire::JobEvent> event_;  ///< the job event being recorded
    bool at_worker_ = false;               ///< hello_ or event_ is queued or running there
    std::uint64_t highest_seq_ = 0;
    bool have_acked_ = false;
    bool ack_pending_ = false;
    std::optional<std::vector<std::uint8_t>> error_frame_;
    bool error_sent_ = false;
    bool writing_ = false;
    std::vector<std::uint8_t> out_;

    Clock::time_point deadline_{};
    bool timer_armed_ = false;
};

std::shared_ptr<AgentSession> make_agent_session(AgentServer& server, tcp::socket socket, std::uint64_t id) {
    return std::make_shared<AgentSession>(server, std::move(socket), id);
}

void start_agent_session(AgentSession& session) { session.start(); }

void close_agent_session(AgentSession& session, const std::string& why) { session.close(why); }

std::string peer_of_session(const AgentSession& session) { return session.peer(); }

}  // namespace fructosa
