// The node dashboard: the rows of FrUCToSA 0.3.2 (global gauges, CPU, network,
// memory, disk) plus status, per-CPU heat map, hardware sensors and data delivery.

#include <fmt/format.h>

#include "common/metric_patterns.h"
#include "dashboards/dashboards.h"
#include "dashboards/grafana.h"
#include "dashboards/panel_helpers.h"

namespace fructosa {

using namespace grafana;

namespace {

void add_status_row(Layout& l, const MetricPatterns& p) {
    const int h = p.host_node();
    l.row("Status of $host");
    json alive = stat(spec("Data from the node", "none", {by_node(reporting(p.host("$host", "VirtualMemory.percent")), {h})},
                           "REPORTING while a VirtualMemory point arrived in the last 2 minutes. NO DATA means the "
                           "node is down, lagent is stopped, or its points do not get through: see the "
                           "\"Data delivery\" row (queue, drops, reconnects) and lmaster's log."));
    set_value_mappings(alive, {{1, "REPORTING", "green"}, {0, "NO DATA", "red"}});
    set_threshold_steps(alive, "red", {{"green", 1}});
    l.add(std::move(alive), 6, 4);
    l.add(stat(spec("Active jobs", "none", {by_node(p.lagent("$host", "jobs_tracked"), {p.daemon_host_node()})},
                    "Slurm jobs lagent is profiling on the node now.")),
          4, 4);
    l.add(stat(spec("CPUs", "none", {by_node(p.host("$host", "CPUCount"), {h})})), 3, 4);
    l.add(stat(spec("Logged-in sessions", "none", {by_node(p.host("$host", "Users.count"), {h})},
                    std::string(kOptionalMarker) + "a utmp file (/run/utmp; containers often have none).")),
          4, 4);
    l.add(stat(spec("Booted", "dateTimeFromNow", {by_node("scale(" + p.host("$host", "BootTime") + ", 1000)", {h})},
                    "Boot time of the node (BootTime, epoch seconds, scaled to ms for Grafana).")),
          7, 4);
}

void add_global_row(Layout& l, const MetricPatterns& p) {
    const int h = p.host_node();
    l.row("Global");
    l.add(gauge(percent_spec("Mean CPU load", {"groupByNode(" + p.host("$host", "CPUPercent.*") + fmt::format(", {}, 'average')", h)},
                             "Mean of CPUPercent over the node's CPUs."),
                70, 90),
          8, 6);
    l.add(gauge(percent_spec("Memory used", {by_node(p.host("$host", "VirtualMemory.percent"), {h})},
                             "VirtualMemory.percent: the part of RAM not available to new programs."),
                80, 95),
          8, 6);
    l.add(gauge(percent_spec("Disk used", {by_node("group(" + p.host("$host", "DiskUsage.percent") + ", " +
                                                       p.host("$host", "DiskUsage.*.percent") + ")",
                                                   {h, h + 2})},
                             "DiskUsage.percent (or DiskUsage.<path>.percent when lagent watches several paths)."),
                80, 95),
          8, 6);
}

void add_cpu_row(Layout& l, const MetricPatterns& p) {
    const int h = p.host_node();
    l.row("CPU");
    l.add(heat_strip(percent_spec("Per-CPU load (heat map)", {by_node(p.host("$host", "CPUPercent.*"), {h, h + 2})},
                                  "One band per logical CPU (host.cpu), coloured from green (idle) to red (busy).")),
          24, 8);
    l.add(timeseries(percent_spec("Mean CPU load",
                                  {"groupByNode(" + p.host("$host", "CPUPercent.*") + fmt::format(", {}, 'average')", h)})),
          12, 8);
    l.add(timeseries(percent_spec("CPU time split (without idle)",
                                  {by_node("exclude(" + p.host("$host", "CPUTimesPercent.*") + ", 'idle')", {h, h + 2})},
                                  "CPUTimesPercent: user, system, iowait, ... in % of the time since the previous "
                                  "sample; idle is left out so that the rest stays readable."),
                     true),
          12, 8);
    l.add(timeseries(spec("Context switches and interrupts", "ops",
                          {by_node(rate(p.host("$host", "CPUStats.{ctx_switches,interrupts,soft_interrupts}")),
                                   {h, h + 2})},
                          "CPUStats counters since boot, as a rate per second.")),
          12, 8);
    l.add(timeseries(spec("CPU clock", "hertz",
                          {by_node("scale(" + p.host("$host", "CPUFreq.{current,min,max}") + ", 1000000)", {h, h + 2})},
                          "CPUFreq: lagent reports MHz; scaled to Hz so that Grafana prints MHz/GHz correctly. "
                          "min and max exist only with cpufreq.")),
          12, 8);
    l.add(timeseries(spec("Instructions per cycle", "none", {by_node(p.host("$host", "HardwareCounters.ipc"), {h})},
                          std::string(kOptionalMarker) + "hardware performance counters (a PMU; most virtual "
                          "machines have none). HardwareCounters: instructions retired per CPU cycle, all CPUs; "
                          "low values (below 1) mean the cores mostly wait for memory.")),
          24, 6);
}

void add_memory_row(Layout& l, const MetricPatterns& p) {
    const int h = p.host_node();
    l.row("Memory");
    l.add(timeseries(spec("Memory", "bytes",
                          {by_node(p.host("$host", "VirtualMemory.{total,available,used,free,buffers,cached}"), {h, h + 2})})),
          12, 8);
    l.add(timeseries(percent_spec("Memory and swap used",
                                  {by_node(p.host("$host", "{VirtualMemory,SwapMemory}.percent"), {h, h + 1})})),
          12, 8);
    l.add(timeseries(spec("Active, inactive, shared, slab", "bytes",
                          {by_node(p.host("$host", "VirtualMemory.{active,inactive,shared,slab}"), {h, h + 2})})),
          8, 8);
    l.add(timeseries(spec("Swap", "bytes", {by_node(p.host("$host", "SwapMemory.{total,used}"), {h, h + 2})})), 8, 8);
    l.add(timeseries(spec("Swap traffic", "Bps",
                          {by_node(rate(p.host("$host", "SwapMemory.{sin,sout}")), {h, h + 2})},
                          "Bytes swapped in (sin) and out (sout) per second.")),
          8, 8);
}

void add_network_row(Layout& l, const MetricPatterns& p) {
    const int h = p.host_node();
    l.row("Network");
    l.add(timeseries(spec("Traffic", "Bps",
                          {by_node(rate(p.host("$host", "NetIOCounters.{bytes_recv,bytes_sent}")), {h, h + 2})},
                          "All NICs summed (NetIOCounters), bytes per second.")),
          8, 8);
    l.add(timeseries(spec("Packets", "pps",
                          {by_node(rate(p.host("$host", "NetIOCounters.{packets_recv,packets_sent}")),
                                   {h, h + 2})})),
          8, 8);
    l.add(timeseries(spec("Errors and drops", "pps",
                          {by_node(rate(p.host("$host", "NetIOCounters.{errin,errout,dropin,dropout}")),
                                   {h, h + 2})})),
          8, 8);
    l.add(timeseries(spec("Sockets", "none", {by_node(p.host("$host", "NetConnections.{total,udp,unix}"), {h, h + 2})})), 8, 8);
    l.add(timeseries(spec("TCP sockets by state", "none", {by_node(p.host("$host", "NetConnections.tcp.*"), {h, h + 3})})), 8, 8);
    json up = heat_strip(spec("Interfaces up", "none", {by_node(p.host("$host", "NetIFStats.*.isup"), {h, h + 2})},
                              "NetIFStats.<nic>.isup: green up, red down."));
    set_value_mappings(up, {{1, "up", "green"}, {0, "down", "red"}});
    set_threshold_steps(up, "red", {{"green", 1}});
    up["fieldConfig"]["defaults"]["color"] = {{"mode", "thresholds"}};
    l.add(std::move(up), 8, 8);
}

void add_disk_row(Layout& l, const MetricPatterns& p) {
    const int h = p.host_node();
    l.row("Disk");
    l.add(timeseries(spec("Disk space", "bytes",
                          {by_node("group(" + p.host("$host", "DiskUsage.{total,used,free}") + ", " +
                                       p.host("$host", "DiskUsage.*.{total,used,free}") + ")",
                                   {h, h + 2})},
                          "DiskUsage of the watched path(s); free is what unprivileged users may still use.")),
          8, 8);
    l.add(timeseries(spec("Disk throughput", "Bps",
                          {by_node(rate(p.host("$host", "DiskIOCounters.{read_bytes,write_bytes}")),
                                   {h, h + 2})})),
          8, 8);
    l.add(timeseries(spec("Disk operations", "iops",
                          {by_node(rate(p.host("$host", "DiskIOCounters.{read_count,write_count}")),
                                   {h, h + 2})})),
          8, 8);
    l.add(timeseries(percent_spec("Disk busy",
                                  {by_node("scale(" + rate(p.host("$host", "DiskIOCounters.busy_time")) + ", 0.1)", {h})},
                                  "busy_time counts ms with I/O in flight: ms per s / 10 = % of the time busy.")),
          12, 8);
    l.add(timeseries(spec("Mounted partitions", "none", {by_node(p.host("$host", "DiskPartitions.count"), {h})})), 12, 8);
}

void add_hardware_row(Layout& l, const MetricPatterns& p) {
    const int h = p.host_node();
    l.row("Hardware sensors");
    l.add(timeseries(spec("Temperatures", "celsius",
                          {by_node(p.host("$host", "SensorsTemperatures.*.*.current"), {h, h + 2, h + 3})},
                          std::string(kOptionalMarker) + "hwmon temperature sensors (virtual machines, containers).")),
          12, 8);
    l.add(timeseries(spec("Fans", "rotrpm", {by_node(p.host("$host", "SensorsFans.*.*.current"), {h, h + 2, h + 3})},
                          std::string(kOptionalMarker) + "hwmon fan sensors.")),
          12, 8);
}

void add_fabric_row(Layout& l, const MetricPatterns& p) {
    const int h = p.host_node();
    l.row("Fabric and parallel file systems");
    l.add(timeseries(spec("InfiniBand traffic", "Bps",
                          {by_node(p.host("$host", "InfiniBand.*.*.{xmit,rcv}_bytes_per_s"), {h, h + 2, h + 3, h + 4})},
                          std::string(kOptionalMarker) + "InfiniBand or Omni-Path ports with a LID. Bytes per "
                          "second per device and port.")),
          8, 8);
    l.add(timeseries(spec("InfiniBand errors", "cps",
                          {by_node(rate(p.host("$host", "InfiniBand.*.*.errors")), {h, h + 2, h + 3})},
                          std::string(kOptionalMarker) + "InfiniBand or Omni-Path ports. The port's error counters "
                          "(symbol errors, link downed, receive errors, ...) summed, per second.")),
          8, 8);
    l.add(timeseries(spec("File system operations", "ops",
                          {by_node(p.host("$host", "{NFSClient,LustreClient}.*.ops_per_s"), {h, h + 1, h + 2})},
                          std::string(kOptionalMarker) + "NFS or Lustre client mounts. Operations per second per "
                          "mount point.")),
          8, 8);
    l.add(timeseries(spec("NFS traffic", "Bps",
                          {by_node(p.host("$host", "NFSClient.*.{read,write}_bytes_per_s"), {h, h + 2, h + 3})},
                          std::string(kOptionalMarker) + "NFS mounts. Bytes applications read and wrote per second.")),
          12, 8);
    l.add(timeseries(spec("Lustre traffic", "Bps",
                          {by_node(p.host("$host", "LustreClient.*.{read,write}_bytes_per_s"), {h, h + 2, h + 3})},
                          std::string(kOptionalMarker) + "Lustre client mounts.")),
          12, 8);
}

/// One of TopProcesses' lists as a table: a row per process (host/rank/user/command), a
/// column per value. Graphite has only named numbers, so the series names are taken apart
/// in Grafana: renamed to "process=... field=..." (renameByRegex), reduced to their last
/// value, split into fields (extractFields, key=value pairs) and pivoted (groupingToMatrix).
json top_process_table(const MetricPatterns& p, const std::string& title, const std::string& list,
                       const std::string& sort_column, const std::string& description) {
    const int h = p.host_node();
    json steps = json::array(
        {{{"id", "renameByRegex"},
          {"options", {{"regex", "^([^.]+)\\.([^.]+)\\.([^.]+)\\.([^.]+)\\.([^.]+)$"},
                       {"renamePattern", "process=$1/$2/$3/$4 field=$5"}}}},
         {{"id", "reduce"},
          {"options", {{"reducers", json::array({"lastNotNull"})}, {"mode", "seriesToRows"}, {"includeTimeField", false}}}},
         {{"id", "extractFields"}, {"options", {{"source", "Field"}, {"format", "kvp"}, {"replace", false}}}},
         {{"id", "groupingToMatrix"},
          {"options", {{"columnField", "field"}, {"rowField", "process"}, {"valueField", "Last *"}}}},
         {{"id", "sortBy"}, {"options", {{"sort", json::array({{{"field", sort_column}, {"desc", true}}})}}}}});
    json t = table(spec(title, "none",
                        {by_node(p.host("$host", "TopProcesses." + list + ".*.*.*.*"), {h, h + 3, h + 4, h + 5, h + 6})},
                        description),
                   std::move(steps),
                   {{"cpu_percent", "percent"}, {"rss_bytes", "bytes"}, {"pid", "none"}, {"jobid", "none"}});
    // Only the last minutes: a process that left the list an hour ago is not listed.
    t["timeFrom"] = "5m";
    return t;
}

void add_processes_row(Layout& l, const MetricPatterns& p) {
    l.row("Processes");
    l.add(top_process_table(p, "Busiest processes", "cpu", "cpu_percent",
                            "TopProcesses.cpu: the processes with the highest CPU use (% of one core) in the last "
                            "5 minutes, as host/rank/user/command, with their Slurm job id when they run in a "
                            "job. Empty when lagent has no [sensor:TopProcesses]."),
          12, 9);
    l.add(top_process_table(p, "Largest processes", "memory", "rss_bytes",
                            "TopProcesses.memory: the processes with the largest resident memory in the last "
                            "5 minutes, with their Slurm job id when they run in a job."),
          12, 9);
}

void add_gpu_row(Layout& l, const MetricPatterns& p) {
    const int h = p.host_node();
    const std::string marker = std::string(kOptionalMarker) + "GPU sensors (NVIDIA GPUs, lagent's [sensor:GPU]). ";
    l.row("GPUs");
    l.add(heat_strip(percent_spec("GPU utilisation (heat map)", {by_node(p.host("$host", "GPU.*.util_percent"), {h, h + 2})},
                                  marker + "One band per GPU (host.index), SM utilisation from green (idle) to red.")),
          24, 8);
    l.add(timeseries(spec("GPU memory", "bytes", {by_node(p.host("$host", "GPU.*.{memory_used,memory_total}"), {h, h + 2, h + 3})},
                          marker + "Used and total per GPU; MIG instances as <index>_mig<k>.")),
          8, 8);
    l.add(timeseries(spec("GPU power", "watt", {by_node(p.host("$host", "GPU.*.power_watts"), {h, h + 2})},
                          marker + "Power draw per GPU.")),
          8, 8);
    l.add(timeseries(spec("GPU temperature", "celsius", {by_node(p.host("$host", "GPU.*.temperature_celsius"), {h, h + 2})},
                          marker + "Temperature per GPU.")),
          8, 8);
}

void add_delivery_row(Layout& l, const MetricPatterns& p) {
    const int h = p.daemon_host_node();
    l.row("Data delivery (lagent)");
    l.add(timeseries(spec("Points sent", "cps", {by_node(rate(p.lagent("$host", "points_sent")), {h})},
                          "Points lmaster acknowledged, per second.")),
          8, 7);
    l.add(timeseries(spec("Points waiting in lagent", "none", {by_node(p.lagent("$host", "points_queued"), {h})},
                          "Grows while lmaster is unreachable; lagent replays them later.")),
          8, 7);
    l.add(timeseries(spec("Drops, reconnects, sensor errors", "cps",
                          {by_node(rate(p.lagent("$host", "{points_dropped,reconnects,sensor_errors}")),
                                   {h, h + 1})},
                          "Anything above zero explains missing data: points dropped from a full queue, "
                          "connections to lmaster lost, sensors that failed.")),
          8, 7);
}

std::vector<std::string> hosts_or_all(const std::vector<std::string>& hosts) {
    return hosts.empty() ? std::vector<std::string>{"$__all"} : hosts;
}

json make_node(const DashboardOptions& o, const std::vector<std::string>& hosts, DashboardSpec d) {
    MetricPatterns p(o.prefix);
    QueryVariableSpec host;
    host.name = "host";
    host.label = "Host";
    // /metrics/find would give the last path component ("CPUPercent") for every host;
    // expand() makes Grafana use /metrics/expand, which returns the full paths, and the
    // regex keeps the host part. Only hosts with a CPUPercent series are listed.
    host.query = "expand(" + p.host("*", "CPUPercent") + ")";
    host.regex = "/^" + p.prefix_regex() + "([^.]+)\\.CPUPercent$/";
    host.multi = true;
    host.include_all = true;
    host.sort = 1;
    host.current = hosts_or_all(hosts);
    if (host.current.front() == "$__all") host.current = {"All"};
    host.description = "Hosts that report CPUPercent";
    json var = query_variable(host);
    if (hosts.empty()) var["current"] = {{"selected", true}, {"text", json::array({"All"})}, {"value", json::array({"$__all"})}};
    d.variables.push_back(var);
    d.tags = {"fructosa", "node"};
    d.time_from = "now-3h";
    d.refresh = "30s";
    d.links = json::array({{{"title", "FrUCToSA"}, {"type", "dashboards"}, {"tags", json::array({"fructosa"})},
                            {"asDropdown", true}, {"includeVars", false}, {"keepTime", true},
                            {"icon", "external link"}, {"targetBlank", false}, {"tooltip", ""}}});

    Layout l;
    add_status_row(l, p);
    add_global_row(l, p);
    add_cpu_row(l, p);
    add_network_row(l, p);
    add_memory_row(l, p);
    add_disk_row(l, p);
    add_hardware_row(l, p);
    add_fabric_row(l, p);
    add_processes_row(l, p);
    add_gpu_row(l, p);
    add_delivery_row(l, p);
    return dashboard(d, o.datasource, std::move(l));
}

}  // namespace

nlohmann::json node_dashboard(const DashboardOptions& options, const std::vector<std::string>& hosts) {
    DashboardSpec d;
    d.uid = kNodeDashboardUid;
    d.title = "FrUCToSA nodes";
    d.description = "Host sensors of FrUCToSA's lagent, per node (pick hosts with the Host variable).";
    return make_node(options, hosts, std::move(d));
}

nlohmann::json host_dashboard(const DashboardOptions& options, const std::string& host) {
    DashboardSpec d;
    d.uid = make_uid(std::string(kNodeDashboardUid) + "-" + host);
    d.title = "FrUCToSA node " + host;
    d.description = "Host sensors of FrUCToSA's lagent on " + host + ".";
    return make_node(options, {host}, std::move(d));
}

}  // namespace fructosa
