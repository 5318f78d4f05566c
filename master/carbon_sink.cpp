#include "master/carbon_sink.h"

#include <algorithm>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace fructosa {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

}  // namespace

CarbonSinkSettings CarbonSinkSettings::from(const GraphiteSettings& g) {
    CarbonSinkSettings s;
    s.host = g.host;
    s.port = g.port();
    s.protocol = g.protocol;
    s.prefix = g.prefix;
    s.max_queued_points = g.max_queued_points;
    return s;
}

CarbonSink::CarbonSink(asio::io_context& io, CarbonSinkSettings settings)
    : io_(io),
      settings_(std::move(settings)),
      resolver_(io),
      socket_(io),
      retry_timer_(io),
      stop_timer_(io),
      backoff_(settings_.min_backoff) {
    if (settings_.max_queued_points == 0) settings_.max_queued_points = 1;
    if (settings_.points_per_write == 0) settings_.points_per_write = 1;
}

std::string CarbonSink::destination() const {
    return fmt::format("{}:{} ({})", settings_.host, settings_.port, to_string(settings_.protocol));
}

void CarbonSink::start() {
    if (state_ == State::Idle && !stopping_) connect();
}

void CarbonSink::offer(Points&& points) {
    stats_.points_in += points.size();
    if (state_ == State::Stopped) {
        stats_.points_dropped += points.size();
        return;
    }
    for (auto& p : points) queue_.push_back(std::move(p));
    points.clear();
    trim_queue();
    if (state_ == State::Connected && !writing_) write_next();
}

SinkStats CarbonSink::stats() const {
    SinkStats s = stats_;
    s.points_queued = queue_.size() + in_flight_.size();
    s.connected = state_ == State::Connected;
    return s;
}

void CarbonSink::trim_queue() {
    if (queue_.size() <= settings_.max_queued_points) return;
    std::size_t excess = queue_.size() - settings_.max_queued_points;
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(excess));
    stats_.points_dropped += excess;
}

void CarbonSink::connect() {
    state_ = State::Connecting;
    std::uint64_t gen = ++generation_;
    resolver_.async_resolve(
        settings_.host, std::to_string(settings_.port),
        [this, gen](const error_code& ec, tcp::resolver::results_type results) {
            if (gen != generation_ || state_ != State::Connecting) return;
            if (ec) {
                connection_lost(fmt::format("cannot resolve {}: {}", settings_.host, ec.message()));
                return;
            }
            asio::async_connect(socket_, results, [this, gen](const error_code& ec2, const tcp::endpoint&) {
                if (gen != generation_ || state_ != State::Connecting) return;
                if (ec2) {
                    connection_lost(fmt::format("cannot connect: {}", ec2.message()));
                    return;
                }
                on_connected();
            });
        });
}

void CarbonSink::on_connected() {
    state_ = State::Connected;
    connected_at_ = std::chrono::steady_clock::now();
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    if (!ever_connected_) log_info("connected to Graphite at {}", destination());
    else log_debug("connected to Graphite at {}", destination());
    ever_connected_ = true;
    watch_for_close();
    if (!writing_) write_next();
}

void CarbonSink::watch_for_close() {
    // Carbon never sends anything: any read completion means the peer closed or failed.
    std::uint64_t gen = generation_;
    socket_.async_read_some(asio::buffer(&probe_, 1), [this, gen](const error_code& ec, std::size_t) {
        if (gen != generation_ || state_ != State::Connected) return;
        if (!ec) {
            watch_for_close();
            return;
        }
        connection_lost(ec == asio::error::eof ? std::string("Graphite closed the connection")
                                               : fmt::format("connection lost: {}", ec.message()));
    });
}

void CarbonSink::write_next() {
    if (state_ != State::Connected || writing_) return;
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
    std::uint64_t gen = generation_;
    asio::async_write(socket_, asio::buffer(out_), [this, gen](const error_code& ec, std::size_t) {
        if (gen != generation_) return;  // connection_lost already requeued the points
        writing_ = false;
        if (ec) {
            connection_lost(fmt::format("write failed: {}", ec.message()));
            return;
        }
        stats_.points_out += in_flight_.size();
        in_flight_.clear();
        backoff_ = settings_.min_backoff;  // carbon takes data: a later failure starts again quickly
        // Only now is the trouble over (a peer that accepts and closes at once is not).
        complaint_.release(fmt::format("Graphite at {} takes points again", destination()));
        write_next();
    });
}

void CarbonSink::connection_lost(const std::string& why) {
    bool was_connected = state_ == State::Connected;
    ++generation_;  // every handler of this connection is now stale
    error_code ignored;
    socket_.close(ignored);
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
    if (was_connected && std::chrono::steady_clock::now() - connected_at_ > settings_.max_backoff)
        backoff_ = settings_.min_backoff;  // a long-lived connection: not a flapping peer
    complaint_.complain(fmt::format("Graphite at {}: {}; {} points queued, retrying in {} s", destination(), why,
                                    queue_.size(), seconds(backoff_)));
    schedule_reconnect();
}

void CarbonSink::schedule_reconnect() {
    state_ = State::Idle;
    retry_timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, settings_.max_backoff);
    std::uint64_t gen = generation_;
    retry_timer_.async_wait([this, gen](const error_code& ec) {
        if (ec || gen != generation_ || stopping_ || state_ != State::Idle) return;
        connect();
    });
}

void CarbonSink::stop(std::chrono::milliseconds grace, std::function<void()> done) {
    if (state_ == State::Stopped || stopping_) {
        if (done) asio::post(io_, std::move(done));
        return;
    }
    stopping_ = true;
    on_stopped_ = std::move(done);
    retry_timer_.cancel();
    resolver_.cancel();
    if (state_ == State::Connected && (writing_ || !queue_.empty())) {
        stop_timer_.expires_after(grace);
        stop_timer_.async_wait([this](const error_code& ec) {
            if (!ec) finish_stop();
        });
        return;
    }
    finish_stop();
}

void CarbonSink::finish_stop() {
    if (state_ == State::Stopped) return;
    state_ = State::Stopped;
    ++generation_;
    std::size_t left = queue_.size() + in_flight_.size();
    if (left > 0) {
        log_warning("{} points not delivered to Graphite at {} at shutdown", left, destination());
        stats_.points_dropped += left;
        queue_.clear();
        in_flight_.clear();
    }
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
    retry_timer_.cancel();
    stop_timer_.cancel();
    resolver_.cancel();
    if (on_stopped_) asio::post(io_, std::exchange(on_stopped_, {}));
}

}  // namespace fructosa
