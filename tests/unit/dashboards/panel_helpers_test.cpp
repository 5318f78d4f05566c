// Shared pieces of the three generators (panel_helpers.h): Graphite expressions and panel
// specs in one line each.
#include <gtest/gtest.h>

#include <string>

#include "dashboards/panel_helpers.h"

namespace fructosa::grafana {
namespace {

TEST(PanelHelpers, GraphiteExpressions) {
    EXPECT_EQ(by_node("a.*.b", {1}), "aliasByNode(a.*.b, 1)");
    EXPECT_EQ(by_node("jobs.$jobid.*.x", {2, 4}), "aliasByNode(jobs.$jobid.*.x, 2, 4)");
    EXPECT_EQ(by_node("x", {}), "aliasByNode(x)");
    // perSecond alone sees a null before every point in Graphite's one-second slots.
    EXPECT_EQ(rate("h.NetIOCounters.bytes_recv"), "perSecond(interpolate(h.NetIOCounters.bytes_recv, 120))");
    EXPECT_EQ(reporting("h.VirtualMemory.percent"), "movingMax(isNonNull(h.VirtualMemory.percent), '2min')");
}

TEST(PanelHelpers, SpecsInOneLine) {
    PanelSpec s = spec("Memory", "bytes", {"a", "b"}, "tip");
    EXPECT_EQ(s.title, "Memory");
    EXPECT_EQ(s.unit, "bytes");
    ASSERT_EQ(s.targets.size(), 2u);
    EXPECT_EQ(s.targets[1].expr, "b");
    EXPECT_FALSE(s.targets[1].hidden);
    EXPECT_EQ(s.description, "tip");
    EXPECT_FALSE(s.has_min);
    EXPECT_FALSE(s.has_max);
    EXPECT_EQ(s.decimals, -1);
    PanelSpec p = percent_spec("Load", {"c"});
    EXPECT_EQ(p.unit, "percent");
    EXPECT_TRUE(p.has_min && p.has_max);
    EXPECT_EQ(p.min, 0);
    EXPECT_EQ(p.max, 100);
    EXPECT_EQ(p.description, "");
}

}  // namespace
}  // namespace fructosa::grafana
