#include "dashboards/grafana.h"

#include <algorithm>
#include <stdexcept>

namespace fructosa::grafana {

json datasource_ref() {
    return {{"type", "graphite"}, {"uid", "${" + std::string(kDatasourceVariable) + "}"}};
}

namespace {

json make_targets(const std::vector<Target>& targets) {
    json out = json::array();
    for (std::size_t i = 0; i < targets.size(); ++i) {
        if (i >= 26) throw std::logic_error("a panel holds at most 26 targets (refId A..Z)");
        json t = {{"refId", std::string(1, static_cast<char>('A' + i))},
                  {"target", targets[i].expr},
                  {"datasource", datasource_ref()}};
        if (targets[i].hidden) t["hide"] = true;
        out.push_back(std::move(t));
    }
    return out;
}

/// The part every data panel shares: type, title, datasource, targets, unit, limits.
json base_panel(std::string_view type, const PanelSpec& spec) {
    json defaults = {{"unit", spec.unit.empty() ? "short" : spec.unit}};
    if (spec.decimals >= 0) defaults["decimals"] = spec.decimals;
    if (spec.has_min) defaults["min"] = spec.min;
    if (spec.has_max) defaults["max"] = spec.max;
    json p = {{"type", type},
              {"title", spec.title},
              {"datasource", datasource_ref()},
              {"targets", make_targets(spec.targets)},
              {"fieldConfig", {{"defaults", defaults}, {"overrides", json::array()}}},
              {"options", json::object()}};
    if (!spec.description.empty()) p["description"] = spec.description;
    return p;
}

json reduce_options(std::string_view calc) {
    return {{"calcs", json::array({calc})}, {"fields", ""}, {"values", false}};
}

}  // namespace

json timeseries(const PanelSpec& spec, bool stacked) {
    json p = base_panel("timeseries", spec);
    json custom = {{"drawStyle", "line"},
                   {"lineWidth", 1},
                   {"fillOpacity", stacked ? 30 : 10},
                   {"showPoints", "never"},
                   // Samples come every 1 to 60 s; Graphite returns nulls between them.
                   // Bridge gaps up to two minutes, so that a silent node still shows a gap.
                   {"spanNulls", 120000},
                   {"stacking", {{"mode", stacked ? "normal" : "none"}, {"group", "A"}}}};
    p["fieldConfig"]["defaults"]["custom"] = custom;
    p["options"] = {{"legend", {{"displayMode", "list"}, {"placement", "bottom"}, {"showLegend", true},
                                {"calcs", json::array()}}},
                    {"tooltip", {{"mode", "multi"}, {"sort", "desc"}}}};
    return p;
}

json stat(const PanelSpec& spec, std::string_view calc, std::string_view text_mode) {
    json p = base_panel("stat", spec);
    p["options"] = {{"reduceOptions", reduce_options(calc)},
                    {"colorMode", "value"},
                    {"graphMode", "area"},
                    {"justifyMode", "auto"},
                    {"orientation", "auto"},
                    {"textMode", text_mode}};
    return p;
}

json gauge(const PanelSpec& spec, double orange, double red) {
    PanelSpec s = spec;
    if (!s.has_max) s.max = 100, s.has_max = true;
    if (!s.has_min) s.min = 0, s.has_min = true;
    json p = base_panel("gauge", s);
    p["options"] = {{"reduceOptions", reduce_options("lastNotNull")},
                    {"orientation", "auto"},
                    {"showThresholdLabels", false},
                    {"showThresholdMarkers", true}};
    set_thresholds(p, orange, red);
    return p;
}

json heat_strip(const PanelSpec& spec) {
    json p = base_panel("status-history", spec);
    p["fieldConfig"]["defaults"]["color"] = {{"mode", "continuous-GrYlRd"}};
    p["fieldConfig"]["defaults"]["custom"] = {{"lineWidth", 0}, {"fillOpacity", 90}};
    p["options"] = {{"showValue", "never"},
                    {"rowHeight", 0.9},
                    {"colWidth", 0.9},
                    {"legend", {{"displayMode", "list"}, {"placement", "bottom"}, {"showLegend", false}}},
                    {"tooltip", {{"mode", "single"}, {"sort", "none"}}}};
    return p;
}

json table(const PanelSpec& spec, json transformations,
           const std::vector<std::pair<std::string, std::string>>& column_units) {
    json p = base_panel("table", spec);
    p["options"] = {{"showHeader", true}, {"cellHeight", "sm"},
                    {"footer", {{"show", false}, {"reducer", json::array({"sum"})}, {"countRows", false}}}};
    p["fieldConfig"]["defaults"]["custom"] = {{"align", "auto"}, {"cellOptions", {{"type", "auto"}}}};
    for (const auto& [column, unit] : column_units)
        p["fieldConfig"]["overrides"].push_back(
            {{"matcher", {{"id", "byName"}, {"options", column}}},
             {"properties", json::array({{{"id", "unit"}, {"value", unit}}})}});
    p["transformations"] = std::move(transformations);
    return p;
}

json text(const std::string& title, const std::string& markdown) {
    return {{"type", "text"},
            {"title", title},
            {"options", {{"mode", "markdown"}, {"content", markdown}}}};
}

void set_thresholds(json& panel, double orange, double red) {
    set_threshold_steps(panel, "green", {{"orange", orange}, {"red", red}});
}

void set_threshold_steps(json& panel, const std::string& base_color, const std::vector<ThresholdStep>& steps) {
    json list = json::array({{{"color", base_color}, {"value", nullptr}}});
    for (const auto& s : steps) list.push_back({{"color", s.color}, {"value", s.from}});
    panel["fieldConfig"]["defaults"]["thresholds"] = {{"mode", "absolute"}, {"steps", list}};
    panel["fieldConfig"]["defaults"]["color"] = {{"mode", "thresholds"}};
}

void set_no_value(json& panel, const std::string& text) { panel["fieldConfig"]["defaults"]["noValue"] = text; }

void set_value_mappings(json& panel, const std::vector<ValueText>& mappings) {
    json options = json::object();
    int index = 0;
    for (const auto& m : mappings) {
        // Graphite values are floats; Grafana matches value mappings on their text form.
        std::string key = m.value == static_cast<long long>(m.value)
                              ? std::to_string(static_cast<long long>(m.value))
                              : std::to_string(m.value);
        options[key] = {{"text", m.text}, {"color", m.color}, {"index", index++}};
    }
    panel["fieldConfig"]["defaults"]["mappings"] = json::array({{{"type", "value"}, {"options", options}}});
}

void dash_series_matching(json& panel, const std::string& regex) {
    panel["fieldConfig"]["overrides"].push_back(
        {{"matcher", {{"id", "byRegexp"}, {"options", regex}}},
         {"properties", json::array({{{"id", "custom.lineStyle"},
                                      {"value", {{"fill", "dash"}, {"dash", json::array({10, 10})}}}}})}});
}

json datasource_variable(const std::string& default_name) {
    return {{"type", "datasource"},
            {"name", kDatasourceVariable},
            {"label", "Graphite"},
            {"description", "The Graphite datasource FrUCToSA's lmaster writes to"},
            {"query", "graphite"},
            {"regex", ""},
            {"hide", 0},
            {"refresh", 1},
            {"multi", false},
            {"includeAll", false},
            {"current", {{"selected", true}, {"text", default_name}, {"value", default_name}}},
            {"options", json::array()}};
}

json query_variable(const QueryVariableSpec& spec) {
    json v = {{"type", "query"},
              {"name", spec.name},
              {"label", spec.label},
              {"datasource", datasource_ref()},
              {"query", spec.query},
              {"regex", spec.regex},
              {"hide", 0},
              // 2: on time range change, so that nodes and jobs of the period show up.
              {"refresh", 2},
              {"multi", spec.multi},
              {"includeAll", spec.include_all},
              {"sort", spec.sort},
              {"options", json::array()}};
    if (!spec.description.empty()) v["description"] = spec.description;
    if (!spec.current.empty()) {
        std::string shown;
        for (const auto& c : spec.current) shown += (shown.empty() ? "" : " + ") + c;
        if (spec.multi)
            v["current"] = {{"selected", true}, {"text", spec.current}, {"value", spec.current}};
        else
            v["current"] = {{"selected", true}, {"text", shown}, {"value", spec.current.front()}};
    }
    return v;
}

void Layout::new_line() {
    if (x_ > 0) {
        y_ += line_h_;
        x_ = 0;
        line_h_ = 0;
    }
}

void Layout::close_collapsed_row() {
    if (open_row_ < 0) return;
    open_row_ = -1;
    x_ = 0;
    line_h_ = 0;
    y_ = row_end_y_;
}

void Layout::row(const std::string& title, bool collapsed) {
    close_collapsed_row();
    new_line();
    json r = {{"type", "row"},
              {"title", title},
              {"id", next_id_++},
              {"collapsed", collapsed},
              {"gridPos", {{"x", 0}, {"y", y_}, {"w", 24}, {"h", 1}}},
              {"panels", json::array()}};
    panels_.push_back(std::move(r));
    y_ += 1;
    if (collapsed) {
        open_row_ = static_cast<int>(panels_.size()) - 1;
        row_end_y_ = y_;
    }
}

void Layout::add(json panel, int w, int h) {
    if (w < 1 || w > 24 || h < 1) throw std::logic_error("panel size out of range: " + panel.value("title", ""));
    if (x_ + w > 24) new_line();
    panel["id"] = next_id_++;
    panel["gridPos"] = {{"x", x_}, {"y", y_}, {"w", w}, {"h", h}};
    x_ += w;
    line_h_ = std::max(line_h_, h);
    if (open_row_ >= 0)
        panels_[static_cast<std::size_t>(open_row_)]["panels"].push_back(std::move(panel));
    else
        panels_.push_back(std::move(panel));
}

json Layout::take() {
    close_collapsed_row();
    json out = std::move(panels_);
    panels_ = json::array();
    next_id_ = 1;
    x_ = y_ = line_h_ = 0;
    return out;
}

json dashboard(const DashboardSpec& spec, const std::string& datasource_name, Layout&& layout) {
    json variables = json::array({datasource_variable(datasource_name)});
    for (const auto& v : spec.variables) variables.push_back(v);
    json builtin_annotation = {{"builtIn", 1},
                               {"datasource", {{"type", "grafana"}, {"uid", "-- Grafana --"}}},
                               {"enable", true},
                               {"hide", true},
                               {"iconColor", "rgba(0, 211, 255, 1)"},
                               {"name", "Annotations & Alerts"},
                               {"type", "dashboard"}};
    return {{"uid", spec.uid},
            {"title", spec.title},
            {"description", spec.description},
            {"tags", spec.tags},
            {"editable", true},
            {"graphTooltip", 1},
            {"timezone", "browser"},
            {"fiscalYearStartMonth", 0},
            {"liveNow", false},
            {"schemaVersion", kSchemaVersion},
            {"version", 1},
            {"time", {{"from", spec.time_from}, {"to", "now"}}},
            {"timepicker", json::object()},
            {"refresh", spec.refresh},
            {"templating", {{"list", variables}}},
            {"annotations", {{"list", json::array({builtin_annotation})}}},
            {"links", spec.links},
            {"panels", layout.take()}};
}

std::string make_uid(std::string_view text) {
    std::string out;
    for (char c : text) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        out += ok ? c : '-';
        if (out.size() == 40) break;
    }
    return out;
}

}  // namespace fructosa::grafana
