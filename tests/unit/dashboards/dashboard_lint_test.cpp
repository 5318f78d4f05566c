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

TEST(DashboardLint, VariablesUsedIgnoresGrafanasOwnAndRegexDollars) {
    EXPECT_EQ(variables_used("aliasSub(a.$host.b, '$', ' limit')"), (std::set<std::string>{"host"}));
    EXPECT_EQ(variables_used("${ds} [[jobid]] ${host:pipe} $__interval"),
              (std::set<std::string>{"ds", "jobid", "host"}));
}

}  // namespace
}  // namespace fructosa
