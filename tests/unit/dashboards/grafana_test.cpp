// Building blocks of dashboard JSON (grafana.h): the grid layout hands out ids and positions
// without overlaps; panels, variables and the dashboard carry what Grafana expects.
#include <gtest/gtest.h>

#include "dashboards/grafana.h"

namespace fructosa::grafana {
namespace {

TEST(Layout, WrapsAtTwentyFourColumnsAndStacksRows) {
    Layout l;
    l.row("A");
    l.add(text("1", ""), 16, 4);
    l.add(text("2", ""), 16, 6);  // does not fit beside 1: next line
    l.add(text("3", ""), 8, 2);
    l.row("B");
    l.add(text("4", ""), 24, 3);
    json p = l.take();
    ASSERT_EQ(p.size(), 6u);
    EXPECT_EQ(p[0]["gridPos"], json({{"x", 0}, {"y", 0}, {"w", 24}, {"h", 1}}));
    EXPECT_EQ(p[1]["gridPos"], json({{"x", 0}, {"y", 1}, {"w", 16}, {"h", 4}}));
    EXPECT_EQ(p[2]["gridPos"], json({{"x", 0}, {"y", 5}, {"w", 16}, {"h", 6}}));
    EXPECT_EQ(p[3]["gridPos"], json({{"x", 16}, {"y", 5}, {"w", 8}, {"h", 2}}));
    EXPECT_EQ(p[4]["gridPos"]["y"], 11);  // below the tallest panel of the line
    EXPECT_EQ(p[5]["gridPos"]["y"], 12);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(p[i]["id"], i + 1);
}

TEST(Layout, CollapsedRowKeepsItsPanelsInside) {
    Layout l;
    l.row("open");
    l.add(text("a", ""), 12, 8);
    l.row("closed", true);
    l.add(text("b", ""), 12, 8);
    l.add(text("c", ""), 12, 8);
    l.row("after");
    json p = l.take();
    ASSERT_EQ(p.size(), 4u);
    EXPECT_EQ(p[2]["title"], "closed");
    EXPECT_EQ(p[2]["panels"].size(), 2u);
    EXPECT_EQ(p[2]["gridPos"]["y"], 9);
    EXPECT_EQ(p[2]["panels"][0]["gridPos"]["y"], 10);
    EXPECT_EQ(p[3]["gridPos"]["y"], 10);  // a collapsed row takes one line
}

TEST(Layout, RefusesImpossibleSizes) {
    Layout l;
    EXPECT_THROW(l.add(text("x", ""), 25, 4), std::logic_error);
    EXPECT_THROW(l.add(text("x", ""), 0, 4), std::logic_error);
}

TEST(Grafana, UidsAreCutAndCleaned) {
    EXPECT_EQ(make_uid("fructosa-node-node.a b"), "fructosa-node-node-a-b");
    EXPECT_EQ(make_uid(std::string(60, 'x')).size(), 40u);
}

}  // namespace
}  // namespace fructosa::grafana
