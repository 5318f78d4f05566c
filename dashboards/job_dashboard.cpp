// The job dashboard: one Slurm job, one series per node, measured in the job's own
// cgroup and set against what the job was allocated (cores, memory limit).

#include "common/metric_patterns.h"
#include "dashboards/dashboards.h"
#include "dashboards/grafana.h"
#include "dashboards/panel_helpers.h"

namespace fructosa {

using namespace grafana;

namespace {

void add_summary_row(Layout& l, const MetricPatterns& p) {
    const int n = p.job_host_node();
    l.row("Job $jobid");
    l.add(stat(spec("Nodes", "none", {"countSeries(" + p.job("$jobid", "*", "memory.current") + ")"},
                    "Nodes of the job that sent samples.")),
          3, 4);
    json eff = stat(spec("Mean CPU efficiency", "percent",
                         {"averageSeries(" + p.job("$jobid", "*", "cpu.efficiency_percent") + ")"},
                         "CPU time used in % of the cores allocated on each node, averaged over nodes and the time range."),
                    "mean");
    set_threshold_steps(eff, "red", {{"orange", 25}, {"green", 50}});
    l.add(std::move(eff), 4, 4);
    l.add(stat(spec("Peak memory (largest node)", "bytes", {"maxSeries(" + p.job("$jobid", "*", "memory.peak") + ")"}), "max"),
          4, 4);
    l.add(stat(spec("CPU time used", "s",
                    {"sumSeries(" + p.job("$jobid", "*", "cpu.{user_seconds,system_seconds}") + ")"},
                    "User + system seconds over all nodes (the last value in the time range).")),
          4, 4);
    json cls = stat(spec("perad class", "none", {by_node(p.perad_class("$jobid", "*"), {p.perad_class_node()})},
                         "The class perad gave the finished job: perad writes "
                         "fructosa.perad.jobs.<jobid>.class.<class> = 1 when it classifies a job. "
                         "`perad show <jobid>` prints the class, flags and recommendations."),
                    "lastNotNull", "name");
    set_no_value(cls, "not classified (yet)");
    l.add(std::move(cls), 5, 4);
    json oom = stat(spec("Memory limit hits, OOM kills", "none",
                         {by_node(p.job("$jobid", "*", "memory.{limit_hits,oom_kills}"), {n, n + 2})},
                         "Times the job hit its memory limit and processes the kernel killed for memory."),
                    "max", "value_and_name");
    set_thresholds(oom, 1, 1);
    l.add(std::move(oom), 4, 4);
}

void add_cpu_row(Layout& l, const MetricPatterns& p) {
    const int n = p.job_host_node();
    l.row("CPU");
    json eff = timeseries(percent_spec("CPU efficiency per node (of allocated cores)",
                                       {by_node(p.job("$jobid", "*", "cpu.efficiency_percent"), {n})},
                                       "100 % = every core Slurm allocated to the job on that node busy."));
    set_threshold_steps(eff, "red", {{"orange", 25}, {"green", 50}});
    eff["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"] = {{"mode", "area"}};
    l.add(std::move(eff), 12, 8);
    PanelSpec usage = spec("CPU usage per node (of one core)", "percent",
                           {by_node(p.job("$jobid", "*", "cpu.usage_percent"), {n})},
                           "100 % = one core fully busy; a job using 4 cores shows 400 %.");
    usage.min = 0, usage.has_min = true;
    l.add(timeseries(usage), 12, 8);
    l.add(timeseries(spec("CPU time (user, system)", "s",
                          {by_node(p.job("$jobid", "*", "cpu.{user_seconds,system_seconds}"), {n, n + 2})},
                          "Cumulative CPU seconds of the job's cgroup on each node.")),
          12, 8);
    l.add(timeseries(spec("Processes and threads", "none",
                          {by_node(p.job("$jobid", "*", "tasks.{processes,threads}"), {n, n + 2})})),
          12, 8);
    l.add(timeseries(spec("Instructions per cycle per node", "none",
                          {by_node(p.job("$jobid", "*", "cpu.ipc"), {n})},
                          std::string(kOptionalMarker) + "hardware performance counters (a PMU; most virtual "
                          "machines have none) or a perf_event cgroup for the job (cgroup v2, or a v1 "
                          "setup that creates one). Instructions the job's tasks retired per CPU cycle; "
                          "below 1 the cores mostly wait for memory.")),
          24, 6);
}

void add_memory_row(Layout& l, const MetricPatterns& p) {
    const int n = p.job_host_node();
    l.row("Memory");
    json mem = timeseries(spec("Memory against the limit", "bytes",
                               {by_node(p.job("$jobid", "*", "memory.current"), {n}),
                                "aliasSub(" + by_node(p.job("$jobid", "*", "memory.limit"), {n}) + ", '$', ' limit')"},
                               "Memory charged to the job's cgroup on each node (solid) and its limit, "
                               "i.e. the memory Slurm allocated (dashed; absent for jobs without a limit)."));
    dash_series_matching(mem, "/ limit$/");
    l.add(std::move(mem), 12, 8);
    l.add(timeseries(percent_spec("Memory used of the limit",
                                  {by_node("asPercent(" + p.job("$jobid", "*", "memory.current") + ", " +
                                               p.job("$jobid", "*", "memory.limit") + fmt::format(", {})", n),
                                           {n})},
                                  "memory.current / memory.limit per node.")),
          12, 8);
    l.add(timeseries(spec("Memory parts", "bytes",
                          {by_node(p.job("$jobid", "*", "memory.{peak,rss,cache,swap}"), {n, n + 2})},
                          "peak: highest use so far; rss: anonymous memory; cache: page cache charged to the job; "
                          "swap: only with swap accounting.")),
          24, 8);
}

void add_io_row(Layout& l, const MetricPatterns& p) {
    const int n = p.job_host_node();
    l.row("I/O");
    l.add(timeseries(spec("I/O throughput", "Bps",
                          {by_node(p.job("$jobid", "*", "io.{read_bytes_per_s,write_bytes_per_s}"), {n, n + 2})},
                          std::string(kOptionalMarker) +
                              "cgroup v2: Slurm's cgroup v1 plugin gives jobs no blkio cgroup, so job I/O is "
                              "measured on v2 only. Block I/O of the job's cgroup: what reaches local disks "
                              "(network file systems do not show here).")),
          12, 8);
    l.add(timeseries(spec("I/O operations", "iops",
                          {by_node(rate(p.job("$jobid", "*", "io.{read_ops,write_ops}")), {n, n + 2})},
                          std::string(kOptionalMarker) + "cgroup v2 (job I/O is measured on cgroup v2 only).")),
          12, 8);
}

void add_pressure_row(Layout& l, const MetricPatterns& p) {
    const int n = p.job_host_node();
    l.row("Pressure stall information");
    l.add(timeseries(percent_spec("Pressure (some, 10 s average)",
                                  {by_node(p.job("$jobid", "*", "pressure.*.some_avg10"), {n, n + 2})},
                                  std::string(kOptionalMarker) +
                                      "cgroup v2: % of the time some task of the job waited for CPU, memory or I/O.")),
          12, 8);
    l.add(timeseries(percent_spec("Pressure (full, 10 s average)",
                                  {by_node(p.job("$jobid", "*", "pressure.*.full_avg10"), {n, n + 2})},
                                  std::string(kOptionalMarker) +
                                      "cgroup v2: % of the time all tasks of the job were stalled.")),
          12, 8);
}

void add_gpu_row(Layout& l, const MetricPatterns& p) {
    const int n = p.job_host_node();
    // Collapsed: most jobs have no GPU. lagent's per-job GPU series (collector/job/
    // job_gpu_figures.h): jobs.<jobid>.<host>.gpu.<key>.<field>, one line per node and GPU.
    l.row("GPU", true);
    const std::string marker =
        std::string(kOptionalMarker) + "GPU sensors (NVIDIA GPUs, lagent's [sensor:GPU]) or for jobs without GPUs. ";
    l.add(timeseries(percent_spec("GPU utilisation",
                                  {by_node(p.job("$jobid", "*", "gpu.*.util_percent"), {n, n + 2})},
                                  marker + "SM utilisation of each of the job's GPUs (on a GPU shared with another "
                                           "job: its processes' share, where NVML gives it).")),
          12, 8);
    l.add(timeseries(spec("GPU memory used", "bytes",
                          {by_node(p.job("$jobid", "*", "gpu.*.memory_used"), {n, n + 2})},
                          marker + "Memory used on each of the job's GPUs (on a shared GPU: its processes').")),
          12, 8);
    l.add(timeseries(spec("GPU power", "watt", {by_node(p.job("$jobid", "*", "gpu.*.power_watts"), {n, n + 2})},
                          marker + "Power draw of each of the job's GPUs (not on a GPU shared with another job).")),
          12, 8);
    l.add(timeseries(spec("GPU energy since the job's start", "joule",
                          {by_node(p.job("$jobid", "*", "gpu.*.energy_joules"), {n, n + 2})},
                          marker + "Energy of each of the job's GPUs since its first GPU sample (not on a shared GPU).")),
          12, 8);
}

void add_nodes_row(Layout& l, const MetricPatterns& p) {
    const int h = p.host_node();
    l.row("Whole nodes of the job");
    l.add(timeseries(percent_spec("Node CPU load (all jobs and system)",
                                  {"groupByNode(" + p.host("$node", "CPUPercent.*") + fmt::format(", {}, 'average')", h)},
                                  "Host sensors of the job's nodes: other jobs sharing a node show here too.")),
          12, 8);
    l.add(timeseries(percent_spec("Node memory used (all jobs and system)",
                                  {by_node(p.host("$node", "VirtualMemory.percent"), {h})})),
          12, 8);
}

}  // namespace

nlohmann::json job_dashboard(const DashboardOptions& options) {
    MetricPatterns p(options.prefix);
    DashboardSpec d;
    d.uid = kJobDashboardUid;
    d.title = "FrUCToSA job";
    d.description =
        "One Slurm job profiled by FrUCToSA, per node. Open it from `perad show JOBID`; its link carries "
        "the job id (var-jobid) and should carry the job's time range (from/to in epoch ms).";
    d.tags = {"fructosa", "job"};
    d.time_from = "now-3h";
    d.refresh = "30s";
    QueryVariableSpec job;
    job.name = "jobid";
    job.label = "Job";
    job.query = p.jobs_root() + ".*";  // /metrics/find: the last component is the job id
    job.sort = 4;                        // numerical, descending: the newest job first
    job.description = "Slurm job id (profiled jobs)";
    d.variables.push_back(query_variable(job));
    QueryVariableSpec node;
    node.name = "node";
    node.label = "Nodes of the job";
    node.query = p.job_root("$jobid") + ".*";  // the children of jobs.<id> are its hosts
    node.multi = true;
    node.include_all = true;
    node.current = {"All"};
    json node_var = query_variable(node);
    node_var["current"] = {{"selected", true}, {"text", json::array({"All"})}, {"value", json::array({"$__all"})}};
    d.variables.push_back(node_var);
    d.links = json::array({{{"title", "FrUCToSA"}, {"type", "dashboards"}, {"tags", json::array({"fructosa"})},
                            {"asDropdown", true}, {"includeVars", false}, {"keepTime", true},
                            {"icon", "external link"}, {"targetBlank", false}, {"tooltip", ""}}});
    Layout l;
    add_summary_row(l, p);
    add_cpu_row(l, p);
    add_memory_row(l, p);
    add_io_row(l, p);
    add_pressure_row(l, p);
    add_nodes_row(l, p);
    add_gpu_row(l, p);
    return dashboard(d, options.datasource, std::move(l));
}

}  // namespace fructosa
