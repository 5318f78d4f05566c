// The cluster dashboard: every node at a glance, the jobs, FrUCToSA's own pipeline, and
// links from per-node series to the node dashboard.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dashboards/dashboard_lint.h"
#include "dashboards/dashboards.h"
#include "tests/unit/dashboards/dashboard_test_util.h"

namespace fructosa {
namespace {

using nlohmann::json;
using namespace fructosa::test;

std::vector<std::string> row_titles(const json& d) {
    std::vector<std::string> out;
    for (const auto& p : d["panels"])
        if (p["type"] == "row") out.push_back(p["title"]);
    return out;
}

TEST(ClusterDashboard, WhatItIsAndItsRows) {
    json d = cluster_dashboard(DashboardOptions{});
    EXPECT_EQ(d["uid"], "fructosa-cluster");
    EXPECT_EQ(d["title"], "FrUCToSA cluster");
    EXPECT_EQ(d["tags"], json({"fructosa", "cluster"}));
    EXPECT_EQ(d["time"], json({{"from", "now-6h"}, {"to", "now"}}));
    EXPECT_EQ(d["refresh"], "1m");
    EXPECT_EQ(row_titles(d), (std::vector<std::string>{"Cluster now", "Nodes at a glance", "GPUs", "Jobs",
                                                         "FrUCToSA pipeline (lmaster and lagents)"}));
    ASSERT_EQ(d["templating"]["list"].size(), 1u);  // only the datasource: all nodes, no picking
}

TEST(ClusterDashboard, GpuPanelsPerNode) {
    json d = cluster_dashboard(DashboardOptions{});
    EXPECT_EQ(first_target(d, "GPU utilisation per node (heat map)"), "groupByNode(*.GPU.*.util_percent, 0, 'average')");
    EXPECT_EQ(first_target(d, "GPU memory used per node"), "groupByNode(exclude(*.GPU.*.memory_used, '_mig'), 0, 'sum')");
    EXPECT_EQ(first_target(d, "GPU power per node"), "groupByNode(*.GPU.*.power_watts, 0, 'sum')");
    EXPECT_EQ(first_target(cluster_dashboard(DashboardOptions{"p", "Graphite"}), "GPU power per node"),
              "groupByNode(p.*.GPU.*.power_watts, 1, 'sum')");
}

TEST(ClusterDashboard, NodesReportingAndSilentFromOneSeries) {
    json d = cluster_dashboard(DashboardOptions{});
    EXPECT_EQ(first_target(d, "Nodes reporting"),
              "sumSeries(movingMax(isNonNull(*.VirtualMemory.percent), '2min'))");
    EXPECT_EQ(first_target(d, "Nodes not reporting"),
              "sumSeries(offset(scale(movingMax(isNonNull(*.VirtualMemory.percent), '2min'), -1), 1))");
    const json* silent = panel_titled(d, "Nodes not reporting");
    ASSERT_NE(silent, nullptr);
    EXPECT_EQ((*silent)["fieldConfig"]["defaults"]["thresholds"]["steps"][1],
              json({{"color", "orange"}, {"value", 1}}));
}

TEST(ClusterDashboard, PerNodeHeatMapsLinkToTheNodeDashboard) {
    json d = cluster_dashboard(DashboardOptions{});
    std::vector<std::string> linked;
    for (const json* p : all_panels(d)) {
        if (!p->contains("fieldConfig") || !(*p)["fieldConfig"]["defaults"].contains("links")) continue;
        linked.push_back((*p)["title"]);
        EXPECT_EQ((*p)["fieldConfig"]["defaults"]["links"][0]["url"],
                  "/d/fructosa-node/fructosa-node?var-host=${__field.displayName}&${__url_time_range}"
                  "&var-ds=${ds}");
    }
    EXPECT_EQ(linked, (std::vector<std::string>{"CPU load per node (heat map)", "Memory used per node (heat map)",
                                                 "Nodes reporting", "GPU utilisation per node (heat map)"}));
}

TEST(ClusterDashboard, DaemonSeriesSitUnderFructosaAfterThePrefix) {
    json plain = cluster_dashboard(DashboardOptions{});
    EXPECT_EQ(first_target(plain, "Jobs running"), "sumSeries(fructosa.lagent.*.jobs_tracked)");
    EXPECT_EQ(first_target(plain, "lmaster throughput"),
              "aliasByNode(perSecond(interpolate(fructosa.lmaster.*.{points_in,points_out}, 120)), 2, 3)");
    json prefixed = cluster_dashboard(DashboardOptions{"site.c", "Graphite"});
    EXPECT_EQ(first_target(prefixed, "Jobs running"), "sumSeries(site.c.fructosa.lagent.*.jobs_tracked)");
    EXPECT_EQ(first_target(prefixed, "lmaster throughput"),
              "aliasByNode(perSecond(interpolate(site.c.fructosa.lmaster.*.{points_in,points_out}, 120)), 4, 5)");
    EXPECT_EQ(first_target(prefixed, "Memory used per node (heat map)"),
              "aliasByNode(site.c.*.VirtualMemory.percent, 2)");
}

TEST(ClusterDashboard, GraphiteConnectionShownAsText) {
    json d = cluster_dashboard(DashboardOptions{});
    const json* p = panel_titled(d, "Graphite connected");
    ASSERT_NE(p, nullptr);
    const json& options = (*p)["fieldConfig"]["defaults"]["mappings"][0]["options"];
    EXPECT_EQ(options["1"]["text"], "connected");
    EXPECT_EQ(options["0"]["text"], "DISCONNECTED");
    EXPECT_EQ(options["0"]["color"], "red");
}

}  // namespace
}  // namespace fructosa
