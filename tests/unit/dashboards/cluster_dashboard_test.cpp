// The cluster dashboard: built only from lmaster's cluster figures (one series set per
// lmaster, added up), so that it stays fast at 10,000 nodes; the jobs and FrUCToSA's own
// pipeline.
#include <gtest/gtest.h>

#include <regex>
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

std::vector<std::string> every_target(const json& d) {
    std::vector<std::string> out;
    for (const json* p : all_panels(d))
        if (p->contains("targets"))
            for (const auto& t : (*p)["targets"]) out.push_back(t.value("target", ""));
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

TEST(ClusterDashboard, EveryTargetReadsOnlyTheLmastersSeriesNeverOnePerNode) {
    for (const std::string prefix : {"", "site.c"}) {
        std::string pre = prefix.empty() ? "" : prefix + "\\.";
        // Every series pattern names lmaster's cluster figures or lmaster's own series;
        // none starts with a host wildcard, none is lagent's per node or a job's.
        std::regex ours("^" + pre + "fructosa\\.(cluster|lmaster)\\.\\*\\.[A-Za-z0-9_.{},*]+$");
        std::regex pattern("[A-Za-z0-9_*{},]+(\\.[A-Za-z0-9_*{},]+)+");
        auto targets = every_target(cluster_dashboard(DashboardOptions{prefix, "Graphite"}));
        ASSERT_GT(targets.size(), 20u);
        for (const auto& t : targets) {
            // Drop quoted arguments ('sum', 'cpu_percent_sum', ...), then look at each dotted path.
            std::string text = std::regex_replace(t, std::regex("'[^']*'"), "''");
            int paths = 0;
            for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it) {
                ++paths;
                EXPECT_TRUE(std::regex_match(it->str(), ours)) << it->str() << " in " << t;
            }
            EXPECT_GT(paths, 0) << t;
        }
    }
}

TEST(ClusterDashboard, MeansAreSumsOverCountsAddedUpOverTheLmasters) {
    json d = cluster_dashboard(DashboardOptions{});
    EXPECT_EQ(first_target(d, "Mean CPU load"),
              "divideSeries(sumSeries(fructosa.cluster.*.cpu_percent_sum), sumSeries(fructosa.cluster.*.cpu_percent_count))");
    EXPECT_EQ(first_target(d, "Nodes reporting"), "sumSeries(fructosa.cluster.*.nodes_reporting)");
    EXPECT_EQ(first_target(d, "Jobs running"), "sumSeries(fructosa.cluster.*.jobs_running)");
    EXPECT_EQ(first_target(d, "Mean CPU load per partition"),
              "aliasByNode(reduceSeries(mapSeries(groupByNodes(fructosa.cluster.*.partition.*."
              "{cpu_percent_sum,cpu_percent_count}, 'sum', 4, 5), 0), 'divideSeries', 1, 'cpu_percent_sum', "
              "'cpu_percent_count'), 0)");
    json prefixed = cluster_dashboard(DashboardOptions{"site.c", "Graphite"});
    EXPECT_EQ(first_target(prefixed, "Nodes by CPU load (heat map)"),
              "groupByNode(site.c.fructosa.cluster.*.cpu_percent_nodes.*, 6, 'sum')");
    EXPECT_EQ(first_target(prefixed, "Nodes reporting per partition"),
              "groupByNode(site.c.fructosa.cluster.*.partition.*.nodes_reporting, 6, 'sum')");
}

TEST(ClusterDashboard, NodesNotReportingTurnOrangeFromOne) {
    json d = cluster_dashboard(DashboardOptions{});
    EXPECT_EQ(first_target(d, "Nodes not reporting"), "sumSeries(fructosa.cluster.*.nodes_silent)");
    const json* silent = panel_titled(d, "Nodes not reporting");
    ASSERT_NE(silent, nullptr);
    EXPECT_EQ((*silent)["fieldConfig"]["defaults"]["thresholds"]["steps"][1],
              json({{"color", "orange"}, {"value", 1}}));
}

TEST(ClusterDashboard, PipelineSeriesSitUnderFructosaAfterThePrefix) {
    json plain = cluster_dashboard(DashboardOptions{});
    EXPECT_EQ(first_target(plain, "lmaster throughput"),
              "aliasByNode(perSecond(interpolate(fructosa.lmaster.*.{points_in,points_out}, 120)), 2, 3)");
    EXPECT_EQ(first_target(plain, "Points waiting in lagents"),
              "alias(sumSeries(fructosa.cluster.*.lagents.points_queued), 'queued')");
    json prefixed = cluster_dashboard(DashboardOptions{"site.c", "Graphite"});
    EXPECT_EQ(first_target(prefixed, "lmaster throughput"),
              "aliasByNode(perSecond(interpolate(site.c.fructosa.lmaster.*.{points_in,points_out}, 120)), 4, 5)");
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
