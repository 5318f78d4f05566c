// The job dashboard: one job's series per node, its variables, the collapsed GPU row of
// lagent's per-job GPU series.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dashboards/dashboards.h"
#include "tests/unit/dashboards/dashboard_test_util.h"

namespace fructosa {
namespace {

using nlohmann::json;
using namespace fructosa::test;

TEST(DashboardModel, GpuRowIsCollapsedWithItsPanelsInside) {
    json d = job_dashboard(DashboardOptions{});
    const json& last = d["panels"].back();
    EXPECT_EQ(last["type"], "row");
    EXPECT_EQ(last["title"], "GPU");
    EXPECT_TRUE(last["collapsed"].get<bool>());
    ASSERT_EQ(last["panels"].size(), 4u);
    std::vector<std::string> targets;
    for (const auto& panel : last["panels"]) targets.push_back(panel["targets"][0]["target"]);
    EXPECT_EQ(targets, (std::vector<std::string>{"aliasByNode(jobs.$jobid.*.gpu.*.util_percent, 2, 4)",
                                                  "aliasByNode(jobs.$jobid.*.gpu.*.memory_used, 2, 4)",
                                                  "aliasByNode(jobs.$jobid.*.gpu.*.power_watts, 2, 4)",
                                                  "aliasByNode(jobs.$jobid.*.gpu.*.energy_joules, 2, 4)"}));
}

TEST(JobDashboard, InstructionsPerCycleWhereMeasured) {
    json d = job_dashboard(DashboardOptions{});
    EXPECT_EQ(first_target(d, "Instructions per cycle per node"), "aliasByNode(jobs.$jobid.*.cpu.ipc, 2)");
    EXPECT_EQ(unit_of(d, "Instructions per cycle per node"), "none");
}

TEST(JobDashboard, JobAndNodeVariables) {
    json d = job_dashboard(DashboardOptions{});
    const json& vars = d["templating"]["list"];
    ASSERT_EQ(vars.size(), 3u);
    EXPECT_EQ(vars[1]["name"], "jobid");
    EXPECT_EQ(vars[1]["query"], "jobs.*");
    EXPECT_EQ(vars[1]["sort"], 4);  // newest job first
    EXPECT_FALSE(vars[1]["multi"].get<bool>());
    EXPECT_EQ(vars[2]["name"], "node");
    EXPECT_EQ(vars[2]["query"], "jobs.$jobid.*");
    EXPECT_TRUE(vars[2]["multi"].get<bool>());
    EXPECT_EQ(vars[2]["current"]["value"], json::array({"$__all"}));
    EXPECT_EQ(first_target(d, "Node memory used (all jobs and system)"),
              "aliasByNode($node.VirtualMemory.percent, 0)");
}

TEST(JobDashboard, RowsInOrder) {
    json d = job_dashboard(DashboardOptions{});
    std::vector<std::string> rows;
    for (const auto& p : d["panels"])
        if (p["type"] == "row") rows.push_back(p["title"]);
    EXPECT_EQ(rows, (std::vector<std::string>{"Job $jobid", "CPU", "Memory", "I/O", "Pressure stall information",
                                               "Whole nodes of the job", "GPU"}));
    EXPECT_EQ(d["title"], "FrUCToSA job");
    EXPECT_EQ(d["refresh"], "30s");
}

TEST(JobDashboard, MemoryLimitIsADashedSeries) {
    json d = job_dashboard(DashboardOptions{});
    const json* p = panel_titled(d, "Memory against the limit");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ((*p)["targets"][0]["target"], "aliasByNode(jobs.$jobid.*.memory.current, 2)");
    EXPECT_EQ((*p)["targets"][1]["target"], "aliasSub(aliasByNode(jobs.$jobid.*.memory.limit, 2), '$', ' limit')");
    EXPECT_EQ((*p)["targets"][1]["refId"], "B");
    EXPECT_EQ((*p)["fieldConfig"]["overrides"][0]["matcher"], json({{"id", "byRegexp"}, {"options", "/ limit$/"}}));
}

TEST(JobDashboard, EfficiencyColoursAndUnclassifiedText) {
    json d = job_dashboard(DashboardOptions{});
    const json* eff = panel_titled(d, "Mean CPU efficiency");
    ASSERT_NE(eff, nullptr);
    EXPECT_EQ((*eff)["fieldConfig"]["defaults"]["thresholds"]["steps"],
              json::array({{{"color", "red"}, {"value", nullptr}},
                           {{"color", "orange"}, {"value", 25}},
                           {{"color", "green"}, {"value", 50}}}));
    EXPECT_EQ((*eff)["options"]["reduceOptions"]["calcs"], json::array({"mean"}));
    const json* cls = panel_titled(d, "perad class");
    ASSERT_NE(cls, nullptr);
    EXPECT_EQ((*cls)["fieldConfig"]["defaults"]["noValue"], "not classified (yet)");
    EXPECT_EQ((*cls)["options"]["textMode"], "name");
}

}  // namespace
}  // namespace fructosa
