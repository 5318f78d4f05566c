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

}  // namespace
}  // namespace fructosa
