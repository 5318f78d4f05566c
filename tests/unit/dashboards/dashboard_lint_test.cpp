// The checker of generated dashboards finds what it should on broken ones.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "dashboards/dashboard_lint.h"
#include "dashboards/dashboards.h"

namespace fructosa {
namespace {

using nlohmann::json;

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

TEST(DashboardLint, FindsUnknownOverrideUnitsAndTransformations) {
    json d = broken();
    d["panels"][1]["fieldConfig"]["overrides"] = json::array(
        {{{"matcher", {{"id", "byName"}, {"options", "x"}}}, {"properties", json::array({{{"id", "unit"}, {"value", "byts"}}})}}});
    d["panels"][1]["transformations"] = json::array({{{"id", "groupingToMatrixx"}, {"options", json::object()}},
                                                     {{"id", "reduce"}}});
    auto problems = lint_dashboard(d);
    EXPECT_TRUE(mentions(problems, "unknown unit 'byts' in an override"));
    EXPECT_TRUE(mentions(problems, "unknown transformation 'groupingToMatrixx' or no options"));
    EXPECT_TRUE(mentions(problems, "unknown transformation 'reduce' or no options"));
    EXPECT_EQ(problems.size(), 3u);
}

TEST(DashboardLint, VariablesUsedIgnoresGrafanasOwnAndRegexDollars) {
    EXPECT_EQ(variables_used("aliasSub(a.$host.b, '$', ' limit')"), (std::set<std::string>{"host"}));
    EXPECT_EQ(variables_used("${ds} [[jobid]] ${host:pipe} $__interval"),
              (std::set<std::string>{"ds", "jobid", "host"}));
}


TEST(DashboardLint, AllPanelsIncludesRowChildrenInOrder) {
    json d = {{"panels",
               {{{"type", "row"}, {"title", "r"}, {"panels", {{{"title", "a"}}, {{"title", "b"}}}}},
                {{"type", "text"}, {"title", "c"}}}}};
    std::vector<std::string> titles;
    for (const json* p : all_panels(d)) titles.push_back(p->value("title", ""));
    EXPECT_EQ(titles, (std::vector<std::string>{"r", "a", "b", "c"}));
    EXPECT_TRUE(all_panels(json::array()).empty());
    EXPECT_TRUE(all_panels(json({{"panels", "none"}})).empty());
}

TEST(DashboardLint, KnownUnitsAreGrafanaIds) {
    for (const char* unit : {"percent", "bytes", "Bps", "hertz", "celsius", "rotrpm", "dateTimeFromNow", "none"})
        EXPECT_EQ(known_units().count(unit), 1u) << unit;
    for (const char* unit : {"rotmhz", "MHz", "", "Percent"}) EXPECT_EQ(known_units().count(unit), 0u) << unit;
}

TEST(DashboardLint, FindsMissingUidTitleAndTargets) {
    EXPECT_EQ(lint_dashboard(json::array()), (std::vector<std::string>{"not a JSON object"}));
    json d = broken();
    d.erase("uid");
    d["title"] = "";
    d.erase("schemaVersion");
    auto problems = lint_dashboard(d);
    EXPECT_TRUE(mentions(problems, "uid '' is empty"));
    EXPECT_TRUE(mentions(problems, "no title"));
    EXPECT_TRUE(mentions(problems, "no schemaVersion"));
    d = broken();
    d["uid"] = "has space";
    EXPECT_TRUE(mentions(lint_dashboard(d), "uid 'has space'"));
    d = broken();
    d["panels"][1]["targets"] = json::array();
    EXPECT_TRUE(mentions(lint_dashboard(d), "no targets"));
}

TEST(DashboardLint, FindsPanelsInsideAnOpenRowAndRepeatedRefIds) {
    json d = job_dashboard(DashboardOptions{});
    d["panels"].back()["collapsed"] = false;  // the GPU row keeps its panels inside
    EXPECT_TRUE(mentions(lint_dashboard(d), "inside a row that is not collapsed"));
    d = broken();
    d["panels"][1]["targets"].push_back(d["panels"][1]["targets"][0]);
    EXPECT_TRUE(mentions(lint_dashboard(d), "missing or repeated refId A"));
}

TEST(DashboardLint, FindsVariablesUsedBeforeTheyAreDefined) {
    json d = job_dashboard(DashboardOptions{});
    auto& vars = d["templating"]["list"];
    std::swap(vars[1], vars[2]);  // node's query uses $jobid
    EXPECT_TRUE(mentions(lint_dashboard(d), "variable 'node' uses $jobid defined after it or nowhere"));
    d = job_dashboard(DashboardOptions{});
    d["templating"]["list"].push_back(d["templating"]["list"][1]);
    EXPECT_TRUE(mentions(lint_dashboard(d), "variable 'jobid' empty or repeated"));
}

}  // namespace
}  // namespace fructosa
