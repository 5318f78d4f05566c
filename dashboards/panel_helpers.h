#pragma once
/// Small helpers the three dashboard generators share: Graphite expressions and
/// panel specs written in one line each.

#include <initializer_list>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "dashboards/grafana.h"

namespace fructosa::grafana {

/// `aliasByNode(expr, nodes...)`: series named by host (and field) in legends.
inline std::string by_node(const std::string& expr, std::initializer_list<int> nodes) {
    std::string out = "aliasByNode(" + expr;
    for (int n : nodes) out += fmt::format(", {}", n);
    return out + ")";
}

/// The per-second rate of a cumulative counter. Points arrive every 1 to 60 s while
/// Graphite's finest archive has a slot per second: perSecond alone sees a null before
/// every value and returns only nulls, so gaps of up to 120 slots are interpolated first.
inline std::string rate(const std::string& counter) { return "perSecond(interpolate(" + counter + ", 120))"; }

/// 1 while a point of `series` arrived in the last two minutes, else 0: isNonNull
/// turns every slot into 1 (data) or 0 (none), movingMax looks back over the window.
inline std::string reporting(const std::string& series) { return "movingMax(isNonNull(" + series + "), '2min')"; }

inline PanelSpec spec(std::string title, std::string unit, std::vector<std::string> exprs,
                      std::string description = "") {
    PanelSpec s;
    s.title = std::move(title);
    s.unit = std::move(unit);
    for (auto& e : exprs) s.targets.push_back({std::move(e)});
    s.description = std::move(description);
    return s;
}

/// A 0..100 % panel.
inline PanelSpec percent_spec(std::string title, std::vector<std::string> exprs, std::string description = "") {
    PanelSpec s = spec(std::move(title), "percent", std::move(exprs), std::move(description));
    s.min = 0, s.has_min = true;
    s.max = 100, s.has_max = true;
    return s;
}

}  // namespace fructosa::grafana
