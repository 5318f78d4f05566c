#pragma once
/// Building blocks of Grafana dashboard JSON (the classic model, schemaVersion 39):
/// panels with Graphite targets, template variables, and a layout that hands out
/// panel ids and grid positions so that no two panels ever overlap.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fructosa::grafana {

using nlohmann::json;

/// The schema version we write: what Grafana 10.3 to 11.x save themselves.
inline constexpr int kSchemaVersion = 39;
/// Name of the datasource variable every target refers to (as "${ds}").
inline constexpr std::string_view kDatasourceVariable = "ds";
/// Text in a panel's description that marks it as empty on machines without some
/// hardware or kernel feature; tests/integration/test_dashboards.py reads it.
inline constexpr std::string_view kOptionalMarker = "Empty on machines without ";

/// {"type": "graphite", "uid": "${ds}"}: the datasource of every panel and target.
json datasource_ref();

/// One Graphite query of a panel.
struct Target {
    std::string expr;     ///< the Graphite target expression, variables unexpanded
    bool hidden = false;  ///< queried for use by other targets (#A) but not drawn
};

/// Fields shared by every data panel.
struct PanelSpec {
    std::string title;
    std::string unit;         ///< Grafana unit id: "percent", "bytes", "Bps", "hertz", ...
    std::vector<Target> targets;
    std::string description;  ///< tooltip shown on the (i) of the panel
    int decimals = -1;        ///< -1: Grafana chooses
    double min = 0, max = 0;  ///< axis/scale limits when has_min/has_max
    bool has_min = false, has_max = false;
};

/// A line chart ("timeseries"). `stacked` stacks the series (for parts of a whole).
json timeseries(const PanelSpec& spec, bool stacked = false);
/// A big number ("stat") reduced with `calc` ("lastNotNull", "max", "mean", ...).
/// `text_mode` "value", "name" or "value_and_name".
json stat(const PanelSpec& spec, std::string_view calc = "lastNotNull", std::string_view text_mode = "auto");
/// A gauge from 0 to spec.max (100 unless has_max) with green/orange/red thresholds.
json gauge(const PanelSpec& spec, double orange, double red);
/// One coloured band per series over time ("status-history"): a heat map of many
/// series of the same quantity (per CPU, per node) on one continuous colour scale.
json heat_strip(const PanelSpec& spec);
/// A table ("table") of what `transformations` (Grafana's DataTransformerConfig list:
/// {"id", "options"}) make of the targets' series; `column_units` sets the unit of
/// columns by name (overrides), the spec's unit is the default.
json table(const PanelSpec& spec, json transformations,
           const std::vector<std::pair<std::string, std::string>>& column_units = {});
/// A markdown text panel.
json text(const std::string& title, const std::string& markdown);

/// Adds thresholds (green below `orange`, orange, red from `red`) to a panel's defaults.
void set_thresholds(json& panel, double orange, double red);
/// Replaces a panel's thresholds by `steps` (colour, lower bound; the first has none),
/// e.g. red below 25, orange below 50, green above for an efficiency.
struct ThresholdStep {
    std::string color;
    double from;
};
void set_threshold_steps(json& panel, const std::string& base_color, const std::vector<ThresholdStep>& steps);
/// Text shown instead of "No data" when a panel's query returns nothing.
void set_no_value(json& panel, const std::string& text);
/// Adds value-to-text mappings to a panel: {value, text, color}.
struct ValueText {
    double value;
    std::string text;
    std::string color;
};
void set_value_mappings(json& panel, const std::vector<ValueText>& mappings);
/// Draws series whose name matches `regex` dashed (limits, allocations).
void dash_series_matching(json& panel, const std::string& regex);

/// The datasource variable: picks any Graphite datasource, `default_name` selected.
json datasource_variable(const std::string& default_name);
/// A query variable resolved by the Graphite datasource. `query` is what Grafana's
/// Graphite variable editor takes ("jobs.*" uses /metrics/find; "expand(a.*.b)" uses
/// /metrics/expand, which returns full paths for `regex` to cut).
struct QueryVariableSpec {
    std::string name;
    std::string label;
    std::string query;
    std::string regex;
    bool multi = false;
    bool include_all = false;
    int sort = 1;                       ///< 1 alphabetical, 3 numerical asc, 4 numerical desc
    std::vector<std::string> current;   ///< preselected values (empty: Grafana takes the first)
    std::string description;
};
json query_variable(const QueryVariableSpec& spec);

/// Places panels left to right in rows of 24 grid columns, wraps to the next line
/// when a panel does not fit, and numbers panels 1, 2, ... in placement order.
/// A collapsed row keeps the panels placed after it inside its own "panels" list,
/// as Grafana stores them.
class Layout {
public:
    /// Starts a new row (a "row" panel, full width) below everything placed so far.
    void row(const std::string& title, bool collapsed = false);
    /// Places `panel` `w` columns wide (1..24) and `h` grid units high.
    void add(json panel, int w, int h);
    /// The panels in Grafana's order; the layout is empty afterwards.
    json take();

private:
    void new_line();
    void close_collapsed_row();

    json panels_ = json::array();
    int open_row_ = -1;   ///< index in panels_ of the collapsed row receiving panels, or -1
    int row_end_y_ = 0;   ///< where the panel after a collapsed row goes
    int next_id_ = 1;
    int x_ = 0, y_ = 0, line_h_ = 0;
};

/// What every dashboard shares.
struct DashboardSpec {
    std::string uid;          ///< at most 40 characters: [A-Za-z0-9_-]
    std::string title;
    std::string description;
    std::vector<std::string> tags;
    std::string time_from = "now-6h";
    std::string refresh = "1m";
    json variables = json::array();  ///< template variables after the datasource one
    json links = json::array();
};
/// Assembles a dashboard: `spec` + the datasource variable + the layout's panels.
json dashboard(const DashboardSpec& spec, const std::string& datasource_name, Layout&& layout);

/// A dashboard uid from free text: characters outside [A-Za-z0-9_-] become '-',
/// cut to Grafana's 40 characters.
std::string make_uid(std::string_view text);

}  // namespace fructosa::grafana
