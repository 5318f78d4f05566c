#pragma once
/// Ships metric points and job events from lagent to lmaster: batches over one TCP
/// connection, kept until lmaster acknowledges them, replayed in order after a reconnect.
///
/// The parts: a SendQueue holds the frames until acknowledged (spooled to disk when a
/// spool directory is set, with its drop policy); a net::ReconnectingClient keeps the
/// connection (failover through the lmasters in order, backoff); the Shipper speaks the
/// protocol over it: a Hello with a fresh credential at every connection, then the
/// frames in order, and the Acks that release them. The backoff starts again from its
/// shortest only once lmaster acknowledges something (a connection lmaster then refuses
/// does not count).

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "collector/send_queue.h"
#include "collector/shipper_config.h"
#include "common/logging.h"
#include "common/metric.h"
#include "common/net/reconnecting_client.h"
#include "common/wire.h"

namespace fructosa {

struct ShipperStats {
    std::uint64_t points_queued = 0;   ///< held, not yet acknowledged
    std::uint64_t points_sent = 0;     ///< acknowledged by lmaster
    std::uint64_t points_dropped = 0;  ///< dropped because the queue (memory or spool) was full
    std::uint64_t events_sent = 0;
    std::uint64_t events_dropped = 0;  ///< job events dropped with the spool's oldest segment
    std::uint64_t reconnects = 0;
    bool connected = false;
};

class Shipper {
public:
    Shipper(boost::asio::io_context& io, ShipperConfig config);
    ~Shipper();
    Shipper(const Shipper&) = delete;
    Shipper& operator=(const Shipper&) = delete;

    /// Queues what the spool kept from before a restart, starts connecting and batching.
    void start();
    /// Closes the connection; what is unacknowledged stays in the spool (if any).
    void stop();
    /// Queues points for the next batch. Batches leave at most every batch interval: points
    /// that come when a batch is due (within a tenth of the interval, so the host sampler's
    /// pass on the same 1 s grid counts) are sent at once, in the wakeup that sampled them;
    /// earlier ones wait on a timer for the due time. The timer is armed only while points
    /// wait: an idle lagent has no wakeup of the shipper's own.
    void add(Points points);
    /// Queues a job event (JSON); sent in order with the metric batches.
    void add_job_event(std::string json);
    /// Sends what is pending now instead of at the next batch interval.
    void flush();
    /// Reads the Acks that came since the last batch first (they do not wake lagent).
    ShipperStats stats();
    /// A new lmaster list (SIGHUP): kept connected when the lmaster in use is still
    /// listed, else reconnected to the new list's first (unacknowledged data is sent again).
    void set_masters(std::vector<std::pair<std::string, int>> masters);

private:
    /// Flushes when the next batch is due (now or within the slack), else arms the timer.
    void flush_when_due();
    void flush_now(std::chrono::steady_clock::time_point now);
    void on_connected();
    void on_attempt_failed(const net::Endpoint& master, net::ReconnectingClient::Step step,
                           const boost::system::error_code& ec);
    void write_next();
    void wait_for_acks();
    /// Reads what lmaster sent, without waiting; handles each whole frame.
    void read_acks();
    void on_frame(const wire::Frame& frame);
    void disconnect(const std::string& why);

    ShipperConfig config_;
    net::ReconnectingClient client_;
    boost::asio::steady_timer flush_timer_;
    bool flush_armed_ = false;
    bool running_ = false;  ///< between start() and stop()
    std::chrono::steady_clock::time_point next_batch_{};  ///< when the next batch may leave
    Points pending_;
    SendQueue queue_;
    std::vector<std::uint8_t> hello_;
    bool accepted_ = false;  ///< lmaster acknowledged something on this connection
    bool stopped_ = false;
    std::array<std::uint8_t, 4096> read_buf_{};
    wire::FrameDecoder decoder_;
    std::uint64_t reconnects_ = 0;
    Complaint connect_complaint_;
    /// Guards callbacks that outlive the object (asio handlers hold a copy).
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace fructosa
