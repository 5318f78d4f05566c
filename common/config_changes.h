#pragma once
/// What SIGHUP finds changed in a daemon's config file: every key whose value differs
/// between the file the daemon runs with and the file on disk now. Each daemon decides
/// which of them it applies while running; the others are logged as needing a restart,
/// naming the key, so an admin never believes a change took effect when it did not.

#include <functional>
#include <string>
#include <vector>

#include "common/config.h"

namespace fructosa {

struct ConfigChange {
    std::string section;  ///< as written in the file
    std::string key;      ///< lower-case; empty for a whole section
    std::string where;    ///< "file:line" in the new file, or in the old one for a removed key
};

/// The keys set in one file only or to different values, in the order of the new file
/// (removed ones after). Sections compare like configparser (case kept), keys ignoring
/// case. (A section without keys is not kept by IniFile, so it never shows here.)
std::vector<ConfigChange> config_changes(const IniFile& before, const IniFile& after);

/// "[section] key" (or "[section]" for a section that came or went).
std::string describe(const ConfigChange& change);

/// Logs "SIGHUP: [section] key changed (file:line): needs a restart of PROGRAM" for every
/// change `applies` refuses, and returns those changes.
std::vector<ConfigChange> log_changes_needing_restart(const std::vector<ConfigChange>& changes,
                                                      const std::function<bool(const ConfigChange&)>& applies,
                                                      const std::string& program);

}  // namespace fructosa
