#pragma once
/// What lagent does with its config file on SIGHUP, decided apart from the Agent so it
/// can be tested without one. lagent applies while running:
///   - the [sensor:<Name>] sections: sensors added, removed, their time_interval and options,
///   - [lmaster] host and incoming data port (the lmaster list),
///   - [logging] level.
/// Every other changed key needs a restart and is logged as such, naming it.

#include <vector>

#include "collector/agent_config.h"
#include "common/config.h"
#include "common/config_changes.h"

namespace fructosa {

/// True for a change lagent applies on SIGHUP.
bool agent_applies_on_hangup(const ConfigChange& change);

struct AgentReload {
    AgentConfig config;                      ///< the new file, fully checked
    bool sensors_changed = false;            ///< since the file last applied
    bool masters_changed = false;
    bool level_changed = false;
    std::vector<ConfigChange> needs_restart; ///< since the file lagent started with
};

/// `started`: the file lagent started with; `applied`: the one last applied (the same
/// at the first SIGHUP); `fresh`: the file now. Throws ConfigError (file, line, key)
/// when `fresh` is not a valid lagent.conf: the running configuration then stays.
AgentReload plan_agent_reload(const IniFile& started, const IniFile& applied, const IniFile& fresh);

}  // namespace fructosa
