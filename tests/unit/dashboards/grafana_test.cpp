// Building blocks of dashboard JSON (grafana.h): the grid layout hands out ids and positions
// without overlaps; panels, variables and the dashboard carry what Grafana expects.
#include <gtest/gtest.h>

#include "dashboards/grafana.h"
#include "dashboards/panel_helpers.h"

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

TEST(Layout, TakeEmptiesTheLayoutAndStartsAgain) {
    Layout l;
    l.add(text("a", ""), 24, 5);
    l.add(text("b", ""), 24, 5);
    EXPECT_EQ(l.take().size(), 2u);
    EXPECT_EQ(l.take(), json::array());
    l.add(text("c", ""), 6, 2);
    json p = l.take();
    EXPECT_EQ(p[0]["id"], 1);
    EXPECT_EQ(p[0]["gridPos"], json({{"x", 0}, {"y", 0}, {"w", 6}, {"h", 2}}));
}

TEST(Grafana, EveryQueryGoesThroughTheDatasourceVariable) {
    EXPECT_EQ(datasource_ref(), json({{"type", "graphite"}, {"uid", "${ds}"}}));
    json v = datasource_variable("graphite-prod");
    EXPECT_EQ(v["type"], "datasource");
    EXPECT_EQ(v["name"], "ds");
    EXPECT_EQ(v["query"], "graphite");
    EXPECT_EQ(v["current"], json({{"selected", true}, {"text", "graphite-prod"}, {"value", "graphite-prod"}}));
}

TEST(Grafana, TargetsAreLetteredAndMayBeHidden) {
    PanelSpec s = spec("T", "bytes", {"a.b", "c.d", "sumSeries(#A)"});
    s.targets[1].hidden = true;
    json p = timeseries(s);
    ASSERT_EQ(p["targets"].size(), 3u);
    EXPECT_EQ(p["targets"][0], json({{"refId", "A"}, {"target", "a.b"}, {"datasource", datasource_ref()}}));
    EXPECT_EQ(p["targets"][1]["refId"], "B");
    EXPECT_EQ(p["targets"][1]["hide"], true);
    EXPECT_EQ(p["targets"][2]["refId"], "C");
    EXPECT_FALSE(p["targets"][2].contains("hide"));
    PanelSpec many = spec("many", "none", std::vector<std::string>(27, "x"));
    EXPECT_THROW(timeseries(many), std::logic_error);
    many.targets.pop_back();
    EXPECT_EQ(timeseries(many)["targets"][25]["refId"], "Z");
}

TEST(Grafana, DataPanelDefaultsOnlyWhatIsSet) {
    PanelSpec bare = spec("Bare", "", {"x"});
    json p = stat(bare);
    EXPECT_EQ(p["type"], "stat");
    EXPECT_EQ(p["fieldConfig"]["defaults"], json({{"unit", "short"}}));
    EXPECT_FALSE(p.contains("description"));
    EXPECT_EQ(p["options"]["reduceOptions"]["calcs"], json::array({"lastNotNull"}));
    EXPECT_EQ(p["options"]["textMode"], "auto");
    PanelSpec full = percent_spec("Full", {"x"}, "tip");
    full.decimals = 1;
    json q = stat(full, "max", "value_and_name");
    EXPECT_EQ(q["fieldConfig"]["defaults"], json({{"unit", "percent"}, {"decimals", 1}, {"min", 0}, {"max", 100}}));
    EXPECT_EQ(q["description"], "tip");
    EXPECT_EQ(q["options"]["reduceOptions"]["calcs"], json::array({"max"}));
    EXPECT_EQ(q["options"]["textMode"], "value_and_name");
}

TEST(Grafana, TimeseriesStackedOrNot) {
    PanelSpec s = spec("T", "bytes", {"x"});
    json plain = timeseries(s);
    const json& lines = plain["fieldConfig"]["defaults"]["custom"];
    EXPECT_EQ(lines["fillOpacity"], 10);
    EXPECT_EQ(lines["stacking"]["mode"], "none");
    EXPECT_EQ(lines["spanNulls"], 120000);  // gaps up to two minutes bridged
    json stacked = timeseries(s, true);
    EXPECT_EQ(stacked["fieldConfig"]["defaults"]["custom"]["fillOpacity"], 30);
    EXPECT_EQ(stacked["fieldConfig"]["defaults"]["custom"]["stacking"]["mode"], "normal");
    EXPECT_EQ(stacked["options"]["tooltip"]["mode"], "multi");
}

TEST(Grafana, GaugeFromZeroToItsMaxWithThresholds) {
    PanelSpec s = spec("G", "percent", {"x"});
    json g = gauge(s, 70, 90);
    EXPECT_EQ(g["type"], "gauge");
    EXPECT_EQ(g["fieldConfig"]["defaults"]["min"], 0);
    EXPECT_EQ(g["fieldConfig"]["defaults"]["max"], 100);
    EXPECT_EQ(g["fieldConfig"]["defaults"]["thresholds"],
              json({{"mode", "absolute"},
                    {"steps", json::array({{{"color", "green"}, {"value", nullptr}},
                                           {{"color", "orange"}, {"value", 70}},
                                           {{"color", "red"}, {"value", 90}}})}}));
    EXPECT_EQ(g["fieldConfig"]["defaults"]["color"], json({{"mode", "thresholds"}}));
    s.max = 8, s.has_max = true;
    EXPECT_EQ(gauge(s, 4, 6)["fieldConfig"]["defaults"]["max"], 8);
}

TEST(Grafana, HeatStripAndText) {
    json h = heat_strip(spec("H", "percent", {"x"}));
    EXPECT_EQ(h["type"], "status-history");
    EXPECT_EQ(h["fieldConfig"]["defaults"]["color"], json({{"mode", "continuous-GrYlRd"}}));
    EXPECT_EQ(h["options"]["showValue"], "never");
    EXPECT_EQ(text("About", "*hi*"),
              json({{"type", "text"}, {"title", "About"}, {"options", {{"mode", "markdown"}, {"content", "*hi*"}}}}));
}

TEST(Grafana, PanelDecorations) {
    json p = timeseries(spec("P", "none", {"x"}));
    set_value_mappings(p, {{1, "up", "green"}, {0.5, "half", "orange"}});
    json options = {{"1", {{"text", "up"}, {"color", "green"}, {"index", 0}}},
                    {"0.500000", {{"text", "half"}, {"color", "orange"}, {"index", 1}}}};  // text forms
    EXPECT_EQ(p["fieldConfig"]["defaults"]["mappings"], json::array({json({{"type", "value"}, {"options", options}})}));
    set_no_value(p, "none yet");
    EXPECT_EQ(p["fieldConfig"]["defaults"]["noValue"], "none yet");
    dash_series_matching(p, "/limit/");
    ASSERT_EQ(p["fieldConfig"]["overrides"].size(), 1u);
    EXPECT_EQ(p["fieldConfig"]["overrides"][0]["matcher"], json({{"id", "byRegexp"}, {"options", "/limit/"}}));
    EXPECT_EQ(p["fieldConfig"]["overrides"][0]["properties"][0]["id"], "custom.lineStyle");
}

TEST(Grafana, QueryVariableCurrentValues) {
    QueryVariableSpec var;
    var.name = "host";
    var.label = "Host";
    var.query = "expand(*.CPUPercent)";
    json none = query_variable(var);
    EXPECT_EQ(none["datasource"], datasource_ref());
    EXPECT_EQ(none["refresh"], 2);  // on time range change
    EXPECT_FALSE(none.contains("current"));
    EXPECT_FALSE(none.contains("description"));
    var.current = {"a", "b"};
    json single = query_variable(var);
    EXPECT_EQ(single["current"], json({{"selected", true}, {"text", "a + b"}, {"value", "a"}}));
    var.multi = true;
    var.description = "Hosts";
    json multi = query_variable(var);
    const json both = json::array({"a", "b"});
    EXPECT_EQ(multi["current"], json({{"selected", true}, {"text", both}, {"value", both}}));
    EXPECT_EQ(multi["description"], "Hosts");
}

TEST(Grafana, DashboardAssemblesSpecVariablesAndLayout) {
    DashboardSpec spec;
    spec.uid = "u";
    spec.title = "T";
    spec.tags = {"fructosa"};
    QueryVariableSpec job;
    job.name = "jobid";
    spec.variables = json::array({query_variable(job)});
    Layout l;
    l.row("R");
    json d = dashboard(spec, "G2", std::move(l));
    EXPECT_EQ(d["uid"], "u");
    EXPECT_EQ(d["schemaVersion"], kSchemaVersion);
    EXPECT_EQ(d["time"], json({{"from", "now-6h"}, {"to", "now"}}));
    EXPECT_EQ(d["refresh"], "1m");
    const json& vars = d["templating"]["list"];
    ASSERT_EQ(vars.size(), 2u);
    EXPECT_EQ(vars[0]["current"]["value"], "G2");
    EXPECT_EQ(vars[1]["name"], "jobid");
    ASSERT_EQ(d["panels"].size(), 1u);
    EXPECT_EQ(d["panels"][0]["title"], "R");
    EXPECT_EQ(d["annotations"]["list"][0]["builtIn"], 1);
}

}  // namespace
}  // namespace fructosa::grafana
