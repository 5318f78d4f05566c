#include "master/carbon_sink.h"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace fructosa {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

/// One carbon receiver, no connect deadline of our own (the kernel's), the sink's backoff.
net::ReconnectingClientSettings client_settings(const CarbonSinkSettings& s) {
    net::ReconnectingClientSettings c;
    c.endpoints = {{s.host, s.port}};
    c.first_backoff = s.min_backoff;
    c.max_backoff = s.max_backoff;
    return c;
}

}  // namespace

CarbonSink::CarbonSink(asio::io_context& io, CarbonSinkSettings settings)
    : io_(io), settings_(std::move(settings)), client_(io, client_settings(settings_)), stop_timer_(io) {
    if (settings_.max_queued_points == 0) settings_.max_queued_points = 1;
    if (settings_.points_per_write == 0) settings_.points_per_write = 1;
    client_.on_connected([this] { on_connected(); });
    client_.on_attempt_failed([this](const net::Endpoint& carbon, net::ReconnectingClient::Step step,
                                     const error_code& ec) { on_attempt_failed(carbon, step, ec); });
}

std::string CarbonSink::destination() const {
    return fmt::format("{}:{} ({})", settings_.host, settings_.port, to_string(settings_.protocol));
}

void CarbonSink::start() {
    if (!stopped_ && !stopping_) client_.start();
}

void CarbonSink::offer(Points&& points) {
    stats_.points_in += points.size();
    if (stopped_) {
        stats_.points_dropped += points.size();
        return;
    }
    for (auto& p : points) queue_.push_back(std::move(p));
    points.clear();
    trim_queue();
    if (client_.connected() && !writing_) write_next();
}

SinkStats CarbonSink::stats() const {
    SinkStats s = stats_;
    s.points_queued = queue_.size() + in_flight_.size();
    s.connected = client_.connected();
    return s;
}

void CarbonSink::trim_queue() {
    if (queue_.size() <= settings_.max_queued_points) return;
    std::size_t excess = queue_.size() - settings_.max_queued_points;
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(excess));
    stats_.points_dropped += excess;
}

void CarbonSink::on_attempt_failed(const net::Endpoint& carbon, net::ReconnectingClient::Step step,
                                   const error_code& ec) {
    complain(step == net::ReconnectingClient::Step::Resolve
                 ? fmt::format("cannot resolve {}: {}", carbon.host, ec.message())
                 : fmt::format("cannot connect: {}", ec.message()));
}

void CarbonSink::on_connected() {
    connected_at_ = std::chrono::steady_clock::now();
    if (!ever_connected_) log_info("connected to Graphite at {}", destination());
    else log_debug("connected to Graphite at {}", destination());
    ever_connected_ = true;
    watch_for_close();
    if (!writing_) write_next();
}

void CarbonSink::watch_for_close() {
    // Carbon never sends anything: any read completion means the peer closed or failed.
    std::uint64_t gen = client_.generation();
    client_.socket().async_read_some(asio::buffer(&probe_, 1), [this, gen](const error_code& ec, std::size_t) {
        if (gen != client_.generation() || !client_.connected()) return;
        if (!ec) {
            watch_for_close();
            return;
        }
        connection_lost(ec == asio::error::eof ? std::string("Graphite closed the connection")
                                               : fmt::format("connection lost: {}", ec.message()));
    });
}

void CarbonSink::write_next() {
    if (!client_.connected() || writing_) return;
    if (queue_.empty()) {
        if (stopping_) finish_stop();
        return;
    }
    in_flight_.clear();
    while (!queue_.empty() && in_flight_.size() < settings_.points_per_write) {
        if (carbon_sendable(queue_.front()))
            in_flight_.push_back(std::move(queue_.front()));
        else
            ++stats_.points_invalid;
        queue_.pop_front();
    }
    if (in_flight_.empty()) {  // the queue held only invalid points
        if (stopping_) finish_stop();
        return;
    }
    out_.clear();
    if (settings_.protocol == CarbonProtocol::Pickle) {
        for (auto& m : format_pickle(in_flight_, settings_.prefix, settings_.points_per_write).messages) out_ += m;
    } else {
        out_ = format_plaintext(in_flight_, settings_.prefix).text;
    }
    writing_ = true;
    std::uint64_t gen = client_.generation();
    asio::async_write(client_.socket(), asio::buffer(out_), [this, gen](const error_code& ec, std::size_t) {
        if (gen != client_.generation()) return;  // connection_lost already requeued the points
        writing_ = false;
        if (ec) {
            connection_lost(fmt::format("write failed: {}", ec.message()));
            return;
        }
        stats_.points_out += in_flight_.size();
        in_flight_.clear();
        client_.reset_backoff();  // carbon takes data: a later failure starts again quickly
        // Only now is the trouble over (a peer that accepts and closes at once is not).
        complaint_.release(fmt::format("Graphite at {} takes points again", destination()));
        write_next();
        if (on_written_) on_written_();
    });
}

void CarbonSink::connection_lost(const std::string& why) {
    ++stats_.connections_lost;
    bool long_lived = std::chrono::steady_clock::now() - connected_at_ > settings_.max_backoff;
    if (!in_flight_.empty()) {
        // Back to the front, oldest first, then apply the bound again.
        queue_.insert(queue_.begin(), std::make_move_iterator(in_flight_.begin()),
                      std::make_move_iterator(in_flight_.end()));
        in_flight_.clear();
        trim_queue();
    }
    writing_ = false;
    if (stopping_) {
        finish_stop();
        return;
    }
    if (long_lived) client_.reset_backoff();  // not a flapping peer
    complain(why);
    client_.disconnect();
}

void CarbonSink::complain(const std::string& why) {
    complaint_.complain(fmt::format("Graphite at {}: {}; {} points queued, retrying in {} s", destination(), why,
                                    queue_.size(), seconds(client_.retry_delay())));
}

void CarbonSink::stop(std::chrono::milliseconds grace, std::function<void()> done) {
    if (stopped_ || stopping_) {
        if (done) asio::post(io_, std::move(done));
        return;
    }
    stopping_ = true;
    on_stopped_ = std::move(done);
    if (client_.connected() && (writing_ || !queue_.empty())) {
        stop_timer_.expires_after(grace);
        stop_timer_.async_wait([this](const error_code& ec) {
            if (!ec) finish_stop();
        });
        return;
    }
    finish_stop();
}

void CarbonSink::finish_stop() {
    if (stopped_) return;
    stopped_ = true;
    std::size_t left = queue_.size() + in_flight_.size();
    if (left > 0) {
        log_warning("{} points not delivered to Graphite at {} at shutdown", left, destination());
        stats_.points_dropped += left;
        queue_.clear();
        in_flight_.clear();
    }
    error_code ignored;
    client_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    client_.stop();
    stop_timer_.cancel();
    if (on_stopped_) asio::post(io_, std::exchange(on_stopped_, {}));
}

}  // namespace fructosa
