#pragma once
/// Cluster figures computed on the way in, so that a cluster dashboard reads a few dozen
/// series instead of every node's (at 10,000 nodes of 64 CPUs, `*.CPUPercent.*` alone is
/// 640,000 series, which graphite-web cannot answer in time).
///
/// lmaster hands every accepted batch to observe() and every job event to on_job_event();
/// report() closes the interval and returns the points to publish:
///
///   <host>.node.cpu_percent_mean          the node's mean CPUPercent over its CPUs and the
///                                         interval's samples (only when it sent some)
///   fructosa.cluster.<lmaster>.<figure>   this lmaster's share of the cluster:
///     nodes_reporting, nodes_silent       nodes with a point within the reporting window;
///                                         followed nodes without one
///     <f>_sum, <f>_count                  for each node figure f (kNodeFigures): the sum of
///                                         the reporting nodes' latest values and how many
///                                         nodes have one (the sum only when count > 0)
///     cpu_percent_nodes.<ub>,             how many reporting nodes have their latest mean in
///     memory_percent_nodes.<ub>           (ub-10, ub] % (0 counts in 10): a bounded heat map
///     jobs_running, job_nodes             distinct jobs, and (job, node) pairs, with job
///                                         series within the reporting window and no job_end
///                                         before this interval
///     lagents.<name>                      sum over reporting nodes of lagent's latest
///                                         points_dropped, points_queued, reconnects, sensor_errors
///     partition.<p>.{nodes_reporting, cpu_percent_sum, cpu_percent_count,
///       memory_percent_sum, memory_percent_count, jobs_running}
///     nodes_tracked, points_over_max_nodes, the aggregator's own state and losses: nodes
///     nodes_expired, job_nodes_refused,   followed; points of nodes beyond `max nodes`;
///     points_late, partitions_refused     nodes forgotten; job points beyond kMaxJobsPerNode
///                                         on a node; points older than the reporting window
///                                         (spool replays); partitions beyond kMaxPartitions
///                                         (the last report's)
///
/// Sums and counts, never means: with several lmasters each sees only its agents, and
/// sumSeries(*.x_sum) / sumSeries(*.x_count) over the lmasters is the cluster's mean.
/// jobs_running is the one figure that does not add up: a job whose nodes report to k
/// lmasters counts k times in the sum (job_nodes does add up).
///
/// A node's partition is that of the last job event naming one from that node (Slurm lets
/// a node be in several partitions: it is counted in the one it last ran a job in); a node
/// without any job event since lmaster started is in no partition and counts only in the
/// cluster figures. A job's partition comes from its own events.
///
/// Memory is bounded: per node O(1) (a fixed set of figures plus at most kMaxJobsPerNode
/// jobs), at most `max nodes` nodes (the points of further nodes: points_over_max_nodes), nodes
/// silent for `forget after` seconds are dropped (nodes_expired), at most kMaxPartitions
/// partitions published. Time is passed in (epoch seconds), so tests need no clock.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/metric.h"
#include "master/aggregate_settings.h"

namespace fructosa {

/// How a node figure is read from the host's series.
enum class FigureKind {
    Mean,  ///< mean of the interval's points
    Rate,  ///< mean per-second increase of a cumulative counter over the interval
};

/// One per-node figure: which host series feed it. `field` is exact, "*" (any one
/// component) or "*.<suffix>" (any one component, then the suffix).
struct NodeFigure {
    std::string_view name;
    std::string_view sensor;
    std::string_view field;
    FigureKind kind;
};

inline constexpr std::array<NodeFigure, 8> kNodeFigures{{
    {"cpu_percent", "CPUPercent", "*", FigureKind::Mean},
    {"memory_percent", "VirtualMemory", "percent", FigureKind::Mean},
    {"iowait_percent", "CPUTimesPercent", "iowait", FigureKind::Mean},
    {"swap_percent", "SwapMemory", "percent", FigureKind::Mean},
    {"disk_percent", "DiskUsage", "percent", FigureKind::Mean},
    {"gpu_util_percent", "GPU", "*.util_percent", FigureKind::Mean},
    {"net_recv_bytes_per_s", "NetIOCounters", "bytes_recv", FigureKind::Rate},
    {"net_sent_bytes_per_s", "NetIOCounters", "bytes_sent", FigureKind::Rate},
}};
inline constexpr std::size_t kCpuFigure = 0;
inline constexpr std::size_t kMemoryFigure = 1;

/// lagent's own series summed over the nodes (`lagents.<name>`).
inline constexpr std::array<std::string_view, 4> kLagentFigures{"points_dropped", "points_queued", "reconnects",
                                                                "sensor_errors"};

struct AggregatorStats {
    std::uint64_t nodes_tracked = 0;      ///< nodes followed now
    std::uint64_t points_over_max_nodes = 0;  ///< points of nodes beyond `max nodes`: not aggregated (cumulative)
    std::uint64_t nodes_expired = 0;      ///< nodes dropped after `forget after` (cumulative)
    std::uint64_t job_nodes_refused = 0;  ///< job points beyond kMaxJobsPerNode on a node (cumulative)
    std::uint64_t points_late = 0;        ///< points older than the reporting window (replays): ignored
    std::uint64_t partitions_refused = 0; ///< partitions beyond kMaxPartitions in the last report
};

class ClusterAggregator {
public:
    static constexpr std::size_t kMaxJobsPerNode = 64;
    static constexpr std::size_t kMaxPartitions = 256;

    /// `lmaster`: this lmaster's short host name, path-safe (the `<lmaster>` level).
    ClusterAggregator(AggregateSettings settings, std::string lmaster);

    /// Points an agent sent (lmaster's own, and anything not from an agent's trees, are ignored).
    void observe(const Points& points, double now);
    /// A job event (its JSON text) from agent `host`: partitions, and a node's job_end.
    void on_job_event(std::string_view host, const std::string& json_text, double now);
    /// Closes the interval: the points to publish, stamped `now` rounded down to a
    /// multiple of the interval (the same slot for every lmaster).
    Points report(double now);

    const AggregatorStats& stats() const { return stats_; }
    const AggregateSettings& settings() const { return settings_; }

private:
    struct Accumulator {
        double sum = 0;
        std::uint64_t count = 0;
    };
    struct Latest {
        double value = 0;
        double time = -1;  ///< < 0: never measured
    };
    struct JobOnNode {
        std::uint64_t job = 0;
        double last_seen = 0;
        bool ended = false;  ///< job_end came: counted in this interval's report, then dropped
    };
    struct Node {
        double last_seen = 0;
        std::array<Accumulator, kNodeFigures.size()> interval{};
        std::array<Latest, kNodeFigures.size()> latest{};
        /// Rate figures: the counter's previous value and timestamp.
        std::array<std::optional<std::pair<double, double>>, kNodeFigures.size()> previous{};
        std::array<Latest, kLagentFigures.size()> lagent{};
        std::vector<JobOnNode> jobs;  ///< at most kMaxJobsPerNode
        std::string partition;        ///< "" unknown
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };

    Node* node(std::string_view host, double now);
    void observe_host_point(Node& n, std::string_view rest, const Point& p);
    void observe_job_point(Node& n, std::string_view job, double now);

    AggregateSettings settings_;
    std::string base_;  ///< fructosa.cluster.<lmaster>
    std::unordered_map<std::string, Node, Hash, std::equal_to<>> nodes_;
    struct JobPartition {
        std::string partition;
        double time = 0;  ///< of the last event naming it
    };
    /// Partition of each job with a job event naming one (at most `max nodes` jobs);
    /// dropped once no node runs the job and its last event is older than the window.
    std::unordered_map<std::uint64_t, JobPartition> job_partitions_;
    AggregatorStats stats_;
};

}  // namespace fructosa
