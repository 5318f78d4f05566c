#include "master/spooling_sink.h"

#include "common/wire.h"

namespace fructosa {

namespace {
constexpr std::chrono::milliseconds kPumpEvery{50};

std::uint64_t written_count(const SinkStats& s) { return s.points_out + s.points_invalid; }
}  // namespace

SpoolingSink::SpoolingSink(boost::asio::io_context& io, std::unique_ptr<GraphiteSink> inner, SpoolSettings settings)
    : io_(io),
      inner_(std::move(inner)),
      settings_(std::move(settings)),
      spool_(settings_.directory, settings_.max_bytes),
      timer_(io) {
    backlog_ = spool_.committed();
    if (spool_.read(backlog_))
        log_info("spool {}: {} bytes not yet in Graphite from before the restart: they go first", spool_.dir(),
                 spool_.bytes());
}

void SpoolingSink::start() {
    inner_->start();
    schedule_pump();
}

void SpoolingSink::offer(Points&& points) {
    if (points.empty()) return;
    points_in_ += points.size();
    auto n = static_cast<std::uint32_t>(points.size());
    // The spool keeps batch payloads: the records lmaster reads back are decoded as such.
    auto frame = wire::encode_batch(wire::Batch{0, std::move(points)});
    auto payload = wire::frame_payload(frame);
    try {
        spool_.append(std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()), n);
        spooled_points_ += n;
        if (spool_.dropped_points() > reported_drops_) {
            reported_drops_ = spool_.dropped_points();
            drop_complaint_.complain(fmt::format("spool {} is full ({} MiB): dropped the oldest data, {} points so far",
                                                 spool_.dir(), settings_.max_bytes >> 20, reported_drops_));
        }
    } catch (const SpoolError& e) {
        // The disk is full or gone: hand the points on directly rather than lose them.
        spool_error_.complain(fmt::format("{}: sending without the spool", e.what()));
        inner_->offer(wire::decode_batch(payload).points);
    }
}

void SpoolingSink::schedule_pump() {
    timer_.expires_after(kPumpEvery);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        pump();
        schedule_pump();
    });
}

void SpoolingSink::pump() {
    SinkStats inner = inner_->stats();
    if (inner.connected && !was_connected_) {
        // (Re)connected: whatever is spooled now is backlog; what arrives from now on is live.
        backlog_ = spool_.committed();
        sent_.clear();
        handed_ = written_count(inner) + inner.points_queued;
        if (spool_.read(backlog_)) {
            live_start_ = live_ = spool_.end();
            log_info("Graphite is back: draining the spool ({} bytes) alongside live data", spool_.bytes());
        }
    }
    if (!inner.connected && was_connected_) {
        // What was written lately may have died in carbon's buffers: nothing after the last
        // commit counts as delivered; sending resumes from there on reconnection.
        sent_.clear();
        written_.clear();
    }
    was_connected_ = inner.connected;
    if (!inner.connected) return;
    account_written(false);
    while (inner_->stats().points_queued < settings_.low_watermark) {
        Region first = live_ && live_turn_ ? Region::Live : Region::Backlog;
        Region second = first == Region::Live ? Region::Backlog : Region::Live;
        live_turn_ = !live_turn_;
        if (!send_chunk(first) && !send_chunk(second)) break;
    }
}

bool SpoolingSink::send_chunk(Region region) {
    if (region == Region::Live && !live_) return false;
    SpoolPos& cursor = region == Region::Live ? *live_ : backlog_;
    std::size_t n = 0;
    while (n < settings_.chunk_points) {
        if (region == Region::Backlog && live_start_ && !(cursor < *live_start_)) break;
        std::optional<SpoolRecord> rec;
        try {
            rec = spool_.read(cursor);
        } catch (const SpoolError& e) {
            spool_error_.complain(e.what());
            break;
        }
        if (!rec) break;
        cursor = rec->next;
        try {
            Points pts = wire::decode_batch(std::span<const std::uint8_t>(
                                                reinterpret_cast<const std::uint8_t*>(rec->data.data()), rec->data.size()))
                             .points;
            n += pts.size();
            inner_->offer(std::move(pts));
        } catch (const wire::WireError& e) {
            spool_error_.complain(fmt::format("spool {}: unreadable record skipped: {}", spool_.dir(), e.what()));
        }
    }
    if (region == Region::Backlog && live_start_ && !(backlog_ < *live_start_)) {
        backlog_ = *live_;  // the backlog is drained: one region again
        live_start_.reset();
        live_.reset();
        log_info("spool drained");
    }
    if (n == 0) return false;
    handed_ += n;
    spooled_points_ -= std::min<std::uint64_t>(spooled_points_, n);
    sent_.push_back({handed_, region, region == Region::Live ? *live_ : backlog_});
    return true;
}

void SpoolingSink::account_written(bool final_pass) {
    std::uint64_t done = written_count(inner_->stats());
    auto now = std::chrono::steady_clock::now();
    while (!sent_.empty() && sent_.front().target <= done) {
        // Only the backlog region's position can be committed: the spool is one FIFO.
        if (sent_.front().region == Region::Backlog || !live_start_) written_.emplace_back(now, sent_.front().after);
        sent_.pop_front();
    }
    std::optional<SpoolPos> commit;
    while (!written_.empty() && (final_pass || now - written_.front().first >= settings_.replay_window)) {
        commit = written_.front().second;
        written_.pop_front();
    }
    if (!commit) return;
    try {
        spool_.commit(*commit);
    } catch (const SpoolError& e) {
        spool_error_.complain(e.what());
    }
}

SinkStats SpoolingSink::stats() const {
    SinkStats s = inner_->stats();
    s.points_in = points_in_;
    s.points_dropped += spool_.dropped_points();
    s.points_queued += spooled_points_;
    return s;
}

void SpoolingSink::stop(std::chrono::milliseconds grace, std::function<void()> done) {
    stopped_ = true;
    timer_.cancel();
    // What the inner sink cannot deliver stays in the spool for the next start.
    inner_->stop(grace, [this, done = std::move(done)]() {
        account_written(true);
        done();
    });
}

}  // namespace fructosa
