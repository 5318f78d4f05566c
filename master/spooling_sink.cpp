#include "master/spooling_sink.h"

#include "common/wire.h"

#include <fstream>

namespace fructosa {

namespace {
constexpr std::chrono::milliseconds kPumpEvery{50};

/// The last figure of a /proc/sys/net/ipv4/tcp_[rw]mem file ("min default max"), or 0.
std::uint64_t sysctl_max(const char* path) {
    std::ifstream in(path);
    std::uint64_t min = 0, def = 0, max = 0;
    if (!(in >> min >> def >> max)) return 0;
    return max;
}

std::uint64_t written_count(const SinkStats& s) { return s.points_out + s.points_invalid; }
}  // namespace

SpoolingSink::SpoolingSink(boost::asio::io_context& io, std::unique_ptr<GraphiteSink> inner, SpoolSettings settings,
                           Clock clock)
    : io_(io),
      inner_(std::move(inner)),
      settings_(std::move(settings)),
      spool_(settings_.directory, settings_.max_bytes, 4u << 20, clock),
      timer_(io),
      clock_(std::move(clock)) {
    if (settings_.replay_max_bytes == 0) settings_.replay_max_bytes = replay_bytes_default();
    backlog_ = spool_.committed();
    if (spool_.read(backlog_))
        log_info("spool {}: {} bytes not yet in Graphite from before the restart: they go first", spool_.dir(),
                 spool_.bytes());
}

std::uint64_t SpoolingSink::replay_bytes_default() {
    std::uint64_t w = sysctl_max("/proc/sys/net/ipv4/tcp_wmem");
    std::uint64_t r = sysctl_max("/proc/sys/net/ipv4/tcp_rmem");
    if (w == 0 || r == 0) return (4ull + 6ull) << 20;
    return w + r;
}

void SpoolingSink::start() {
    // The inner sink asks for more as it writes: the spool drains at the rate carbon
    // takes; the timer only notices losses and reconnections.
    inner_->on_written([this]() {
        if (inner_->stats().points_queued < settings_.low_watermark) request_pump();
    });
    inner_->start();
    schedule_pump();
}

void SpoolingSink::request_pump() {
    if (pump_requested_ || stopped_) return;
    pump_requested_ = true;
    boost::asio::post(io_, [this]() {
        pump_requested_ = false;
        if (!stopped_) pump();
    });
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
        if (was_connected_ && inner_->stats().points_queued < settings_.low_watermark) request_pump();
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
    // A loss is seen by the counter too, in case the sink reconnected between two turns.
    if ((was_connected_ && !inner.connected) || inner.connections_lost != seen_losses_) on_loss();
    seen_losses_ = inner.connections_lost;
    if (inner.connected && !was_connected_) on_reconnect(inner);
    was_connected_ = inner.connected;
    if (!inner.connected) return;
    account_written(false);
    while (inner_->stats().points_queued < settings_.low_watermark) {
        if (send_replay()) continue;
        Region first = live_ && live_turn_ ? Region::Live : Region::Backlog;
        Region second = first == Region::Live ? Region::Backlog : Region::Live;
        live_turn_ = !live_turn_;
        if (!send_chunk(first) && !send_chunk(second)) break;
    }
}

void SpoolingSink::on_loss() {
    // What was written lately may have died in carbon's buffers: those chunks, and only
    // those, are sent again. Chunks not yet written are still queued in the inner sink.
    account_written(false);
    auto since = clock_() - settings_.replay_window;
    // Newest first (chunks are written in order): within the window and the byte bound.
    std::size_t first = chunks_.size();
    std::uint64_t bytes = 0;
    for (std::size_t i = chunks_.size(); i-- > 0;) {
        const Chunk& c = chunks_[i];
        if (!c.written_at) continue;
        if (*c.written_at < since || bytes + c.bytes > settings_.replay_max_bytes) break;
        bytes += c.bytes;
        first = i;
    }
    // Written chunks leave the list: sent again (oldest first), or beyond what can be lost.
    std::deque<Chunk> kept;
    for (std::size_t i = 0; i < chunks_.size(); ++i) {
        const Chunk& c = chunks_[i];
        if (!c.written_at) kept.push_back(c);
        else if (i >= first) replay_.emplace_back(c.start, c.after);
    }
    chunks_ = std::move(kept);
}

void SpoolingSink::on_reconnect(const SinkStats& inner) {
    // The inner sink may have lost points of its own (its bound): re-base the targets of
    // the chunks still pending on what it holds now, so none waits forever.
    std::uint64_t holds = written_count(inner) + inner.points_queued;
    if (handed_ > holds) {
        std::uint64_t lost = handed_ - holds;
        for (auto& c : chunks_)
            if (!c.written_at) c.target -= std::min(c.target, lost);
        handed_ = holds;
    }
    // Whatever is spooled beyond the cursor now is backlog; what arrives from now on is live.
    if (!live_ && spool_.read(backlog_)) {
        live_start_ = live_ = spool_.end();
        log_info("Graphite is back: draining the spool ({} bytes) alongside live data", spool_.bytes());
    }
}

std::size_t SpoolingSink::hand_on(const SpoolRecord& rec) {
    try {
        Points pts = wire::decode_batch(std::span<const std::uint8_t>(
                                            reinterpret_cast<const std::uint8_t*>(rec.data.data()), rec.data.size()))
                         .points;
        std::size_t n = pts.size();
        inner_->offer(std::move(pts));
        return n;
    } catch (const wire::WireError& e) {
        spool_error_.complain(fmt::format("spool {}: unreadable record skipped: {}", spool_.dir(), e.what()));
        return 0;
    }
}

std::optional<SpoolRecord> SpoolingSink::read_record(SpoolPos at) {
    try {
        return spool_.read(at);
    } catch (const SpoolError& e) {
        spool_error_.complain(e.what());  // the chunk ends here; the next one tries again
        return std::nullopt;
    }
}

bool SpoolingSink::send_replay() {
    if (replay_.empty()) return false;
    auto [from, to] = replay_.front();
    replay_.pop_front();
    std::size_t n = 0;
    std::uint64_t bytes = 0;
    SpoolPos cursor = from;
    while (cursor < to) {
        std::optional<SpoolRecord> rec = read_record(cursor);
        if (!rec || !(rec->pos < to)) break;
        cursor = rec->next;
        n += hand_on(*rec);
        bytes += rec->data.size();
    }
    if (n == 0) return true;  // nothing left of it (dropped by the bound): go on
    handed_ += n;
    chunks_.push_back({handed_, Region::Replay, from, to, std::nullopt, bytes});
    return true;
}

bool SpoolingSink::send_chunk(Region region) {
    if (region == Region::Live && !live_) return false;
    SpoolPos& cursor = region == Region::Live ? *live_ : backlog_;
    SpoolPos from = cursor;
    std::size_t n = 0;
    std::uint64_t bytes = 0;
    while (n < settings_.chunk_points) {
        if (region == Region::Backlog && live_start_ && !(cursor < *live_start_)) break;
        std::optional<SpoolRecord> rec = read_record(cursor);
        if (!rec) break;
        if (n == 0) from = rec->pos;
        cursor = rec->next;
        n += hand_on(*rec);
        bytes += rec->data.size();
    }
    SpoolPos after = cursor;
    if (region == Region::Backlog && live_start_ && !(backlog_ < *live_start_)) {
        backlog_ = *live_;  // the backlog is drained: one region again
        live_start_.reset();
        live_.reset();
        for (auto& c : chunks_)
            if (c.region == Region::Live) c.region = Region::Backlog;
        log_info("spool drained");
    }
    if (n == 0) return false;
    handed_ += n;
    spooled_points_ -= std::min<std::uint64_t>(spooled_points_, n);
    chunks_.push_back({handed_, region, from, after, std::nullopt, bytes});
    return true;
}

void SpoolingSink::account_written(bool final_pass) {
    std::uint64_t done = written_count(inner_->stats());
    auto now = clock_();
    std::optional<SpoolPos> commit;
    for (auto& c : chunks_) {
        if (c.written_at) continue;
        if (c.target > done) break;  // the inner sink writes in the order it was given
        c.written_at = now;
    }
    // Written chunks commit at once (after a crash the kernel still delivers what was
    // written); only the backlog region's positions can be committed: the spool is one FIFO.
    for (const auto& c : chunks_) {
        if (!c.written_at) break;
        if (c.region == Region::Backlog || (c.region == Region::Live && !live_start_)) commit = c.after;
    }
    // Written chunks are kept for the replay window, in case the connection is lost.
    while (!chunks_.empty() && chunks_.front().written_at &&
           (final_pass || now - *chunks_.front().written_at >= settings_.replay_window))
        chunks_.pop_front();
    if (!commit) return;
    SpoolPos keep = *commit;
    for (const auto& c : chunks_) keep = std::min(keep, c.start);
    for (const auto& r : replay_) keep = std::min(keep, r.first);
    try {
        spool_.commit(*commit, keep);
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
