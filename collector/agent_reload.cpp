#include "collector/agent_reload.h"

#include <algorithm>

namespace fructosa {

namespace {

bool is_sensor_section(const std::string& section) {
    return section.size() > 7 && iequals(std::string_view(section).substr(0, 7), "sensor:");
}

bool any(const std::vector<ConfigChange>& changes, bool (*pred)(const ConfigChange&)) {
    return std::any_of(changes.begin(), changes.end(), pred);
}

}  // namespace

bool agent_applies_on_hangup(const ConfigChange& c) {
    if (is_sensor_section(c.section)) return true;
    if (iequals(c.section, "lmaster")) return c.key == "host" || c.key == "incoming data port" || c.key == "order";
    if (iequals(c.section, "logging")) return c.key == "level";
    return false;
}

AgentReload plan_agent_reload(const IniFile& started, const IniFile& applied, const IniFile& fresh) {
    AgentReload out;
    out.config = read_agent_config(fresh);
    auto since_applied = config_changes(applied, fresh);
    out.sensors_changed = any(since_applied, [](const ConfigChange& c) { return is_sensor_section(c.section); });
    out.masters_changed = any(since_applied, [](const ConfigChange& c) {
        // `order` decides which lmaster of the list this agent prefers: a new list too.
        return iequals(c.section, "lmaster") && (c.key == "host" || c.key == "incoming data port" || c.key == "order");
    });
    out.level_changed =
        any(since_applied, [](const ConfigChange& c) { return iequals(c.section, "logging") && c.key == "level"; });
    for (auto& c : config_changes(started, fresh))
        if (!agent_applies_on_hangup(c)) out.needs_restart.push_back(std::move(c));
    return out;
}

}  // namespace fructosa
