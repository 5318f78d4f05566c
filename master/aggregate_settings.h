#pragma once
/// `[aggregates]` of lmaster.conf: the cluster figures lmaster computes from the points
/// it forwards (master/cluster_aggregator.h), so that a cluster dashboard reads a few
/// series instead of every node's.

#include <cstddef>

namespace fructosa {

struct AggregateSettings {
    bool enabled = true;
    double interval = 10;           ///< seconds between two reports
    double reporting_window = 120;  ///< a node (and a job on it) counts while its last point is this recent
    double forget_after = 86400;    ///< seconds without a point before a node's state is dropped
    std::size_t max_nodes = 100000; ///< nodes followed at once; points of further nodes are not aggregated
};

}  // namespace fructosa
