// The job dashboard: one job's series per node, its variables, the collapsed GPU row.
#include <gtest/gtest.h>

#include <string>

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
    ASSERT_EQ(last["panels"].size(), 2u);
    EXPECT_NE(last["panels"][0]["targets"][0]["target"].get<std::string>().find("jobs.$jobid.*.gpu."), std::string::npos);
}

}  // namespace
}  // namespace fructosa
