#pragma once
/// Checks of a generated dashboard's model that Grafana would not report clearly
/// (or at all): panel ids, grid positions, variables, datasources, units.

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fructosa {

/// Grafana unit ids the generators may use (a typo such as "rotmhz" is an error).
const std::set<std::string>& known_units();

/// Grafana transformation ids the generators may use (a typo is an error: Grafana would
/// silently show the untransformed data).
const std::set<std::string>& known_transformations();

/// Every panel, rows' children included, in order.
std::vector<const nlohmann::json*> all_panels(const nlohmann::json& dashboard);

/// Names of the variables ($name, ${name}, ${name:fmt}, [[name]]) used in `text`,
/// Grafana's own ($__interval, ...) left out.
std::set<std::string> variables_used(const std::string& text);

/// Problems found, one line each naming the panel; empty when the dashboard is sound:
/// uid and schemaVersion present; a datasource variable for Graphite; unique integer
/// panel ids; gridPos with integer x, y, w, h, w <= 24, x + w <= 24, no two panels of
/// the same level overlapping; every data panel with targets, unique refIds, the
/// ${ds} datasource, a known unit (overrides included), known transformations with
/// options; every variable used in a target defined.
std::vector<std::string> lint_dashboard(const nlohmann::json& dashboard);

}  // namespace fructosa
