// The node dashboard and the per-host one: the host variable and host names.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dashboards/dashboards.h"
#include "tests/unit/dashboards/dashboard_test_util.h"

namespace fructosa {
namespace {

using nlohmann::json;
using namespace fructosa::test;

TEST(DashboardModel, HostNamesKeepTheirCase) {
    json d = host_dashboard(DashboardOptions{}, "GPU-Node7");
    EXPECT_EQ(d["title"], "FrUCToSA node GPU-Node7");
    const json& host = d["templating"]["list"][1];
    ASSERT_EQ(host["name"], "host");
    EXPECT_EQ(host["current"]["value"], json::array({"GPU-Node7"}));
    EXPECT_EQ(d.dump().find("gpu-node7"), std::string::npos);
}

TEST(DashboardModel, HostVariableListsHostsFromExpandedPaths) {
    json d = node_dashboard(DashboardOptions{});
    const json& host = d["templating"]["list"][1];
    EXPECT_EQ(host["query"], "expand(*.CPUPercent)");
    EXPECT_EQ(host["regex"], "/^([^.]+)\\.CPUPercent$/");
    EXPECT_TRUE(host["multi"].get<bool>());
    EXPECT_TRUE(host["includeAll"].get<bool>());
}

TEST(NodeDashboard, WhatItIsAndItsRows) {
    json d = node_dashboard(DashboardOptions{});
    EXPECT_EQ(d["uid"], "fructosa-node");
    EXPECT_EQ(d["title"], "FrUCToSA nodes");
    EXPECT_EQ(d["tags"], json({"fructosa", "node"}));
    EXPECT_EQ(d["time"]["from"], "now-3h");
    EXPECT_EQ(d["refresh"], "30s");
    std::vector<std::string> rows;
    for (const auto& p : d["panels"])
        if (p["type"] == "row") rows.push_back(p["title"]);
    EXPECT_EQ(rows, (std::vector<std::string>{"Status of $host", "Global", "CPU", "Network", "Memory", "Disk",
                                               "Hardware sensors", "Fabric and parallel file systems", "Processes",
                                               "GPUs", "Data delivery (lagent)"}));
}

TEST(NodeDashboard, HostsPreselectedOrAll) {
    json all = node_dashboard(DashboardOptions{});
    EXPECT_EQ(all["templating"]["list"][1]["current"],
              json({{"selected", true}, {"text", json::array({"All"})}, {"value", json::array({"$__all"})}}));
    json two = node_dashboard(DashboardOptions{}, {"n1", "Big-Node"});
    EXPECT_EQ(two["templating"]["list"][1]["current"]["value"], json({"n1", "Big-Node"}));
    EXPECT_EQ(two["uid"], "fructosa-node");  // still the one node dashboard
}

TEST(NodeDashboard, HostDashboardUidFromTheHostName) {
    EXPECT_EQ(host_dashboard(DashboardOptions{}, "a.b c")["uid"], "fructosa-node-a-b-c");
    json d = host_dashboard(DashboardOptions{}, std::string(50, 'n'));
    EXPECT_EQ(d["uid"], "fructosa-node-" + std::string(26, 'n'));  // Grafana's 40 characters
    EXPECT_EQ(d["title"], "FrUCToSA node " + std::string(50, 'n'));
}

TEST(NodeDashboard, StatusSaysWhetherPointsArrive) {
    json d = node_dashboard(DashboardOptions{});
    EXPECT_EQ(first_target(d, "Data from the node"),
              "aliasByNode(movingMax(isNonNull($host.VirtualMemory.percent), '2min'), 0)");
    const json* p = panel_titled(d, "Data from the node");
    ASSERT_NE(p, nullptr);
    const json& options = (*p)["fieldConfig"]["defaults"]["mappings"][0]["options"];
    EXPECT_EQ(options["1"]["text"], "REPORTING");
    EXPECT_EQ(options["0"]["text"], "NO DATA");
    EXPECT_EQ(first_target(d, "Booted"), "aliasByNode(scale($host.BootTime, 1000), 0)");
}

TEST(NodeDashboard, FabricAndFileSystemPanels) {
    json d = node_dashboard(DashboardOptions{"site", "Graphite"});
    EXPECT_EQ(first_target(d, "InfiniBand traffic"),
              "aliasByNode(site.$host.InfiniBand.*.*.{xmit,rcv}_bytes_per_s, 1, 3, 4, 5)");
    EXPECT_EQ(first_target(d, "InfiniBand errors"),
              "aliasByNode(perSecond(interpolate(site.$host.InfiniBand.*.*.errors, 120)), 1, 3, 4)");
    EXPECT_EQ(first_target(d, "NFS traffic"), "aliasByNode(site.$host.NFSClient.*.{read,write}_bytes_per_s, 1, 3, 4)");
    EXPECT_EQ(first_target(d, "Lustre traffic"),
              "aliasByNode(site.$host.LustreClient.*.{read,write}_bytes_per_s, 1, 3, 4)");
    EXPECT_EQ(first_target(d, "File system operations"),
              "aliasByNode(site.$host.{NFSClient,LustreClient}.*.ops_per_s, 1, 2, 3)");
    EXPECT_EQ(unit_of(d, "InfiniBand traffic"), "Bps");
}

TEST(NodeDashboard, TopProcessTablesPivotTheSeriesNames) {
    json d = node_dashboard(DashboardOptions{});
    EXPECT_EQ(first_target(d, "Busiest processes"), "aliasByNode($host.TopProcesses.cpu.*.*.*.*, 0, 3, 4, 5, 6)");
    EXPECT_EQ(first_target(d, "Largest processes"), "aliasByNode($host.TopProcesses.memory.*.*.*.*, 0, 3, 4, 5, 6)");
    const json* p = panel_titled(d, "Busiest processes");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ((*p)["type"], "table");
    EXPECT_EQ((*p)["timeFrom"], "5m");
    const json& steps = (*p)["transformations"];
    ASSERT_EQ(steps.size(), 5u);
    // "n1.1.alice.python3.cpu_percent" -> process "n1/1/alice/python3", column cpu_percent.
    EXPECT_EQ(steps[0]["options"]["regex"], "^([^.]+)\\.([^.]+)\\.([^.]+)\\.([^.]+)\\.([^.]+)$");
    EXPECT_EQ(steps[0]["options"]["renamePattern"], "process=$1/$2/$3/$4 field=$5");
    EXPECT_EQ(steps[1]["options"]["mode"], "seriesToRows");
    EXPECT_EQ(steps[2]["options"]["format"], "kvp");
    EXPECT_EQ(steps[3]["options"], json({{"columnField", "field"}, {"rowField", "process"}, {"valueField", "Last *"}}));
    EXPECT_EQ(steps[4]["options"]["sort"][0], json({{"field", "cpu_percent"}, {"desc", true}}));
    EXPECT_EQ((*panel_titled(d, "Largest processes"))["transformations"][4]["options"]["sort"][0]["field"], "rss_bytes");
    std::map<std::string, std::string> units;
    for (const auto& o : (*p)["fieldConfig"]["overrides"]) units[o["matcher"]["options"]] = o["properties"][0]["value"];
    EXPECT_EQ(units, (std::map<std::string, std::string>{
                         {"cpu_percent", "percent"}, {"rss_bytes", "bytes"}, {"pid", "none"}, {"jobid", "none"}}));
    EXPECT_TRUE(lint_dashboard(d).empty());
}

TEST(NodeDashboard, GpuRowFromTheGpuSensor) {
    json d = node_dashboard(DashboardOptions{});
    EXPECT_EQ(first_target(d, "GPU utilisation (heat map)"), "aliasByNode($host.GPU.*.util_percent, 0, 2)");
    EXPECT_EQ(first_target(d, "GPU memory"), "aliasByNode($host.GPU.*.{memory_used,memory_total}, 0, 2, 3)");
    EXPECT_EQ(first_target(d, "GPU power"), "aliasByNode($host.GPU.*.power_watts, 0, 2)");
    EXPECT_EQ(first_target(d, "GPU temperature"), "aliasByNode($host.GPU.*.temperature_celsius, 0, 2)");
}

}  // namespace
}  // namespace fructosa
