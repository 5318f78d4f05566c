#pragma once
/// Ships metric points and job events from lagent to lmaster: batches over one TCP
/// connection, kept until lmaster acknowledges them, replayed in order after a reconnect.
///
/// With a spool directory, every batch is also written to a DiskSpool and the spool is
/// committed as lmaster acknowledges: a restarted lagent replays what was never
/// acknowledged. Memory holds the frames of at most `max_queued_points` points; the rest
/// wait on disk and are read back when their turn comes.
///
/// Drop policy: without a spool the queue holds at most `max_queued_points` points; with
/// one, at most `spool max mb` on disk. Beyond that the OLDEST metric batches are dropped
/// and counted (job events are never dropped for metrics; the spool counts what it drops).
/// Duplicates: a batch sent but not yet acknowledged when a connection breaks (or lagent
/// restarts) is sent again, so lmaster may see it twice (bounded by the batches in flight).

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio.hpp>

#include "common/disk_spool.h"
#include "common/logging.h"
#include "common/metric.h"
#include "common/wire.h"

namespace fructosa {

struct ShipperConfig {
    /// lmasters in order of preference: after a failed connection the next is tried;
    /// after a lost one, the first again. A whole round failing backs off.
    std::vector<std::pair<std::string, int>> masters{{"localhost", 7888}};
    std::string agent_host;  ///< the name the agent reports in its hello
    double batch_interval_s = 1;
    std::size_t max_queued_points = 200000;
    std::size_t max_batch_points = 5000;
    /// Called at every connection for the hello's auth method and a fresh credential
    /// (a MUNGE credential is single-use). Unset: "none".
    std::function<std::pair<std::string, std::string>()> credential;
    std::string spool_dir;  ///< empty: memory only
    std::uint64_t spool_max_bytes = 256ull << 20;
};

struct ShipperStats {
    std::uint64_t points_queued = 0;   ///< held, not yet acknowledged
    std::uint64_t points_sent = 0;     ///< acknowledged by lmaster
    std::uint64_t points_dropped = 0;  ///< dropped because the queue was full
    std::uint64_t events_sent = 0;
    std::uint64_t reconnects = 0;
    bool connected = false;
};

class Shipper {
public:
    Shipper(boost::asio::io_context& io, ShipperConfig config);
    ~Shipper();
    Shipper(const Shipper&) = delete;
    Shipper& operator=(const Shipper&) = delete;

    void start();
    /// Closes the connection; what is unacknowledged is lost with the process
    /// (spooling to disk comes with the "nothing lost" work).
    void stop();
    /// Queues points for the next batch.
    void add(Points points);
    /// Queues a job event (JSON); sent in order with the metric batches.
    void add_job_event(std::string json);
    /// Sends what is pending now instead of at the next batch interval.
    void flush();
    ShipperStats stats() const;

private:
    struct Outgoing {
        std::uint64_t seq = 0;
        bool is_event = false;
        std::size_t points = 0;
        std::vector<std::uint8_t> frame;  ///< empty while it waits on disk only
        SpoolPos pos, next;               ///< where it is in the spool
    };
    void load_spool();
    void evict_from_memory();
    void drop_spooled_away();

    void schedule_flush();
    void enqueue(Outgoing out);
    void connect();
    void on_connected();
    void write_next();
    void read_loop();
    void on_frame(const wire::Frame& frame);
    void disconnect(const std::string& why);
    void schedule_reconnect();
    void try_next_master();
    const std::string& host() const { return config_.masters[master_].first; }
    int port() const { return config_.masters[master_].second; }

    boost::asio::io_context& io_;
    ShipperConfig config_;
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer flush_timer_;
    boost::asio::steady_timer reconnect_timer_;
    boost::asio::steady_timer connect_deadline_;
    Points pending_;
    std::deque<Outgoing> queue_;  ///< in sequence order; [0, sent_) written on this connection
    std::size_t sent_ = 0;
    std::size_t queued_points_ = 0;
    std::size_t memory_points_ = 0;  ///< points whose frames are held in memory
    std::unique_ptr<DiskSpool> spool_;
    std::uint64_t next_seq_ = 1;
    std::vector<std::uint8_t> hello_;
    bool connected_ = false;
    std::size_t master_ = 0;
    bool accepted_ = false;  ///< lmaster acknowledged something on this connection  ///< index into config_.masters being tried or used
    std::uint64_t generation_ = 0;  ///< which connection an asio handler belongs to
    bool connecting_ = false;
    bool writing_ = false;
    bool stopped_ = false;
    std::chrono::milliseconds backoff_{200};
    std::array<std::uint8_t, 4096> read_buf_{};
    wire::FrameDecoder decoder_;
    ShipperStats stats_;
    Complaint connect_complaint_;
    Complaint drop_complaint_;
    /// Guards callbacks that outlive the object (asio handlers hold a copy).
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace fructosa
