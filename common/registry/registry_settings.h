#pragma once
/// `[registry]` of lmaster.conf and perad.conf: the same keys in both files.

#include <string>

namespace fructosa {

class IniFile;

inline constexpr const char* kDefaultRegistryPath = "/var/lib/fructosa/registry.db";

struct RegistrySettings {
    std::string path = kDefaultRegistryPath;  ///< "path": the SQLite file (the default store)
    /// "url": postgresql://user@host:port/db (or postgres://...) selects the PostgreSQL
    /// store, which several lmasters can share; empty for SQLite. Not together with "path".
    std::string url;
    /// "busy timeout ms": how long a writer waits for the other (SQLite's busy timeout;
    /// PostgreSQL's lock_timeout)
    int busy_timeout_ms = 5000;
    double partial_after_s = 600;  ///< "partial after": lmaster's check_timeouts grace (perad ignores it)
    /// "running timeout": without Slurm enrichment, a running job with no event for this
    /// long becomes partial (lmaster; perad ignores it).
    double running_timeout_s = 7 * 86400.0;

    bool uses_postgresql() const { return !url.empty(); }
    /// The store as logs and errors name it: the file, or the URL without its password.
    std::string where() const;
};

/// Reads `[registry]` (absent: defaults); unknown keys, bad values and both `url` and
/// `path` throw ConfigError.
RegistrySettings read_registry_settings(const IniFile& file);

}  // namespace fructosa
