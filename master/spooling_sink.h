#pragma once
/// Puts a disk spool in front of a Graphite sink, so that what lmaster acknowledges to
/// an agent is on disk first: a kill -9 of lmaster, or Graphite away for hours, loses
/// nothing (up to the spool's bound, beyond which the oldest data is dropped and counted).
///
/// offer() appends to the spool; a pump feeds the inner sink from it while the inner sink
/// is connected and its queue is short, so lmaster's memory stays small whatever the
/// backlog. After Graphite comes back, the backlog and the data arriving meanwhile are
/// sent in turns, chunk by chunk: draining never starves live data. A spool position is
/// committed once the inner sink has written its points and a replay window has passed;
/// after a lost connection, sending resumes from the last committed position, so points
/// carbon may have lost in its socket buffer are sent again (bounded duplicates: carbon
/// overwrites a point with the same timestamp, so they are harmless).

#include <chrono>
#include <deque>
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
    /// Opens the spool (throws SpoolError naming the directory).
    SpoolingSink(boost::asio::io_context& io, std::unique_ptr<GraphiteSink> inner, SpoolSettings settings);
    void start() override;
    void offer(Points&& points) override;
    SinkStats stats() const override;
    void stop(std::chrono::milliseconds grace, std::function<void()> done) override;

private:
    enum class Region { Backlog, Live };
    struct Sent {
        std::uint64_t target;  ///< inner points_out+invalid count at which this chunk is written
        Region region;
        SpoolPos after;
    };
    void schedule_pump();
    void pump();
    void account_written(bool final_pass);
    bool send_chunk(Region region);

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
    std::uint64_t handed_ = 0;         ///< points given to the inner sink
    std::deque<Sent> sent_;
    std::deque<std::pair<std::chrono::steady_clock::time_point, SpoolPos>> written_;
    std::uint64_t points_in_ = 0;
    std::uint64_t spooled_points_ = 0;  ///< appended and not yet handed on
    Complaint spool_error_;
    Complaint drop_complaint_;          ///< logs drops at most once a minute
    std::uint64_t reported_drops_ = 0;
};

}  // namespace fructosa
