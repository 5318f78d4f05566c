#pragma once
/// `[registry]` of lmaster.conf and perad.conf: the same keys in both files.

#include <string>

namespace fructosa {

class IniFile;

inline constexpr const char* kDefaultRegistryPath = "/var/lib/fructosa/registry.db";

struct RegistrySettings {
    std::string path = kDefaultRegistryPath;
    int busy_timeout_ms = 5000;    ///< "busy timeout ms": how long a writer waits for the other
    double partial_after_s = 600;  ///< "partial after": lmaster's check_timeouts grace (perad ignores it)
    /// "running timeout": without Slurm enrichment, a running job with no event for this
    /// long becomes partial (lmaster; perad ignores it).
    double running_timeout_s = 7 * 86400.0;
};

/// Reads `[registry]` (absent: defaults); unknown keys and bad values throw ConfigError.
RegistrySettings read_registry_settings(const IniFile& file);

}  // namespace fructosa
