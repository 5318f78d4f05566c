#pragma once
/// Where FrUCToSA's series live in Graphite, as seen by a dashboard: host sensors
/// <host>.<Sensor>.<field>, job series jobs.<jobid>.<host>.<group>.<field>, the daemons'
/// own fructosa.lagent.<host>.* and fructosa.lmaster.<host>.*, perad's verdicts
/// fructosa.perad.jobs.<jobid>.class.<class>, all behind lmaster's optional prefix.

#include <string>
#include <string_view>

namespace fructosa {

/// What the generators need to know about the installation.
struct DashboardOptions {
    std::string prefix;                  ///< lmaster's [Graphite] prefix ("" = none; may hold dots)
    std::string datasource = "Graphite"; ///< datasource selected by default in the ds variable
};

/// Builds Graphite paths under the prefix and knows at which node (0-based path
/// component, what aliasByNode counts) the host of each kind of path sits.
class MetricPaths {
public:
    explicit MetricPaths(std::string prefix);

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
    /// `<prefix>.fructosa.perad.jobs.<job>.class.<rest>`: perad's class of a job as a
    /// series worth 1 at the time of classification (the contract perad writes to).
    std::string perad_class(std::string_view job, std::string_view rest) const;

    /// Node index of the host in host(), lagent(), lmaster() and job() paths, and of
    /// the class name in perad_class().
    int host_node() const { return depth_; }
    int daemon_host_node() const { return depth_ + 2; }
    int job_host_node() const { return depth_ + 2; }
    int perad_class_node() const { return depth_ + 5; }

    /// The prefix with a trailing '.', or "" (for regular expressions: dots escaped).
    std::string prefix_dot() const;
    std::string prefix_regex() const;

private:
    std::string join(std::initializer_list<std::string_view> parts) const;

    std::string prefix_;
    int depth_ = 0;
};

}  // namespace fructosa
