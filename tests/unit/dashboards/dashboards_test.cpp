// What every generated dashboard shares (dashboards.h): the checks pass with and without a
// metric prefix, uids, the datasource variable, Grafana unit ids, rates of counters, the
// prefix in front of every path, the marker of optional panels.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dashboards/dashboard_lint.h"
#include "dashboards/dashboards.h"
#include "dashboards/grafana.h"
#include "tests/unit/dashboards/dashboard_test_util.h"

namespace fructosa {
namespace {

using nlohmann::json;
using namespace fructosa::test;

TEST(DashboardModel, EveryDashboardPassesTheChecks) {
    for (const std::string prefix : {"", "clusterA", "site.clusterB"})
        for (const auto& [name, d] : every_dashboard(prefix)) {
            auto problems = lint_dashboard(d);
            std::string all;
            for (const auto& p : problems) all += p + "\n";
            EXPECT_TRUE(problems.empty()) << name << " (prefix '" << prefix << "'):\n" << all;
            EXPECT_GE(all_panels(d).size(), 15u) << name;
        }
}

TEST(DashboardModel, UidsArePeradsAndPerHost) {
    auto ds = every_dashboard("");
    EXPECT_EQ(ds["node"]["uid"], "fructosa-node");
    EXPECT_EQ(ds["cluster"]["uid"], "fructosa-cluster");
    EXPECT_EQ(ds["job"]["uid"], "fructosa-job");  // perad show prints /d/fructosa-job/...
    EXPECT_EQ(ds["host"]["uid"], "fructosa-node-GPU-Node7");
    EXPECT_EQ(ds["job"]["schemaVersion"], grafana::kSchemaVersion);
}

TEST(DashboardModel, DatasourceComesFromTheVariable) {
    for (const auto& [name, d] : every_dashboard("")) {
        const json& ds = d["templating"]["list"][0];
        EXPECT_EQ(ds["type"], "datasource") << name;
        EXPECT_EQ(ds["query"], "graphite") << name;
        EXPECT_EQ(ds["name"], "ds") << name;
        EXPECT_EQ(ds["current"]["value"], "Graphite") << name;
        for (const json* p : all_panels(d)) {
            if ((*p)["type"] == "row" || (*p)["type"] == "text") continue;
            EXPECT_EQ((*p)["datasource"]["uid"], "${ds}") << name << ": " << (*p)["title"];
        }
    }
    json other = cluster_dashboard(DashboardOptions{"", "graphite-prod"});
    EXPECT_EQ(other["templating"]["list"][0]["current"]["value"], "graphite-prod");
}

TEST(DashboardModel, UnitsAreTheIntendedGrafanaIds) {
    auto ds = every_dashboard("");
    const json& node = ds["node"];
    EXPECT_EQ(unit_of(node, "CPU clock"), "hertz");  // MHz scaled to Hz, not "rotmhz"
    EXPECT_NE(first_target(node, "CPU clock").find("1000000"), std::string::npos);
    EXPECT_EQ(unit_of(node, "Mean CPU load"), "percent");
    EXPECT_EQ(unit_of(node, "Memory"), "bytes");
    EXPECT_EQ(unit_of(node, "Traffic"), "Bps");
    EXPECT_EQ(unit_of(node, "Packets"), "pps");
    EXPECT_EQ(unit_of(node, "Disk operations"), "iops");
    EXPECT_EQ(unit_of(node, "Temperatures"), "celsius");
    EXPECT_EQ(unit_of(node, "Fans"), "rotrpm");
    EXPECT_EQ(unit_of(node, "Booted"), "dateTimeFromNow");
    EXPECT_EQ(unit_of(ds["job"], "Memory against the limit"), "bytes");
    EXPECT_EQ(unit_of(ds["job"], "CPU efficiency per node (of allocated cores)"), "percent");
    EXPECT_EQ(unit_of(ds["job"], "I/O throughput"), "Bps");
    EXPECT_EQ(unit_of(ds["cluster"], "lmaster throughput"), "cps");
}

TEST(DashboardModel, CumulativeCountersAreRates) {
    auto ds = every_dashboard("");
    for (const char* title : {"Context switches and interrupts", "Traffic", "Packets", "Errors and drops",
                              "Disk throughput", "Disk operations", "Swap traffic"})
        EXPECT_NE(first_target(ds["node"], title).find("perSecond("), std::string::npos) << title;
    EXPECT_NE(first_target(ds["cluster"], "lmaster throughput").find("perSecond("), std::string::npos);
}

TEST(DashboardModel, PrefixGoesInFrontAndShiftsTheHostNode) {
    json d = node_dashboard(DashboardOptions{"site.clusterB", "Graphite"});
    EXPECT_EQ(first_target(d, "Memory used"), "aliasByNode(site.clusterB.$host.VirtualMemory.percent, 2)");
    const json& host = d["templating"]["list"][1];
    EXPECT_EQ(host["query"], "expand(site.clusterB.*.CPUPercent)");
    EXPECT_EQ(host["regex"], "/^site\\.clusterB\\.([^.]+)\\.CPUPercent$/");
    json j = job_dashboard(DashboardOptions{"p", "Graphite"});
    EXPECT_EQ(j["templating"]["list"][1]["query"], "p.jobs.*");
    EXPECT_EQ(first_target(j, "CPU usage per node (of one core)"), "aliasByNode(p.jobs.$jobid.*.cpu.usage_percent, 3)");
    EXPECT_EQ(first_target(j, "perad class"), "aliasByNode(p.fructosa.perad.jobs.$jobid.class.*, 6)");
}

TEST(DashboardModel, OptionalPanelsAreMarkedAndOnlyThose) {
    std::vector<std::string> marked;
    for (const auto& [name, d] : every_dashboard(""))
        for (const json* p : all_panels(d))
            if (p->value("description", "").find(grafana::kOptionalMarker) != std::string::npos)
                marked.push_back(name + ":" + p->value("title", ""));
    std::sort(marked.begin(), marked.end());
    const std::vector<std::string> node = {"Fans",        "File system operations", "GPU memory", "GPU power",
                                           "GPU temperature", "GPU utilisation (heat map)", "InfiniBand errors",
                                           "InfiniBand traffic", "Instructions per cycle", "Logged-in sessions",
                                           "Lustre traffic",   "NFS traffic",         "Temperatures"};
    std::vector<std::string> want;
    for (const char* d : {"host", "node"})
        for (const auto& t : node) want.push_back(std::string(d) + ":" + t);
    for (const char* t : {"GPU energy since the job's start", "GPU memory used", "GPU power", "GPU utilisation",
                          "I/O operations", "I/O throughput", "Instructions per cycle per node",
                          "Pressure (full, 10 s average)", "Pressure (some, 10 s average)"})
        want.push_back(std::string("job:") + t);
    for (const char* t : {"Mean GPU utilisation", "Nodes with GPUs reporting"})
        want.push_back(std::string("cluster:") + t);
    std::sort(want.begin(), want.end());
    EXPECT_EQ(marked, want);
}

}  // namespace
}  // namespace fructosa
