#pragma once
/// Where lmaster's points go. One small interface, so that a single carbon
/// connection today and a consistent-hash ring or a relay tier later can sit
/// behind the same agent server.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/metric.h"

namespace fructosa {

/// Counters every sink keeps; lmaster publishes them as its own metrics.
struct SinkStats {
    std::uint64_t points_in = 0;       ///< offered to the sink
    std::uint64_t points_out = 0;      ///< handed to the destination (written to its socket)
    std::uint64_t points_dropped = 0;  ///< thrown away: queue full (oldest first), shutdown, or send = no
    std::uint64_t points_invalid = 0;  ///< refused by the formatter (NaN/inf, bad path or timestamp)
    std::uint64_t points_queued = 0;   ///< waiting now
    bool connected = false;            ///< a connection to the destination is up
    std::uint64_t connections_lost = 0;  ///< connections that broke (a polling owner sees every one)
};

/// A destination of points. All calls happen on the owner's io_context thread.
class GraphiteSink {
public:
    virtual ~GraphiteSink() = default;
    /// Starts connecting (if the sink connects at all).
    virtual void start() {}
    /// Takes `points`; never blocks and never fails: overload is counted, not thrown.
    virtual void offer(Points&& points) = 0;
    virtual SinkStats stats() const = 0;
    /// For a sink with several destinations (a Graphite cluster): each one's name and
    /// counters, so that one carbon falling behind shows; empty for a single destination.
    virtual std::vector<std::pair<std::string, SinkStats>> destination_stats() const { return {}; }
    /// Asks to be called (on the io_context thread) each time the sink has written
    /// something and so has room again: an owner feeding it from a spool tops it up
    /// at the pace the destination takes, not on a timer. Sinks without a socket never call.
    virtual void on_written(std::function<void()> callback) { (void)callback; }
    /// Delivers what it can within `grace`, then closes and calls `done` exactly once.
    virtual void stop(std::chrono::milliseconds grace, std::function<void()> done) = 0;
};

}  // namespace fructosa
