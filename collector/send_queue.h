#pragma once
/// The frames lagent owes lmaster (metric batches and job events), in sequence order,
/// kept until lmaster acknowledges them; the Shipper writes them over its connection.
///
/// With a spool directory, every frame is also appended to a DiskSpool, committed as
/// lmaster acknowledges: a restarted lagent replays what was never acknowledged.
/// Memory holds the frames of at most `max_points` points; the newer ones wait on disk
/// and are read back when their turn comes.
///
/// Drop policy: without a spool the queue holds at most `max_points` points; with one,
/// at most the spool's bound on disk. Beyond that the OLDEST metric batches are dropped
/// and counted (job events are never dropped for metrics; a frame on the wire never).
/// When the spool cannot be written (disk full), what it could not take stays in memory
/// under the same `max_points` bound, oldest dropped first. The spool dropping its oldest
/// segment drops the job events in it too: those are counted as events, apart from the
/// points. Every drop is logged (rate-limited); once lmaster acknowledges again and the
/// queue is back under its bound, one line says how many were dropped in all.
/// After a lost connection, rewind() makes every unacknowledged frame go out again, so
/// lmaster may see a frame twice (bounded by the frames in flight).

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/disk_spool.h"
#include "common/logging.h"

namespace fructosa {

class SendQueue {
public:
    /// Opens the spool in `spool_dir` (empty: memory only); a spool that cannot be
    /// opened is logged and the queue lives in memory. (`spool_segment_bytes`: tests.)
    SendQueue(std::size_t max_points, const std::string& spool_dir, std::uint64_t spool_max_bytes,
              std::uint64_t spool_segment_bytes = 4u << 20);

    /// The sequence number of the next frame to push.
    std::uint64_t take_seq() { return next_seq_++; }
    /// Appends an encoded frame (`points` points; a job event has none), then applies
    /// the drop policy.
    void push(std::uint64_t seq, bool is_event, std::size_t points, std::vector<std::uint8_t> frame);
    /// Queues what the spool holds from before a restart (only while the queue is empty).
    void load_spool();

    /// The bytes of the frame at the write position, read back from the spool when it
    /// waits there (one the spool lost meanwhile is counted as dropped and skipped);
    /// empty when every frame is written, or when the spool cannot be read right now. The bytes stay where they are while the frame
    /// is on the wire (the queue moves its entries, never their bytes).
    std::span<const std::uint8_t> next_frame();
    /// A write is on the wire (the hello, or the frame at the write position): that
    /// frame is not dropped meanwhile. The owner writes one thing at a time.
    void set_writing(bool on) { writing_ = on; }
    bool writing() const { return writing_; }
    /// The frame at the write position is written; the next one comes.
    void advance() { ++sent_; }
    /// lmaster holds every frame up to `seq`: they leave the queue (and the spool).
    void acknowledge(std::uint64_t seq);
    /// The connection is gone: every unacknowledged frame is written again on the next.
    void rewind();

    std::size_t frames() const { return queue_.size(); }
    std::uint64_t points_queued() const { return queued_points_; }  ///< held, not yet acknowledged
    std::uint64_t points_sent() const { return points_sent_; }      ///< acknowledged
    std::uint64_t points_dropped() const { return points_dropped_; }
    std::uint64_t events_dropped() const { return events_dropped_; }  ///< job events lost with the spool's oldest
    std::uint64_t events_sent() const { return events_sent_; }

private:
    struct Outgoing {
        std::uint64_t seq = 0;
        bool is_event = false;
        std::size_t points = 0;
        std::vector<std::uint8_t> frame;  ///< empty while it waits on disk only
        SpoolPos pos, next;               ///< where it is in the spool
    };
    void drop_oldest_in_memory();
    void count_dropped(const Outgoing& out);
    void complain_dropped(const std::string& why);
    void drop_spooled_away();
    void evict_from_memory();

    std::size_t max_points_;
    std::unique_ptr<DiskSpool> spool_;
    std::deque<Outgoing> queue_;  ///< in sequence order; [0, sent_) written on this connection
    std::size_t sent_ = 0;
    bool writing_ = false;
    std::uint64_t next_seq_ = 1;
    std::size_t queued_points_ = 0;
    std::size_t memory_points_ = 0;  ///< points whose frames are held in memory
    std::uint64_t points_sent_ = 0;
    std::uint64_t points_dropped_ = 0;
    std::uint64_t events_sent_ = 0;
    std::uint64_t events_dropped_ = 0;
    Complaint drop_complaint_;   ///< frames dropped
    Complaint spool_complaint_;  ///< the spool cannot be written or read
};

}  // namespace fructosa
