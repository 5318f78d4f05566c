#include "collector/shipper.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/socket.h>

#include <boost/asio/write.hpp>

namespace fructosa {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::chrono::seconds kConnectTimeout{5};

/// lmaster acknowledges every batch at once. Waking up for each of those 16-byte Acks
/// was lagent's second wakeup a second, a context switch on a core a job may be using:
/// below this many bytes the kernel keeps them without waking us (SO_RCVLOWAT; a closed
/// or reset connection still wakes us at once), and the next batch, the self metrics or
/// stop() read them first. A replay's stream of Acks passes it within 64 batches.
constexpr int kAckLowWater = 1024;

net::ReconnectingClientSettings client_settings(const ShipperConfig& config) {
    net::ReconnectingClientSettings s;
    for (const auto& [host, port] : config.masters) s.endpoints.push_back({host, port});
    s.connect_timeout = kConnectTimeout;
    s.failback_interval = std::chrono::milliseconds(static_cast<std::int64_t>(config.failback_s * 1000.0));
    return s;
}

}  // namespace

std::vector<std::pair<std::string, int>> spread_masters(std::vector<std::pair<std::string, int>> masters,
                                                        std::string_view agent_host) {
    if (masters.size() < 2) return masters;
    std::uint32_t h = 2166136261u;  // FNV-1a, 32 bits
    for (unsigned char c : agent_host) h = (h ^ c) * 16777619u;
    std::rotate(masters.begin(), masters.begin() + static_cast<std::ptrdiff_t>(h % masters.size()), masters.end());
    return masters;
}

Shipper::Shipper(asio::io_context& io, ShipperConfig config)
    : config_(std::move(config)),
      client_(io, client_settings(config_)),
      flush_timer_(io),
      queue_(config_.max_queued_points, config_.spool_dir, config_.spool_max_bytes) {
    client_.on_connected([this] { on_connected(); });
    client_.on_attempt_failed([this](const net::Endpoint& master, net::ReconnectingClient::Step step,
                                     const boost::system::error_code& ec) { on_attempt_failed(master, step, ec); });
    client_.on_preferred_back([this] {
        const auto& [host, port] = config_.masters.front();
        log_info("lmaster at {}:{} answers again: moving back to it ({} batches to resend)", host, port,
                 queue_.frames());
        queue_.rewind();  // unacknowledged batches go to it (lmaster and carbon take a duplicate in stride)
        client_.reconnect_preferred();
    });
}

Shipper::~Shipper() { *alive_ = false; }

void Shipper::start() {
    stopped_ = false;
    queue_.load_spool();
    client_.start();
    running_ = true;
    next_batch_ = std::chrono::steady_clock::now();
    if (!pending_.empty()) flush_when_due();
}

void Shipper::stop() {
    read_acks();  // what lmaster acknowledged is not resent from the spool at the next start
    stopped_ = true;
    running_ = false;
    flush_timer_.cancel();
    flush_armed_ = false;
    client_.stop();
}

void Shipper::add(Points points) {
    for (auto& p : points) pending_.push_back(std::move(p));
    if (pending_.size() >= config_.max_batch_points) flush();
    if (!pending_.empty()) flush_when_due();
}

void Shipper::add_job_event(std::string json) {
    flush();  // keep events in order with the points sampled before them
    std::uint64_t seq = queue_.take_seq();
    queue_.push(seq, true, 0, wire::encode_job_event(wire::JobEvent{seq, std::move(json)}));
    write_next();
}

void Shipper::flush() {
    while (!pending_.empty()) {
        std::size_t n = std::min(pending_.size(), config_.max_batch_points);
        wire::Batch batch;
        batch.seq = queue_.take_seq();
        batch.points.assign(std::make_move_iterator(pending_.begin()),
                            std::make_move_iterator(pending_.begin() + static_cast<std::ptrdiff_t>(n)));
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
        queue_.push(batch.seq, false, n, wire::encode_batch(batch));
        write_next();
    }
}

void Shipper::flush_when_due() {
    using Clock = std::chrono::steady_clock;
    auto now = Clock::now();
    auto slack = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(config_.batch_interval_s / 10));
    if (!running_) return;  // before start() (the spool is not loaded yet) or after stop(): points wait
    if (now + slack >= next_batch_) {
        if (flush_armed_) flush_timer_.cancel();  // its handler sees operation_aborted
        flush_armed_ = false;
        flush_now(now);
        return;
    }
    if (flush_armed_) return;
    flush_armed_ = true;
    flush_timer_.expires_at(next_batch_);
    flush_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
        if (ec || !*alive || stopped_) return;
        flush_armed_ = false;
        flush_now(std::chrono::steady_clock::now());
    });
}

void Shipper::flush_now(std::chrono::steady_clock::time_point now) {
    read_acks();
    flush();
    next_batch_ = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(config_.batch_interval_s));
}

void Shipper::on_attempt_failed(const net::Endpoint& master, net::ReconnectingClient::Step step,
                                const boost::system::error_code& ec) {
    if (step == net::ReconnectingClient::Step::Resolve)
        connect_complaint_.complain(fmt::format("cannot resolve lmaster host {}: {}", master.host, ec.message()));
    else
        connect_complaint_.complain(fmt::format("cannot connect to lmaster at {}:{}: {} (retrying with backoff)",
                                                master.host, master.port, ec.message()));
}

void Shipper::on_connected() {
    accepted_ = false;  // backoff and complaint reset only once lmaster acknowledges something
    const net::Endpoint& master = client_.endpoint();
    log_info("connected to lmaster at {}:{}{}; {} batches to (re)send", master.host, master.port,
             client_.endpoint_index() > 0 ? " (failed over)" : "", queue_.frames());
    decoder_ = wire::FrameDecoder();
    queue_.rewind();
    auto [method, credential] = config_.credential ? config_.credential() : std::pair<std::string, std::string>{"none", ""};
    hello_ = wire::encode_hello(wire::Hello{config_.agent_host, FRUCTOSA_VERSION, method, credential});
    boost::system::error_code ignored;  // without it Acks wake us as they come, as before
    client_.socket().set_option(asio::socket_base::receive_low_watermark(kAckLowWater), ignored);
    queue_.set_writing(true);
    asio::async_write(client_.socket(), asio::buffer(hello_),
                      [this, alive = alive_, g = client_.generation()](const boost::system::error_code& e, std::size_t) {
                          if (!*alive || stopped_ || g != client_.generation()) return;
                          queue_.set_writing(false);
                          if (e) return disconnect(fmt::format("writing hello: {}", e.message()));
                          write_next();
                      });
    wait_for_acks();
}

void Shipper::write_next() {
    if (!client_.connected() || queue_.writing()) return;
    // Its bytes stay where they are in the queue while they are on the wire.
    std::span<const std::uint8_t> frame = queue_.next_frame();
    if (frame.empty()) return;
    queue_.set_writing(true);
    asio::async_write(client_.socket(), asio::buffer(frame.data(), frame.size()),
                      [this, alive = alive_, g = client_.generation()](const boost::system::error_code& e, std::size_t) {
                          if (!*alive || stopped_ || g != client_.generation()) return;
                          queue_.set_writing(false);
                          if (e) return disconnect(fmt::format("writing batch: {}", e.message()));
                          queue_.advance();
                          write_next();
                      });
}

void Shipper::wait_for_acks() {
    // Every read goes through read_acks(), here and from the batch path, so the decoder
    // sees the bytes in the order they came (an async read's bytes could wait in a posted
    // handler while a batch read newer ones).
    client_.socket().async_wait(tcp::socket::wait_read,
                                [this, alive = alive_, g = client_.generation()](const boost::system::error_code& e) {
                                    if (!*alive || stopped_ || g != client_.generation()) return;
                                    if (e) return disconnect(e.message());
                                    read_acks();
                                    if (client_.connected() && g == client_.generation()) wait_for_acks();
                                });
}

void Shipper::read_acks() {
    while (client_.connected() && !stopped_) {
        ssize_t n = ::recv(client_.socket().native_handle(), read_buf_.data(), read_buf_.size(), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n < 0) return disconnect(std::strerror(errno));
        if (n == 0) return disconnect("lmaster closed the connection");
        decoder_.feed(read_buf_.data(), static_cast<std::size_t>(n));
        wire::Frame frame;
        for (;;) {
            auto r = decoder_.next(frame);
            if (r == wire::FrameDecoder::Result::NeedMore) break;
            if (r == wire::FrameDecoder::Result::Bad) return disconnect("bad frame from lmaster: " + decoder_.error());
            on_frame(frame);
            if (!client_.connected()) return;
        }
    }
}

void Shipper::on_frame(const wire::Frame& frame) {
    try {
        if (frame.type == wire::FrameType::Ack) {
            std::uint64_t seq = wire::decode_ack(frame.payload);
            if (!accepted_) {
                // A connection that lmaster then refuses must not reset the backoff.
                accepted_ = true;
                client_.reset_backoff();
                connect_complaint_.release(
                    fmt::format("lmaster at {}:{} accepts our data", client_.endpoint().host, client_.endpoint().port));
            }
            queue_.acknowledge(seq);
        } else if (frame.type == wire::FrameType::Error) {
            disconnect("lmaster refused us: " + wire::decode_error(frame.payload));
        } else {
            disconnect(fmt::format("unexpected frame type {} from lmaster", static_cast<int>(frame.type)));
        }
    } catch (const wire::WireError& e) {
        disconnect(std::string("bad frame from lmaster: ") + e.what());
    }
}

void Shipper::disconnect(const std::string& why) {
    if (!client_.connected()) return;
    ++reconnects_;
    queue_.rewind();  // everything unacknowledged is sent again on the next connection
    connect_complaint_.complain(fmt::format("lost connection to lmaster: {} ({} batches held)", why, queue_.frames()));
    client_.disconnect();  // the preferred lmaster first again, after the backoff
}

void Shipper::set_masters(std::vector<std::pair<std::string, int>> masters) {
    config_.masters = std::move(masters);
    if (!client_.set_endpoints(client_settings(config_).endpoints)) disconnect("its lmaster is no longer in [lmaster] host");
}

ShipperStats Shipper::stats() {
    read_acks();
    ShipperStats s;
    s.points_queued = queue_.points_queued() + pending_.size();
    s.points_sent = queue_.points_sent();
    s.points_dropped = queue_.points_dropped();
    s.events_sent = queue_.events_sent();
    s.events_dropped = queue_.events_dropped();
    s.reconnects = reconnects_;
    s.connected = client_.connected();
    return s;
}

}  // namespace fructosa
