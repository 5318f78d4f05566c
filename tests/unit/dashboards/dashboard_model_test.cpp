// JSON model checks of every generated dashboard (node, per-host, cluster, job, with
// and without a metric prefix), and of the checker itself on broken dashboards.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "dashboards/dashboard_lint.h"
#include "dashboards/dashboards.h"
#include "dashboards/grafana.h"

namespace fructosa {
namespace {

using nlohmann::json;

std::map<std::string, json> every_dashboard(const std::string& prefix) {
    DashboardOptions o{prefix, "Graphite"};
    return {{"node", node_dashboard(o)},
            {"host", host_dashboard(o, "GPU-Node7")},
            {"cluster", cluster_dashboard(o)},
            {"job", job_dashboard(o)}};
}

const json* panel_titled(const json& d, const std::string& title) {
    for (const json* p : all_panels(d))
        if (p->value("title", "") == title && (*p)["type"] != "row") return p;
    return nullptr;
}

std::string unit_of(const json& d, const std::string& title) {
    const json* p = panel_titled(d, title);
    if (!p) return "<no panel '" + title + "'>";
    return (*p)["fieldConfig"]["defaults"].value("unit", "");
}

std::string first_target(const json& d, const std::string& title) {
    const json* p = panel_titled(d, title);
    return p ? (*p)["targets"][0].value("target", "") : "<no panel '" + title + "'>";
}

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

TEST(DashboardModel, HostNamesKeepTheirCase) {
    json d = host_dashboard(DashboardOptions{}, "GPU-Node7");
    EXPECT_EQ(d["title"], "FrUCToSA node GPU-Node7");
    const json& host = d["templating"]["list"][1];
    ASSERT_EQ(host["name"], "host");
    EXPECT_EQ(host["current"]["value"], json::array({"GPU-Node7"}));
    EXPECT_EQ(d.dump().find("gpu-node7"), std::string::npos);
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

TEST(DashboardModel, HostVariableListsHostsFromExpandedPaths) {
    json d = node_dashboard(DashboardOptions{});
    const json& host = d["templating"]["list"][1];
    EXPECT_EQ(host["query"], "expand(*.CPUPercent)");
    EXPECT_EQ(host["regex"], "/^([^.]+)\\.CPUPercent$/");
    EXPECT_TRUE(host["multi"].get<bool>());
    EXPECT_TRUE(host["includeAll"].get<bool>());
}

TEST(DashboardModel, OptionalPanelsAreMarkedAndOnlyThose) {
    std::vector<std::string> marked;
    for (const auto& [name, d] : every_dashboard(""))
        for (const json* p : all_panels(d))
            if (p->value("description", "").find(grafana::kOptionalMarker) != std::string::npos)
                marked.push_back(name + ":" + p->value("title", ""));
    std::sort(marked.begin(), marked.end());
    EXPECT_EQ(marked, (std::vector<std::string>{"host:Fans", "host:Logged-in sessions", "host:Temperatures",
                                                 "job:GPU memory", "job:GPU utilisation", "job:I/O operations",
                                                 "job:I/O throughput", "job:Pressure (full, 10 s average)",
                                                 "job:Pressure (some, 10 s average)", "node:Fans",
                                                 "node:Logged-in sessions", "node:Temperatures"}));
}

TEST(DashboardModel, GpuRowIsCollapsedWithItsPanelsInside) {
    json d = job_dashboard(DashboardOptions{});
    const json& last = d["panels"].back();
    EXPECT_EQ(last["type"], "row");
    EXPECT_EQ(last["title"], "GPU");
    EXPECT_TRUE(last["collapsed"].get<bool>());
    ASSERT_EQ(last["panels"].size(), 2u);
    EXPECT_NE(last["panels"][0]["targets"][0]["target"].get<std::string>().find("jobs.$jobid.*.gpu."), std::string::npos);
}

// --- the checker finds what it should --------------------------------------------------

json broken() { return cluster_dashboard(DashboardOptions{}); }

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
    for (const auto& p : problems)
        if (p.find(text) != std::string::npos) return true;
    return false;
}

TEST(DashboardLint, FindsRepeatedIds) {
    json d = broken();
    d["panels"][2]["id"] = d["panels"][1]["id"];
    EXPECT_TRUE(mentions(lint_dashboard(d), "repeated"));
}

TEST(DashboardLint, FindsBadGridPositions) {
    json d = broken();
    d["panels"][1]["gridPos"]["h"] = "8";
    EXPECT_TRUE(mentions(lint_dashboard(d), "gridPos.h is not an integer"));
    d = broken();
    d["panels"][1]["gridPos"]["w"] = 25;
    EXPECT_TRUE(mentions(lint_dashboard(d), "out of the 24-column grid"));
    d = broken();
    d["panels"][2]["gridPos"] = d["panels"][1]["gridPos"];
    EXPECT_TRUE(mentions(lint_dashboard(d), "overlaps"));
}

TEST(DashboardLint, FindsUndefinedVariablesAndMissingDatasource) {
    json d = broken();
    d["panels"][1]["targets"][0]["target"] = "$nohost.CPUCount";
    EXPECT_TRUE(mentions(lint_dashboard(d), "undefined $nohost"));
    d = broken();
    d["templating"]["list"].erase(0);
    auto problems = lint_dashboard(d);
    EXPECT_TRUE(mentions(problems, "no datasource variable"));
    EXPECT_TRUE(mentions(problems, "undefined $ds") || mentions(problems, "datasource"));
    d = broken();
    d["panels"][1]["datasource"] = {{"type", "graphite"}, {"uid", "P1809F7CD0C75ACF3"}};
    EXPECT_TRUE(mentions(lint_dashboard(d), "datasource is not ${ds}"));
}

TEST(DashboardLint, FindsUnknownUnits) {
    json d = broken();
    d["panels"][1]["fieldConfig"]["defaults"]["unit"] = "rotmhz";
    EXPECT_TRUE(mentions(lint_dashboard(d), "unknown unit 'rotmhz'"));
}

TEST(DashboardLint, VariablesUsedIgnoresGrafanasOwnAndRegexDollars) {
    EXPECT_EQ(variables_used("aliasSub(a.$host.b, '$', ' limit')"), (std::set<std::string>{"host"}));
    EXPECT_EQ(variables_used("${ds} [[jobid]] ${host:pipe} $__interval"),
              (std::set<std::string>{"ds", "jobid", "host"}));
}

}  // namespace
}  // namespace fructosa
