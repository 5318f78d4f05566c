// The cluster dashboard: every node at a glance, the jobs, and FrUCToSA's own pipeline
// (lagents and lmaster), so that missing data can be traced to where it was lost.
// Built from lmaster's aggregates only, so it stays fast at 10,000 nodes; one node's
// series are the node dashboard's.

#include "common/metric_patterns.h"
#include "dashboards/dashboards.h"
#include "dashboards/grafana.h"
#include "dashboards/panel_helpers.h"

namespace fructosa {

using namespace grafana;

namespace {

/// Every target of this dashboard reads the cluster figures lmaster computes on the way
/// in (master/cluster_aggregator.h), never one series per node: at 10,000 nodes a
/// `*.CPUPercent.*` is 640,000 series, which graphite-web cannot answer in time. Each
/// lmaster publishes sums and counts for its share of the nodes, so these add them up
/// over every lmaster and divide: the cluster's mean however the agents are spread.

/// A figure added up over every lmaster.
std::string total(const MetricPatterns& p, const std::string& figure) {
    return "sumSeries(" + p.cluster("*", figure) + ")";
}

/// The mean over the reporting nodes of a node figure (`<figure>_sum` / `<figure>_count`).
std::string node_mean(const MetricPatterns& p, const std::string& figure) {
    return "divideSeries(" + total(p, figure + "_sum") + ", " + total(p, figure + "_count") + ")";
}

/// One series per partition of `figure` (`partition.<p>.<figure>`), summed over the lmasters.
std::string per_partition(const MetricPatterns& p, const std::string& figure) {
    return "groupByNode(" + p.cluster("*", "partition.*." + figure) +
           fmt::format(", {}, 'sum')", p.daemon_host_node() + 2);
}

/// The mean per partition: sums and counts added up over the lmasters, then divided
/// pairwise (reduceSeries matches them by partition).
std::string per_partition_mean(const MetricPatterns& p, const std::string& figure) {
    const int part = p.daemon_host_node() + 2;
    return "aliasByNode(reduceSeries(mapSeries(groupByNodes(" +
           p.cluster("*", "partition.*.{" + figure + "_sum," + figure + "_count}") +
           fmt::format(", 'sum', {}, {}), 0), 'divideSeries', 1, '{}_sum', '{}_count'), 0)", part, part + 1, figure,
                       figure);
}

void add_overview_row(Layout& l, const MetricPatterns& p) {
    l.row("Cluster now");
    l.add(stat(spec("Nodes reporting", "none", {total(p, "nodes_reporting")},
                    "Nodes that sent a point in the last 2 minutes (lmaster's [aggregates] reporting window).")),
          4, 4);
    json silent = stat(spec("Nodes not reporting", "none", {total(p, "nodes_silent")},
                            "Nodes lmaster has seen (within [aggregates] forget after, a day by default) without a "
                            "point in the reporting window: down, lagent stopped, or data lost on the way (see the "
                            "pipeline row)."));
    set_thresholds(silent, 1, 1);
    l.add(std::move(silent), 4, 4);
    l.add(stat(spec("Jobs running", "none", {total(p, "jobs_running")},
                    "Jobs with job series in the reporting window. With several lmasters a job whose nodes report "
                    "to k of them counts k times.")),
          4, 4);
    l.add(gauge(percent_spec("Mean CPU load", {node_mean(p, "cpu_percent")},
                             "Mean over the reporting nodes of each node's mean CPUPercent."),
                70, 90),
          4, 4);
    l.add(gauge(percent_spec("Mean memory used", {node_mean(p, "memory_percent")}), 80, 95), 4, 4);
    l.add(stat(spec("Agents connected", "none", {"sumSeries(" + p.lmaster("*", "agents_connected") + ")"},
                    "lagents connected to lmaster(s) now.")),
          4, 4);
}

/// Nodes per 10 % band of a figure, one band per row: how the load spreads over the
/// nodes, in as many series at 10,000 nodes as at 10.
json distribution(const MetricPatterns& p, const std::string& title, const std::string& figure,
                  const std::string& what) {
    json panel = heat_strip(spec(title, "none",
                                 {"groupByNode(" + p.cluster("*", figure + "_nodes.*") +
                                  fmt::format(", {}, 'sum')", p.daemon_host_node() + 2)},
                                 "Number of nodes whose " + what + " lies in each 10 % band (row 10: 0 to 10 %, "
                                 "row 100: 90 to 100 %). Open the node dashboard for one node."));
    return panel;
}

void add_nodes_row(Layout& l, const MetricPatterns& p) {
    l.row("Nodes at a glance");
    l.add(distribution(p, "Nodes by CPU load (heat map)", "cpu_percent", "mean CPU load"), 12, 9);
    l.add(distribution(p, "Nodes by memory used (heat map)", "memory_percent", "memory used"), 12, 9);
    l.add(timeseries(spec("Nodes reporting and not", "none",
                          {"alias(" + total(p, "nodes_reporting") + ", 'reporting')",
                           "alias(" + total(p, "nodes_silent") + ", 'not reporting')"})),
          24, 6);
    l.add(timeseries(percent_spec("Mean I/O wait", {"alias(" + node_mean(p, "iowait_percent") + ", 'iowait')"},
                                  "CPUTimesPercent.iowait over the nodes: CPU time spent waiting for I/O (a high "
                                  "value: file system or disk trouble).")),
          8, 8);
    l.add(timeseries(spec("Network received and sent (all nodes)", "Bps",
                          {"alias(" + total(p, "net_recv_bytes_per_s_sum") + ", 'received')",
                           "alias(" + total(p, "net_sent_bytes_per_s_sum") + ", 'sent')"},
                          "Sum over the nodes of NetIOCounters' rates.")),
          8, 8);
    l.add(timeseries(percent_spec("Mean disk and swap used",
                                  {"alias(" + node_mean(p, "disk_percent") + ", 'disk')",
                                   "alias(" + node_mean(p, "swap_percent") + ", 'swap')"},
                                  "DiskUsage.percent (the first path of each node) and SwapMemory.percent, mean "
                                  "over the nodes.")),
          8, 8);
    l.add(timeseries(spec("Nodes reporting per partition", "none", {per_partition(p, "nodes_reporting")},
                          "A node counts in the partition of the last job lmaster saw start on it; nodes without "
                          "a job since lmaster started count in none.")),
          12, 8);
    l.add(timeseries(percent_spec("Mean CPU load per partition", {per_partition_mean(p, "cpu_percent")})), 12, 8);
}

void add_gpu_row(Layout& l, const MetricPatterns& p) {
    const std::string marker = std::string(kOptionalMarker) + "GPU sensors (NVIDIA GPUs, lagent's [sensor:GPU]). ";
    l.row("GPUs");
    l.add(timeseries(percent_spec("Mean GPU utilisation",
                                  {"alias(" + node_mean(p, "gpu_util_percent") + ", 'GPU utilisation')"},
                                  marker + "Mean over the nodes with GPUs of each node's mean SM utilisation.")),
          16, 8);
    l.add(stat(spec("Nodes with GPUs reporting", "none", {total(p, "gpu_util_percent_count")}, marker)), 8, 8);
}

void add_jobs_row(Layout& l, const MetricPatterns& p) {
    l.row("Jobs");
    l.add(timeseries(spec("Jobs and job nodes over time", "none",
                          {"alias(" + total(p, "jobs_running") + ", 'jobs')",
                           "alias(" + total(p, "job_nodes") + ", 'jobs on nodes')"},
                          "jobs: distinct jobs with series in the last 2 minutes; jobs on nodes: a job on N nodes "
                          "counts N times.")),
          12, 8);
    l.add(timeseries(spec("Jobs running per partition", "none", {per_partition(p, "jobs_running")},
                          "From the partition in each job's events.")),
          12, 8);
}

void add_pipeline_row(Layout& l, const MetricPatterns& p) {
    const int h = p.daemon_host_node();
    l.row("FrUCToSA pipeline (lmaster and lagents)");
    l.add(timeseries(spec("lmaster throughput", "cps",
                          {by_node(rate(p.lmaster("*", "{points_in,points_out}")), {h, h + 1})},
                          "Points received from agents and written to Graphite per second.")),
          8, 8);
    l.add(timeseries(spec("lmaster drops and refusals", "cps",
                          {by_node(rate(p.lmaster("*", "{points_dropped,points_invalid,bad_frames,connections_refused}")),
                                   {h, h + 1})},
                          "Should stay at zero: points dropped from a full queue or refused as invalid, "
                          "bad frames, refused (unauthenticated) connections.")),
          8, 8);
    l.add(timeseries(spec("lmaster queue towards Graphite", "none", {by_node(p.lmaster("*", "points_queued"), {h})},
                          "Grows while Graphite is slow or away.")),
          8, 8);
    json graphite = stat(spec("Graphite connected", "none", {by_node(p.lmaster("*", "graphite_connected"), {h})}));
    set_value_mappings(graphite, {{1, "connected", "green"}, {0, "DISCONNECTED", "red"}});
    set_threshold_steps(graphite, "red", {{"green", 1}});
    l.add(std::move(graphite), 6, 6);
    l.add(timeseries(spec("Job events received", "cps",
                          {by_node(rate(p.lmaster("*", "job_events_in")), {h})})),
          6, 6);
    l.add(timeseries(spec("lagent drops, reconnects, sensor errors", "cps",
                          {"aliasByNode(" + rate("groupByNode(" + p.cluster("*", "lagents.{points_dropped,reconnects,sensor_errors}") +
                               fmt::format(", {}, 'sum')", h + 2)) + ", 0)"},
                          "Over all nodes: points dropped, lost connections to lmaster, failed sensor reads.")),
          6, 6);
    l.add(timeseries(spec("Points waiting in lagents", "none",
                          {"alias(" + total(p, "lagents.points_queued") + ", 'queued')"},
                          "Over all nodes.")),
          6, 6);
}

}  // namespace

nlohmann::json cluster_dashboard(const DashboardOptions& options) {
    MetricPatterns p(options.prefix);
    DashboardSpec d;
    d.uid = kClusterDashboardUid;
    d.title = "FrUCToSA cluster";
    d.description = "All nodes at a glance, the jobs, and FrUCToSA's own data pipeline.";
    d.tags = {"fructosa", "cluster"};
    d.time_from = "now-6h";
    d.refresh = "1m";
    d.links = json::array({{{"title", "FrUCToSA"}, {"type", "dashboards"}, {"tags", json::array({"fructosa"})},
                            {"asDropdown", true}, {"includeVars", false}, {"keepTime", true},
                            {"icon", "external link"}, {"targetBlank", false}, {"tooltip", ""}}});
    Layout l;
    add_overview_row(l, p);
    add_nodes_row(l, p);
    add_gpu_row(l, p);
    add_jobs_row(l, p);
    add_pipeline_row(l, p);
    return dashboard(d, options.datasource, std::move(l));
}

}  // namespace fructosa
