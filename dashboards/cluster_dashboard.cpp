// The cluster dashboard: every node at a glance, the jobs, and FrUCToSA's own pipeline
// (lagents and lmaster), so that missing data can be traced to where it was lost.

#include "common/metric_patterns.h"
#include "dashboards/dashboards.h"
#include "dashboards/grafana.h"
#include "dashboards/panel_helpers.h"

namespace fructosa {

using namespace grafana;

namespace {

/// A data link from a per-node series to the node dashboard of that node.
void link_to_node_dashboard(json& panel) {
    panel["fieldConfig"]["defaults"]["links"] = json::array(
        {{{"title", "Node dashboard of ${__field.displayName}"},
          {"url", std::string("/d/") + kNodeDashboardUid + "/" + kNodeDashboardUid +
                      "?var-host=${__field.displayName}&${__url_time_range}&var-ds=${ds}"}}});
}

void add_overview_row(Layout& l, const MetricPatterns& p) {
    l.row("Cluster now");
    const std::string alive = reporting(p.host("*", "VirtualMemory.percent"));
    l.add(stat(spec("Nodes reporting", "none", {"sumSeries(" + alive + ")"},
                    "Nodes with a VirtualMemory point in the last 2 minutes.")),
          4, 4);
    json silent = stat(spec("Nodes not reporting", "none", {"sumSeries(offset(scale(" + alive + ", -1), 1))"},
                            "Nodes known to Graphite in this time range without a point in the last 2 minutes: "
                            "down, lagent stopped, or data lost on the way (see the pipeline row)."));
    set_thresholds(silent, 1, 1);
    l.add(std::move(silent), 4, 4);
    l.add(stat(spec("Jobs running", "none", {"sumSeries(" + p.lagent("*", "jobs_tracked") + ")"},
                    "Sum over nodes of the jobs each lagent profiles: a job on N nodes counts N times.")),
          4, 4);
    l.add(gauge(percent_spec("Mean CPU load", {"averageSeries(" + p.host("*", "CPUPercent.*") + ")"}), 70, 90), 4, 4);
    l.add(gauge(percent_spec("Mean memory used", {"averageSeries(" + p.host("*", "VirtualMemory.percent") + ")"}), 80, 95),
          4, 4);
    l.add(stat(spec("Agents connected", "none", {"sumSeries(" + p.lmaster("*", "agents_connected") + ")"},
                    "lagents connected to lmaster(s) now.")),
          4, 4);
}

void add_nodes_row(Layout& l, const MetricPatterns& p) {
    const int h = p.host_node();
    l.row("Nodes at a glance");
    json cpu = heat_strip(percent_spec("CPU load per node (heat map)",
                                       {"groupByNode(" + p.host("*", "CPUPercent.*") + fmt::format(", {}, 'average')", h)},
                                       "Mean CPUPercent of each node; click a node for its dashboard."));
    link_to_node_dashboard(cpu);
    l.add(std::move(cpu), 12, 9);
    json mem = heat_strip(percent_spec("Memory used per node (heat map)", {by_node(p.host("*", "VirtualMemory.percent"), {h})}));
    link_to_node_dashboard(mem);
    l.add(std::move(mem), 12, 9);

    json alive = heat_strip(spec("Nodes reporting", "none", {by_node(reporting(p.host("*", "VirtualMemory.percent")), {h})},
                                 "Green while a node's points arrive, red for every stretch of 2 minutes without."));
    set_value_mappings(alive, {{1, "reporting", "green"}, {0, "no data", "red"}});
    set_threshold_steps(alive, "red", {{"green", 1}});
    link_to_node_dashboard(alive);
    l.add(std::move(alive), 24, 6);

    l.add(timeseries(percent_spec("I/O wait per node", {by_node(p.host("*", "CPUTimesPercent.iowait"), {h})},
                                  "CPUTimesPercent.iowait: CPU time spent waiting for I/O (a high value: "
                                  "file system or disk trouble).")),
          8, 8);
    l.add(timeseries(spec("Network received per node", "Bps",
                          {by_node(rate(p.host("*", "NetIOCounters.bytes_recv")), {h})})),
          8, 8);
    l.add(timeseries(spec("Network sent per node", "Bps",
                          {by_node(rate(p.host("*", "NetIOCounters.bytes_sent")), {h})})),
          8, 8);
    l.add(timeseries(percent_spec("Disk used per node",
                                  {by_node("group(" + p.host("*", "DiskUsage.percent") + ", " +
                                               p.host("*", "DiskUsage.*.percent") + ")",
                                           {h, h + 2})})),
          12, 8);
    l.add(timeseries(percent_spec("Swap used per node", {by_node(p.host("*", "SwapMemory.percent"), {h})})), 12, 8);
}

void add_gpu_row(Layout& l, const MetricPatterns& p) {
    const int h = p.host_node();
    const std::string marker = std::string(kOptionalMarker) + "GPU sensors (NVIDIA GPUs, lagent's [sensor:GPU]). ";
    l.row("GPUs");
    json util = heat_strip(percent_spec("GPU utilisation per node (heat map)",
                                        {"groupByNode(" + p.host("*", "GPU.*.util_percent") + fmt::format(", {}, 'average')", h)},
                                        marker + "Mean SM utilisation of each node's GPUs; click a node for its dashboard."));
    link_to_node_dashboard(util);
    l.add(std::move(util), 24, 8);
    // MIG instances' memory is part of their GPU's: summed over whole GPUs only.
    l.add(timeseries(spec("GPU memory used per node", "bytes",
                          {"groupByNode(exclude(" + p.host("*", "GPU.*.memory_used") + ", '_mig'), " +
                           fmt::format("{}, 'sum')", h)},
                          marker + "Sum over each node's GPUs (MIG instances counted in their GPU).")),
          12, 8);
    l.add(timeseries(spec("GPU power per node", "watt",
                          {"groupByNode(" + p.host("*", "GPU.*.power_watts") + fmt::format(", {}, 'sum')", h)},
                          marker + "Sum over each node's GPUs.")),
          12, 8);
}

void add_jobs_row(Layout& l, const MetricPatterns& p) {
    l.row("Jobs");
    l.add(timeseries(spec("Jobs running (node slots)", "none",
                          {"alias(sumSeries(" + p.lagent("*", "jobs_tracked") + "), 'jobs on nodes')"})),
          12, 8);
    l.add(timeseries(spec("Jobs per node", "none", {by_node(p.lagent("*", "jobs_tracked"), {p.daemon_host_node()})}),
                     true),
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
                          {by_node(rate(p.lagent("*", "{points_dropped,reconnects,sensor_errors}")), {h, h + 1})},
                          "Per node: points dropped, lost connections to lmaster, failed sensor reads.")),
          6, 6);
    l.add(timeseries(spec("Points waiting in lagents", "none", {by_node(p.lagent("*", "points_queued"), {h})})), 6, 6);
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
