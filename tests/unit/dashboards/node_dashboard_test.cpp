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
                                               "Hardware sensors", "GPUs", "Data delivery (lagent)"}));
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

TEST(NodeDashboard, GpuRowFromTheGpuSensor) {
    json d = node_dashboard(DashboardOptions{});
    EXPECT_EQ(first_target(d, "GPU utilisation (heat map)"), "aliasByNode($host.GPU.*.util_percent, 0, 2)");
    EXPECT_EQ(first_target(d, "GPU memory"), "aliasByNode($host.GPU.*.{memory_used,memory_total}, 0, 2, 3)");
    EXPECT_EQ(first_target(d, "GPU power"), "aliasByNode($host.GPU.*.power_watts, 0, 2)");
    EXPECT_EQ(first_target(d, "GPU temperature"), "aliasByNode($host.GPU.*.temperature_celsius, 0, 2)");
}

}  // namespace
}  // namespace fructosa
