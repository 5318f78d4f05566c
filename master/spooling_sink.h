#pragma once
/// Puts a disk spool in front of a Graphite sink, so that what lmaster acknowledges to
/// an agent is on disk first: a kill -9 of lmaster, or Graphite away for hours, loses
/// nothing (up to the spool's bound, beyond which the oldest data is dropped and counted).
///
/// offer() appends to the spool; a pump feeds the inner sink from it while the inner sink
/// is connected and its queue is short, so lmaster's memory stays small whatever the
/// backlog. After Graphite comes back, the backlog and the data arriving meanwhile are
/// sent in turns, chunk by chunk: draining never starves live data.
///
/// Duplicates, bounded and explicit (carbon overwrites a point with the same timestamp,
/// so they are harmless in whisper):
/// - A spool position is committed as soon as the inner sink has written the chunk
///   before it to carbon's socket (the kernel still delivers that if lmaster dies), and
///   the commit file is written at most every DiskSpool::kCommitEvery (1 s): a killed
///   lmaster sends at most the last second written again.
/// - Carbon acknowledges nothing, so after a lost connection the chunks written within
///   `replay_window` (2 s) before the loss are sent again, and of those only the newest
///   `replay_max_bytes` (what the two kernels' socket buffers could hold unacknowledged:
///   at a million points a second 2 s were about 80 MiB, most of it long in carbon);
///   chunks handed on but not yet written stay queued in the inner sink (it requeues a
///   failed write) and are not sent twice.

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>


#include <boost/asio.hpp>

#include "common/disk_spool.h"
#include "common/logging.h"
#include "master/graphite_sink.h"
#include "master/spooling_sink_settings.h"

namespace fructosa {

class SpoolingSink : public GraphiteSink {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    /// Opens the spool (throws SpoolError naming the directory). `clock` measures the
    /// replay window and paces the commit file (tests pass their own).
    SpoolingSink(boost::asio::io_context& io, std::unique_ptr<GraphiteSink> inner, SpoolSettings settings,
                 Clock clock = std::chrono::steady_clock::now);
    void start() override;
    void offer(Points&& points) override;
    SinkStats stats() const override;
    void stop(std::chrono::milliseconds grace, std::function<void()> done) override;

private:
    /// Replay: records sent again after a lost connection (never committed from).
    enum class Region { Backlog, Live, Replay };
    /// Points handed to the inner sink in one go: records [start, after) of one region.
    struct Chunk {
        std::uint64_t target;  ///< inner points_out+invalid count at which it is written
        Region region;
        SpoolPos start, after;
        std::optional<std::chrono::steady_clock::time_point> written_at;
        std::uint64_t bytes = 0;  ///< of spool records
    };
    void schedule_pump();
    /// Runs pump() soon, once, however often it is asked before it runs.
    void request_pump();
    void pump();
    void on_loss();
    void on_reconnect(const SinkStats& inner);
    void account_written(bool final_pass);
    bool send_chunk(Region region);
    bool send_replay();
    /// The spool's record at `at`, or nullopt at its end or on a read error (logged).
    std::optional<SpoolRecord> read_record(SpoolPos at);
    std::size_t hand_on(const SpoolRecord& rec);

public:
    /// The replay bound when `replay_max_bytes` is 0: tcp_wmem's max plus tcp_rmem's max
    /// from /proc/sys/net/ipv4 (10 MiB when they cannot be read: Linux's defaults).
    static std::uint64_t replay_bytes_default();

private:

    boost::asio::io_context& io_;
    std::unique_ptr<GraphiteSink> inner_;
    SpoolSettings settings_;
    DiskSpool spool_;
    boost::asio::steady_timer timer_;
    SpoolPos backlog_;                 ///< next record of the backlog (or of everything)
    std::optional<SpoolPos> live_start_, live_;  ///< while a backlog drains: the live region
    bool live_turn_ = false;
    bool was_connected_ = false;
    bool stopped_ = false;
    bool pump_requested_ = false;
    std::uint64_t seen_losses_ = 0;    ///< the inner sink's connections_lost last seen
    std::uint64_t handed_ = 0;         ///< points given to the inner sink
    /// Handed on, oldest first: until written and then for the replay window.
    std::deque<Chunk> chunks_;
    /// To send again first on reconnection: [start, after) ranges written just before a loss.
    std::deque<std::pair<SpoolPos, SpoolPos>> replay_;
    Clock clock_;
    std::uint64_t points_in_ = 0;
    std::uint64_t spooled_points_ = 0;  ///< appended and not yet handed on
    Complaint spool_error_;
    Complaint drop_complaint_;          ///< logs drops at most once a minute
    std::uint64_t reported_drops_ = 0;
};

}  // namespace fructosa
