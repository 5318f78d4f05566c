#pragma once
/// The Graphite sink of one carbon receiver: a TCP client on lmaster's io_context.
///
/// Data flow: offer() appends to a bounded queue; while connected, up to
/// `points_per_write` points at a time are formatted (pickle or plaintext) and
/// written. Drop policy: when the queue holds `max_queued_points`, the OLDEST points
/// are dropped and counted (recent data matters most to a monitor). Points whose
/// write failed go back to the front of the queue (carbon overwrites a duplicate
/// timestamp, so a resend is harmless). Any error closes the connection; a
/// net::ReconnectingClient re-opens it after a backoff of 0.2 s doubling to 30 s,
/// back to 0.2 s once carbon takes a write or after a connection that lived longer
/// than the longest backoff; connect failures are logged rate-limited.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/logging.h"
#include "common/net/reconnecting_client.h"
#include "master/carbon_format.h"
#include "master/carbon_sink_settings.h"
#include "master/graphite_sink.h"

namespace fructosa {

class CarbonSink : public GraphiteSink {
public:
    CarbonSink(boost::asio::io_context& io, CarbonSinkSettings settings);
    CarbonSink(const CarbonSink&) = delete;
    CarbonSink& operator=(const CarbonSink&) = delete;

    /// Starts the first connection attempt.
    void start() override;
    void offer(Points&& points) override;
    SinkStats stats() const override;
    void on_written(std::function<void()> callback) override { on_written_ = std::move(callback); }
    /// Writes what is queued while connected, for at most `grace`; what is left is
    /// counted as dropped and logged. Without a connection it stops at once.
    void stop(std::chrono::milliseconds grace, std::function<void()> done) override;

    /// "host:port (protocol)", for messages.
    std::string destination() const;

private:
    void on_connected();
    void on_attempt_failed(const net::Endpoint& carbon, net::ReconnectingClient::Step step,
                           const boost::system::error_code& ec);
    void watch_for_close();
    void connection_lost(const std::string& why);
    void complain(const std::string& why);
    void write_next();
    void trim_queue();
    void finish_stop();

    boost::asio::io_context& io_;
    CarbonSinkSettings settings_;
    net::ReconnectingClient client_;
    boost::asio::steady_timer stop_timer_;

    std::deque<Point> queue_;
    std::vector<Point> in_flight_;  ///< points whose text is being written
    std::string out_;               ///< their formatted text
    bool writing_ = false;
    char probe_ = 0;                ///< target of the read that notices carbon closing

    std::chrono::steady_clock::time_point connected_at_{};
    Complaint complaint_;
    bool ever_connected_ = false;
    bool stopping_ = false;
    bool stopped_ = false;
    std::function<void()> on_stopped_;
    std::function<void()> on_written_;
    SinkStats stats_;
};

}  // namespace fructosa
