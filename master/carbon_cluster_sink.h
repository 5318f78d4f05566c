#pragma once
/// lmaster feeding a Graphite cluster directly: each point goes to the carbon-cache(s)
/// that carbon's consistent-hash ring picks for its full path (prefix included, as
/// graphite-web looks it up), `replication factor` of them. Each destination has its
/// own sink (its own spool and connection), so one carbon going away delays only its
/// share of the series; the others keep flowing.
///
/// The ring lookup costs an md5 per point; paths repeat every sample, so the last
/// answer for a path is kept in a bounded cache (cleared when it reaches its bound).

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "master/carbon_hash_ring.h"
#include "master/graphite_sink.h"

namespace fructosa {

class CarbonClusterSink : public GraphiteSink {
public:
    /// One member sink per ring destination, in the same order. `prefix` is what the
    /// members prepend (hashed with the path).
    CarbonClusterSink(CarbonHashRing ring, std::vector<std::unique_ptr<GraphiteSink>> members,
                      std::size_t replication_factor, std::string prefix, std::size_t cache_entries = 1u << 20);
    void start() override;
    void offer(Points&& points) override;
    /// Counters summed over the members; `connected` only while every member is.
    SinkStats stats() const override;
    void stop(std::chrono::milliseconds grace, std::function<void()> done) override;

    /// Each member's own counters, in ring order.
    std::vector<SinkStats> member_stats() const;
    /// The same named "server:port:instance" (lmaster publishes them per destination).
    std::vector<std::pair<std::string, SinkStats>> destination_stats() const override;
    const CarbonHashRing& ring() const { return ring_; }

private:
    const std::vector<std::size_t>& route(const std::string& path);

    CarbonHashRing ring_;
    std::vector<std::unique_ptr<GraphiteSink>> members_;
    std::size_t replication_factor_;
    std::string prefix_;
    std::size_t cache_entries_;
    std::unordered_map<std::string, std::vector<std::size_t>> cache_;
    std::vector<std::size_t> scratch_;
    std::string key_;
    std::vector<Points> buckets_;
    std::uint64_t points_in_ = 0;
};

}  // namespace fructosa
