#pragma once
/// Helpers for the dashboard tests: every generated dashboard at once, and a panel's unit
/// and first Graphite target looked up by its title.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "dashboards/dashboard_lint.h"
#include "dashboards/dashboards.h"

namespace fructosa::test {

/// The four generated dashboards ("node", "host" of GPU-Node7, "cluster", "job") for `prefix`.
inline std::map<std::string, nlohmann::json> every_dashboard(const std::string& prefix) {
    DashboardOptions o{prefix, "Graphite"};
    return {{"node", node_dashboard(o)},
            {"host", host_dashboard(o, "GPU-Node7")},
            {"cluster", cluster_dashboard(o)},
            {"job", job_dashboard(o)}};
}

/// The data or text panel titled `title` (rows' children included), or nullptr.
inline const nlohmann::json* panel_titled(const nlohmann::json& d, const std::string& title) {
    for (const nlohmann::json* p : all_panels(d))
        if (p->value("title", "") == title && (*p)["type"] != "row") return p;
    return nullptr;
}

/// The unit of the panel titled `title`, or a text saying there is no such panel.
inline std::string unit_of(const nlohmann::json& d, const std::string& title) {
    const nlohmann::json* p = panel_titled(d, title);
    if (!p) return "<no panel '" + title + "'>";
    return (*p)["fieldConfig"]["defaults"].value("unit", "");
}

/// The first target of the panel titled `title`, or a text saying there is no such panel.
inline std::string first_target(const nlohmann::json& d, const std::string& title) {
    const nlohmann::json* p = panel_titled(d, title);
    return p ? (*p)["targets"][0].value("target", "") : "<no panel '" + title + "'>";
}

}  // namespace fructosa::test
