#pragma once
/// FrUCToSA's three Grafana dashboards, generated as JSON for Graphite:
///  - node    (uid "fructosa-node"):    one or several hosts, every host sensor;
///  - cluster (uid "fructosa-cluster"): all nodes at a glance, jobs, the pipeline;
///  - job     (uid "fructosa-job"):     one job, per node, against its allocation.
/// perad links to <grafana>/d/fructosa-job/fructosa-job?var-jobid=<id>.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fructosa {

/// What the generators need to know about the installation.
struct DashboardOptions {
    std::string prefix;                  ///< lmaster's [Graphite] prefix ("" = none; may hold dots)
    std::string datasource = "Graphite"; ///< datasource selected by default in the ds variable
};

inline constexpr const char* kNodeDashboardUid = "fructosa-node";
inline constexpr const char* kClusterDashboardUid = "fructosa-cluster";
inline constexpr const char* kJobDashboardUid = "fructosa-job";

/// The node dashboard with a multi-select `host` variable listing every host that
/// reports CPUPercent; `hosts` are preselected (empty: All).
nlohmann::json node_dashboard(const DashboardOptions& options, const std::vector<std::string>& hosts = {});
/// The node dashboard of one host (as 0.3.2 wrote one per host): uid
/// "fructosa-node-<host>", title "FrUCToSA node <host>", `host` preselected, case kept.
nlohmann::json host_dashboard(const DashboardOptions& options, const std::string& host);
/// The cluster dashboard.
nlohmann::json cluster_dashboard(const DashboardOptions& options);
/// The job dashboard with a `jobid` variable (and `node`, the job's hosts).
nlohmann::json job_dashboard(const DashboardOptions& options);

}  // namespace fructosa
