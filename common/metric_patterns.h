#pragma once
/// FrUCToSA's series as a Graphite target sees them: the paths of common/metric_path.h
/// behind lmaster's optional prefix, with wildcards allowed in any component
/// (`*`, `{a,b}`, `$host`), and the node of each tree's host for aliasByNode. The
/// dashboards build every target here, so a target and a real path cannot drift apart.

#include <string>
#include <string_view>

namespace fructosa {

/// Builds Graphite path patterns under the prefix and knows at which node (0-based path
/// component, what aliasByNode counts) the host of each kind of path sits.
class MetricPatterns {
  public:
    /// `prefix` as lmaster's [Graphite] prefix ("" = none; may hold dots; leading and
    /// trailing dots are dropped).
    explicit MetricPatterns(std::string prefix);

    /// `<prefix>.<host>.<rest>`, e.g. host("$host", "CPUPercent.*").
    std::string host(std::string_view host, std::string_view rest) const;
    /// `<prefix>.jobs.<job>.<host>.<rest>`.
    std::string job(std::string_view job, std::string_view host, std::string_view rest) const;
    /// `<prefix>.jobs.<job>` (the children are the job's hosts).
    std::string job_root(std::string_view job) const;
    /// `<prefix>.jobs` (the children are job ids).
    std::string jobs_root() const;
    /// `<prefix>.fructosa.lagent.<host>.<rest>`.
    std::string lagent(std::string_view host, std::string_view rest) const;
    /// `<prefix>.fructosa.lmaster.<host>.<rest>`.
    std::string lmaster(std::string_view host, std::string_view rest) const;
    /// `<prefix>.fructosa.cluster.<lmaster>.<rest>`: the cluster figures each lmaster
    /// publishes for its share of the nodes (master/cluster_aggregator.h); the lmaster
    /// sits at daemon_host_node().
    std::string cluster(std::string_view lmaster, std::string_view rest) const;
    /// `<prefix>.fructosa.perad.jobs.<job>.class.<rest>`: perad's class of a job as a
    /// series worth 1 at the time of classification (the contract perad writes to).
    std::string perad_class(std::string_view job, std::string_view rest) const;

    /// Node index of the host in host(), lagent(), lmaster(), cluster() and job() paths, and of
    /// the class name in perad_class().
    int host_node() const;
    int daemon_host_node() const;
    int job_host_node() const;
    int perad_class_node() const;

    /// The prefix with a trailing '.', or "" (for regular expressions: dots escaped).
    std::string prefix_dot() const;
    std::string prefix_regex() const;

  private:
    /// `<prefix>.<path>`, or `path` when there is no prefix.
    std::string prefixed(std::string path) const;

    std::string prefix_;
    int depth_ = 0;
};

}  // namespace fructosa
