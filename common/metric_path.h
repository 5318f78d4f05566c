#pragma once
/// Where FrUCToSA's series live in Graphite: the one place that builds every metric
/// path and reads them back. Six trees, each below lmaster's optional prefix (which
/// the sinks and MetricPatterns add, never these builders):
///
///   <host>.<Sensor>.<field>                    host sensors (lagent)
///   jobs.<jobid>.<host>.<group>.<field>        a job's share on one host (lagent)
///   fructosa.lagent.<host>.<name>              lagent's metrics about itself
///   fructosa.lmaster.<host>.<name>             lmaster's metrics about itself
///   fructosa.cluster.<lmaster>.<figure>        cluster figures from one lmaster's share of
///                                              the nodes (master/cluster_aggregator.h)
///   fructosa.perad.jobs.<jobid>.class.<class>  perad's class of a job (worth 1)
///
/// The builders do not sanitise: callers pass components that are already path-safe
/// (sanitize_component), or, for dashboards, Graphite wildcards such as "*" or "$host".
/// Empty components are skipped, as in a Graphite target nothing stands for them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fructosa {

/// The top-level name of the job tree; also the level below fructosa.perad.
inline constexpr std::string_view kJobsTree = "jobs";
/// The top-level name of the daemons' own series.
inline constexpr std::string_view kSelfTree = "fructosa";
/// The branches of kSelfTree, one per daemon.
inline constexpr std::string_view kLagentBranch = "lagent";
inline constexpr std::string_view kLmasterBranch = "lmaster";
inline constexpr std::string_view kPeradBranch = "perad";
inline constexpr std::string_view kClusterBranch = "cluster";
/// The "sensor" under which lmaster publishes its per-node figures: `<host>.node.<figure>`.
inline constexpr std::string_view kNodeFiguresSensor = "node";
/// The level of perad's series that comes before the class name.
inline constexpr std::string_view kClassLevel = "class";

/// Node (0-based component, what Graphite's aliasByNode counts, before any prefix) of
/// the host in a host series, a job series and a daemon's own series, of the job id in
/// a job series and a perad class, and of the class name in a perad class.
inline constexpr int kHostSeriesHostNode = 0;
inline constexpr int kJobSeriesJobNode = 1;
inline constexpr int kJobSeriesHostNode = 2;
inline constexpr int kSelfSeriesHostNode = 2;
inline constexpr int kPeradClassJobNode = 3;
inline constexpr int kPeradClassNode = 5;

/// A job id in a path is 1 to 20 decimal digits (any Slurm job id fits).
inline constexpr std::size_t kMaxJobIdDigits = 20;

/// `<base>.<child>`, or `base` alone when `child` is empty (a sensor's single value,
/// `node001.CPUCount`). One allocation: it is lagent's per-point path builder.
std::string child_path(std::string_view base, std::string_view child);

/// `<host>.<sensor>`: the base of a host sensor's series (its fields follow).
std::string host_series_base(std::string_view host, std::string_view sensor);

/// `jobs.<job>`: the root of one job's series (its children are the job's hosts).
std::string job_root_path(std::string_view job);
/// `jobs.<job>.<host>`: the base of a job's series on one host (`<group>.<field>` follow).
std::string job_series_base(std::string_view job, std::string_view host);
std::string job_series_base(std::uint64_t job_id, std::string_view host);

/// `fructosa.lagent.<host>`: the base of lagent's metrics about itself.
std::string lagent_series_base(std::string_view host);
/// `fructosa.lmaster.<host>`: the base of lmaster's metrics about itself.
std::string lmaster_series_base(std::string_view host);

/// `fructosa.cluster.<lmaster>`: the base of the cluster figures one lmaster computes.
/// Not a tree agents may write (parse_metric_path does not read it as one).
std::string cluster_series_base(std::string_view lmaster);

/// `fructosa.perad.jobs.<job>.class.<job_class>`: perad's class of a job.
std::string perad_class_path(std::string_view job, std::string_view job_class);
std::string perad_class_path(std::uint64_t job_id, std::string_view job_class);

/// True for the top-level names of the job and self-metric trees ("jobs", "fructosa"):
/// a host with such a name would own those trees.
bool is_tree_name(std::string_view name);

/// The tree a series belongs to.
enum class MetricTree { Host, Job, Lagent, Lmaster, PeradClass };

/// Who owns a series, as parse_metric_path reads it (views into the parsed path).
struct PathOwner {
    MetricTree tree = MetricTree::Host;
    std::string_view host;  ///< the host level; empty for PeradClass
    std::string_view job;   ///< the job id's digits for Job and PeradClass; empty otherwise
    bool operator==(const PathOwner&) const = default;
};

/// The inverse of the builders: the tree and owner of an unprefixed path, or nullopt
/// when it is no series of ours: a component empty or not component_is_safe, a job id
/// that is not 1 to 20 digits, nothing below the host level, an unknown branch under
/// `fructosa`, a perad class that is not exactly `fructosa.perad.jobs.<job>.class.<class>`.
/// Allocates nothing (lmaster reads every point an agent sends).
std::optional<PathOwner> parse_metric_path(std::string_view path);

}  // namespace fructosa
