#include "collector/shipper.h"

#include <algorithm>

namespace fructosa {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr std::chrono::milliseconds kMaxBackoff{30000};
constexpr std::chrono::seconds kConnectTimeout{5};
}  // namespace

Shipper::Shipper(asio::io_context& io, ShipperConfig config)
    : io_(io),
      config_(std::move(config)),
      resolver_(io),
      socket_(io),
      flush_timer_(io),
      reconnect_timer_(io),
      connect_deadline_(io) {
    if (!config_.spool_dir.empty()) {
        try {
            spool_ = std::make_unique<DiskSpool>(config_.spool_dir, config_.spool_max_bytes);
        } catch (const SpoolError& e) {
            log_warning("{}: unacknowledged data is kept in memory only", e.what());
        }
    }
}

Shipper::~Shipper() { *alive_ = false; }

void Shipper::start() {
    stopped_ = false;
    load_spool();
    connect();
    schedule_flush();
}

void Shipper::stop() {
    stopped_ = true;
    flush_timer_.cancel();
    reconnect_timer_.cancel();
    connect_deadline_.cancel();
    resolver_.cancel();
    boost::system::error_code ec;
    socket_.close(ec);
    connected_ = false;
}

void Shipper::add(Points points) {
    for (auto& p : points) pending_.push_back(std::move(p));
    if (pending_.size() >= config_.max_batch_points) flush();
}

void Shipper::add_job_event(std::string json) {
    flush();  // keep events in order with the points sampled before them
    Outgoing out;
    out.seq = next_seq_++;
    out.is_event = true;
    out.frame = wire::encode_job_event(wire::JobEvent{out.seq, std::move(json)});
    enqueue(std::move(out));
}

void Shipper::flush() {
    while (!pending_.empty()) {
        std::size_t n = std::min(pending_.size(), config_.max_batch_points);
        wire::Batch batch;
        batch.seq = next_seq_++;
        batch.points.assign(std::make_move_iterator(pending_.begin()),
                            std::make_move_iterator(pending_.begin() + static_cast<std::ptrdiff_t>(n)));
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
        Outgoing out;
        out.seq = batch.seq;
        out.points = n;
        out.frame = wire::encode_batch(batch);
        enqueue(std::move(out));
    }
}

void Shipper::enqueue(Outgoing out) {
    if (spool_) {
        try {
            out.pos = spool_->append(std::string_view(reinterpret_cast<const char*>(out.frame.data()), out.frame.size()),
                                     static_cast<std::uint32_t>(out.points));
            out.next = spool_->end();
        } catch (const SpoolError& e) {
            drop_complaint_.complain(fmt::format("{}: batch kept in memory only", e.what()));
        }
    }
    queued_points_ += out.points;
    memory_points_ += out.points;
    queue_.push_back(std::move(out));
    if (spool_) {
        drop_spooled_away();
        evict_from_memory();
    } else {
        // Memory only: drop the oldest metric batches that are not on the wire right now.
        std::uint64_t dropped = 0;
        for (std::size_t i = sent_ + (writing_ ? 1 : 0); queued_points_ > config_.max_queued_points && i < queue_.size();) {
            if (queue_[i].is_event || i + 1 == queue_.size()) {
                ++i;
                continue;
            }
            dropped += queue_[i].points;
            queued_points_ -= queue_[i].points;
            memory_points_ -= queue_[i].points;
            queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
        }
        if (dropped) {
            stats_.points_dropped += dropped;
            drop_complaint_.complain(fmt::format("queue for lmaster full ({} points): dropped the oldest, {} dropped so far",
                                                 config_.max_queued_points, stats_.points_dropped));
        }
    }
    write_next();
}

void Shipper::load_spool() {
    if (!spool_ || !queue_.empty()) return;
    std::size_t batches = 0;
    for (auto rec = spool_->read(spool_->committed()); rec; rec = spool_->read(rec->next)) {
        // The frame carries its sequence number first in the payload (batch and job event alike).
        if (rec->data.size() < wire::kHeaderSize + 8) continue;
        Outgoing out;
        const auto* p = reinterpret_cast<const std::uint8_t*>(rec->data.data());
        out.is_event = p[3] == static_cast<std::uint8_t>(wire::FrameType::JobEvent);
        for (int i = 0; i < 8; ++i) out.seq = (out.seq << 8) | p[wire::kHeaderSize + i];
        out.points = rec->points;
        out.pos = rec->pos;
        out.next = rec->next;
        next_seq_ = std::max(next_seq_, out.seq + 1);
        queued_points_ += out.points;
        queue_.push_back(std::move(out));  // frame read back when its turn comes
        ++batches;
    }
    if (batches) log_info("spool {}: {} unacknowledged batches from before the restart are sent first", spool_->dir(), batches);
}

void Shipper::drop_spooled_away() {
    // The spool dropped its oldest segment(s): those batches are gone unless on the wire.
    std::uint64_t dropped = 0;
    SpoolPos start = spool_->start();
    for (std::size_t i = sent_ + (writing_ ? 1 : 0); i < queue_.size() && queue_[i].next <= start && queue_[i].next.segment != 0;) {
        dropped += queue_[i].points;
        queued_points_ -= queue_[i].points;
        if (!queue_[i].frame.empty()) memory_points_ -= queue_[i].points;
        queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (dropped) {
        stats_.points_dropped += dropped;
        drop_complaint_.complain(fmt::format("spool {} full: dropped the oldest batches, {} points dropped so far",
                                             spool_->dir(), stats_.points_dropped));
    }
}

void Shipper::evict_from_memory() {
    // Keep the frames nearest their turn in memory; the newest wait on disk.
    for (std::size_t i = queue_.size(); memory_points_ > config_.max_queued_points && i-- > sent_ + 1;) {
        if (queue_[i].frame.empty() || queue_[i].next.segment == 0) continue;
        memory_points_ -= queue_[i].points;
        queue_[i].frame.clear();
        queue_[i].frame.shrink_to_fit();
    }
}

void Shipper::schedule_flush() {
    flush_timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(config_.batch_interval_s)));
    flush_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
        if (ec || !*alive || stopped_) return;
        flush();
        schedule_flush();
    });
}

void Shipper::connect() {
    if (stopped_ || connected_ || connecting_) return;
    connecting_ = true;
    resolver_.async_resolve(
        host(), std::to_string(port()),
        [this, alive = alive_](const boost::system::error_code& ec, tcp::resolver::results_type results) {
            if (!*alive || stopped_) return;
            if (ec) {
                connecting_ = false;
                connect_complaint_.complain(fmt::format("cannot resolve lmaster host {}: {}", host(), ec.message()));
                try_next_master();
                return;
            }
            connect_deadline_.expires_after(kConnectTimeout);
            connect_deadline_.async_wait([this, alive](const boost::system::error_code& e) {
                if (!e && *alive && connecting_) {
                    boost::system::error_code ignored;
                    socket_.close(ignored);  // completes the connect with an error
                }
            });
            asio::async_connect(socket_, results,
                                [this, alive](const boost::system::error_code& e, const tcp::endpoint&) {
                                    if (!*alive || stopped_) return;
                                    connecting_ = false;
                                    connect_deadline_.cancel();
                                    if (e) {
                                        connect_complaint_.complain(fmt::format(
                                            "cannot connect to lmaster at {}:{}: {} (retrying with backoff)",
                                            host(), port(), e.message()));
                                        boost::system::error_code ignored;
                                        socket_.close(ignored);
                                        try_next_master();
                                        return;
                                    }
                                    on_connected();
                                });
        });
}

void Shipper::on_connected() {
    connected_ = true;
    ++generation_;
    stats_.connected = true;
    accepted_ = false;  // backoff and complaint reset only once lmaster acknowledges something
    log_info("connected to lmaster at {}:{}{}; {} batches to (re)send", host(), port(),
             master_ > 0 ? " (failed over)" : "", queue_.size());
    boost::system::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    decoder_ = wire::FrameDecoder();
    sent_ = 0;
    auto [method, credential] = config_.credential ? config_.credential() : std::pair<std::string, std::string>{"none", ""};
    hello_ = wire::encode_hello(wire::Hello{config_.agent_host, FRUCTOSA_VERSION, method, credential});
    writing_ = true;
    asio::async_write(socket_, asio::buffer(hello_),
                      [this, alive = alive_, g = generation_](const boost::system::error_code& e, std::size_t) {
                          if (!*alive || stopped_ || g != generation_) return;
                          writing_ = false;
                          if (e) return disconnect(fmt::format("writing hello: {}", e.message()));
                          write_next();
                      });
    read_loop();
}

void Shipper::write_next() {
    if (!connected_ || writing_ || sent_ >= queue_.size()) return;
    Outgoing& next = queue_[sent_];
    if (next.frame.empty() && spool_) {
        try {
            if (auto rec = spool_->read(next.pos); rec && rec->pos == next.pos) {
                next.frame.assign(rec->data.begin(), rec->data.end());
                memory_points_ += next.points;
            }
        } catch (const SpoolError& e) {
            drop_complaint_.complain(e.what());
        }
        if (next.frame.empty()) {  // gone from the spool: count it, go on with the rest
            stats_.points_dropped += next.points;
            queued_points_ -= next.points;
            queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(sent_));
            return write_next();
        }
    }
    writing_ = true;
    // The frame stays alive in queue_ until acknowledged; erase never touches [0, sent_].
    const auto& frame = next.frame;
    asio::async_write(socket_, asio::buffer(frame),
                      [this, alive = alive_, g = generation_](const boost::system::error_code& e, std::size_t) {
                          if (!*alive || stopped_ || g != generation_) return;
                          writing_ = false;
                          if (e) return disconnect(fmt::format("writing batch: {}", e.message()));
                          ++sent_;
                          write_next();
                      });
}

void Shipper::read_loop() {
    socket_.async_read_some(
        asio::buffer(read_buf_),
        [this, alive = alive_, g = generation_](const boost::system::error_code& e, std::size_t n) {
            if (!*alive || stopped_ || g != generation_) return;
            if (e) return disconnect(e == asio::error::eof ? "lmaster closed the connection" : e.message());
            decoder_.feed(read_buf_.data(), n);
            wire::Frame frame;
            for (;;) {
                auto r = decoder_.next(frame);
                if (r == wire::FrameDecoder::Result::NeedMore) break;
                if (r == wire::FrameDecoder::Result::Bad)
                    return disconnect("bad frame from lmaster: " + decoder_.error());
                on_frame(frame);
                if (!connected_) return;
            }
            read_loop();
        });
}

void Shipper::on_frame(const wire::Frame& frame) {
    try {
        if (frame.type == wire::FrameType::Ack) {
            std::uint64_t seq = wire::decode_ack(frame.payload);
            if (!accepted_) {
                // A connection that lmaster then refuses must not reset the backoff.
                accepted_ = true;
                backoff_ = std::chrono::milliseconds(200);
                connect_complaint_.release(fmt::format("lmaster at {}:{} accepts our data", host(), port()));
            }
            std::optional<SpoolPos> done;
            while (!queue_.empty() && queue_.front().seq <= seq && sent_ > 0) {
                if (queue_.front().next.segment != 0) done = queue_.front().next;
                if (!queue_.front().frame.empty()) memory_points_ -= queue_.front().points;
                if (queue_.front().is_event)
                    ++stats_.events_sent;
                else
                    stats_.points_sent += queue_.front().points;
                queued_points_ -= queue_.front().points;
                queue_.pop_front();
                --sent_;
            }
            if (done && spool_) {
                try {
                    spool_->commit(*done);
                } catch (const SpoolError& e) {
                    drop_complaint_.complain(e.what());
                }
            }
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
    if (!connected_) return;
    connected_ = false;
    ++generation_;  // handlers of this connection still in flight see a stale generation
    stats_.connected = false;
    writing_ = false;
    ++stats_.reconnects;
    boost::system::error_code ec;
    socket_.close(ec);
    sent_ = 0;  // everything unacknowledged is sent again on the next connection
    connect_complaint_.complain(fmt::format("lost connection to lmaster: {} ({} batches held)", why, queue_.size()));
    master_ = 0;  // the preferred lmaster first again
    schedule_reconnect();
}

void Shipper::try_next_master() {
    // The next lmaster of the list at once; a whole round failed: back off, then the first.
    if (++master_ < config_.masters.size()) {
        socket_ = tcp::socket(io_);
        return connect();
    }
    master_ = 0;
    schedule_reconnect();
}

void Shipper::schedule_reconnect() {
    if (stopped_) return;
    reconnect_timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    reconnect_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
        if (ec || !*alive || stopped_) return;
        socket_ = tcp::socket(io_);
        connect();
    });
}

ShipperStats Shipper::stats() const {
    ShipperStats s = stats_;
    s.points_queued = queued_points_ + pending_.size();
    return s;
}

}  // namespace fructosa
